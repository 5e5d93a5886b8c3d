#include "cli/common_options.hpp"

#include "cli/terminal.hpp"
#include "llmcost/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost::cli {

namespace {

// LLMCOST_PRICING_PATH: colon-separated, like PATH; empty items are skipped.
std::vector<std::string> split_path_list(const char* text)
{
  std::vector<std::string> out;
  if (text == nullptr) {
    return out;
  }
  std::string item;
  for (const char* p = text;; ++p) {
    if (*p == ':' || *p == '\0') {
      if (!item.empty()) {
        out.push_back(item);
      }
      item.clear();
      if (*p == '\0') {
        break;
      }
    } else {
      item += *p;
    }
  }
  return out;
}

} // namespace

const std::vector<std::string>& bundled_routes()
{
  static const std::vector<std::string> routes = Catalog::bundled_routes();
  return routes;
}

void add_pricing_options(CLI::App& cmd, CommonOptions& options)
{
  cmd.add_option("--pricing", options.pricing_paths,
                 "Rate card FILE or DIR to add or override (repeatable; also LLMCOST_PRICING_PATH)");
  cmd.add_option(
      "--provider", options.provider,
      fmt::format("Route for bare model ids sold by several routes ({})", fmt::join(bundled_routes(), ", ")));
}

void add_output_options(CLI::App& cmd, CommonOptions& options, const std::vector<OutputFormat>& offered)
{
  std::vector<std::string> formats;
  for (const OutputFormat format : k_output_formats) {
    if (std::find(offered.begin(), offered.end(), format) != offered.end()) {
      formats.emplace_back(to_string(format));
    }
  }
  cmd.add_option("--format", options.format, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
  cmd.add_option("-o,--output", options.output, "Write the output to FILE instead of standard output");
  cmd.add_option("--precision", options.precision, "Money decimals in table and markdown output (0-12; default 2)")
      ->check(CLI::Range(0, 12));
  cmd.add_option("--color", options.color, "Colour in tables: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

void add_chart_options(CLI::App& cmd, CommonOptions& options, const std::string& what)
{
  cmd.add_flag("--chart", options.chart, "After the table, a bar chart of " + what);
  cmd.add_flag("--ascii", options.ascii, "Draw charts with ASCII only (the default when the locale is not UTF-8)");
}

Catalog load_catalog(const CommonOptions& options)
{
  Catalog catalog = Catalog::bundled();
  for (const auto& path : options.config_pricing) {
    catalog.load_path(path);
  }
  for (const auto& path : split_path_list(std::getenv("LLMCOST_PRICING_PATH"))) {
    catalog.load_path(path);
  }
  for (const auto& path : options.pricing_paths) {
    catalog.load_path(path);
  }
  return catalog;
}

OutputFormat output_format(const CommonOptions& options)
{
  if (const auto format = parse_output_format(options.format)) {
    return *format;
  }
  // Not reached: --format's check lets only the command's formats through.
  throw Error(Location{}, "unknown --format \"" + options.format + "\"");
}

RenderOptions render_options(const CommonOptions& options, const Context& context, const std::string& title)
{
  RenderOptions r;
  r.format = output_format(options);
  r.precision = options.precision < 0 ? 2 : options.precision;
  const bool no_color_env = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  if (options.color == "always") {
    r.color = true;
  } else if (options.color == "auto") {
    r.color = context.stdout_is_tty && options.output.empty() && !no_color_env;
  }
  r.title = title;
  r.chart = options.chart;
  r.unicode = !options.ascii && utf8_locale();
  r.width = terminal_columns(context.stdout_is_tty && options.output.empty());
  if (options.chart && r.format != OutputFormat::table) {
    throw Error(Location{}, "--chart draws in the terminal, with --format table", "--format table, or --format html");
  }
  return r;
}

} // namespace llmcost::cli
