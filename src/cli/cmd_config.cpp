// `llmcost config show`: each setting, its value, and where it came from.

#include "cli/app.hpp"
#include "cli/config.hpp"

#include "llmcost/catalog.hpp"
#include "llmcost/text_table.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost::cli {

namespace {

struct ConfigOptions
{
  CommonOptions common;
  std::string tax_rate;
};

std::string join(const std::vector<std::string>& items)
{
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ":") + item;
  }
  return out;
}

void run_config_show(const ConfigOptions& o, Context& context)
{
  const UserConfig& config = user_config(context);
  const std::string file = "config file " + config.path;
  TextTable table;
  table.headers = {"setting", "value", "from"};
  table.numeric = {false, false, false};
  table.rows.push_back({"config file", config.path + (config.found ? "" : " (not present)"),
                        config.path_origin == "HOME" ? "default" : "environment " + config.path_origin});
  auto row = [&](const std::string& name, const std::string& flag_value, const std::optional<std::string>& file_value,
                 const std::string& fallback) {
    if (!flag_value.empty()) {
      table.rows.push_back({name, flag_value, "flag"});
    } else if (file_value) {
      table.rows.push_back({name, *file_value, file});
    } else {
      table.rows.push_back({name, fallback, "default"});
    }
  };
  row("provider", o.common.provider, config.provider, "(none: bare ids sold by one route only)");
  row("precision", o.common.precision >= 0 ? std::to_string(o.common.precision) : "",
      config.precision ? std::optional<std::string>(std::to_string(*config.precision)) : std::nullopt, "2");
  row("tax_rate", o.tax_rate, config.tax_rate, "(none)");
  row("assume_model", "", config.assume_model, "(none: a Kimi CLI config's default_model, else refused)");
  for (const auto& [from, to] : config.model_aliases) {
    table.rows.push_back({"model_alias", from + "=" + to, file});
  }
  if (config.model_aliases.empty()) {
    table.rows.push_back({"model_alias", "(none)", "default"});
  }
  // Pricing paths add up rather than override: list each source.
  table.rows.push_back({"pricing", fmt::format("bundled {}", fmt::join(Catalog::bundled_routes(), ", ")), "built in"});
  if (!config.pricing.empty()) {
    table.rows.push_back({"pricing", join(config.pricing), file});
  }
  if (const char* env = std::getenv("LLMCOST_PRICING_PATH"); env != nullptr && *env != '\0') {
    table.rows.push_back({"pricing", env, "environment LLMCOST_PRICING_PATH"});
  }
  if (!o.common.pricing_paths.empty()) {
    table.rows.push_back({"pricing", join(o.common.pricing_paths), "flag"});
  }
  emit(o.common, context, render_aligned(table));
}

} // namespace

void setup_config(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<ConfigOptions>();
  cmd.require_subcommand(1);
  CLI::App* show = cmd.add_subcommand("show", "Each setting, its value, and its origin (default, file, env, flag)");
  show->add_option("--pricing", options->common.pricing_paths, "As the pricing commands take it");
  show->add_option("--provider", options->common.provider, "As the pricing commands take it");
  show->add_option("--precision", options->common.precision, "As the pricing commands take it")
      ->check(CLI::Range(0, 12));
  show->add_option("--tax-rate", options->tax_rate, "As budget takes it");
  show->callback([options, &context]() { run_config_show(*options, context); });
}

} // namespace llmcost::cli
