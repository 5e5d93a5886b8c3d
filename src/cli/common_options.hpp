#pragma once
// The options the pricing commands share (--pricing, --provider, --format,
// --output, --precision, --color, --chart) and what they turn into: the
// catalog of rate cards and the render options.

#include "cli/context.hpp"
#include "llmcost/catalog.hpp"
#include "llmcost/render.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace llmcost::cli {

struct CommonOptions
{
  std::vector<std::string> pricing_paths;
  std::string provider;
  std::string format{to_string(OutputFormat::table)}; // one of the command's formats (add_output_options)
  std::string output;
  int precision = -1; // -1: not given (the config's, else 2)
  std::string color = "auto";
  std::string by;
  bool chart = false;
  bool ascii = false;
  std::vector<std::string> config_pricing; // from the config file, loaded before --pricing
};

// The bundled cards' routes, for --help: options are set up before --pricing
// loads any other card.
const std::vector<std::string>& bundled_routes();

void add_pricing_options(CLI::App& cmd, CommonOptions& options);
// The formats of the tabular reports; a command that offers others passes its own.
inline const std::vector<OutputFormat> k_report_formats = {OutputFormat::table, OutputFormat::json, OutputFormat::csv,
                                                           OutputFormat::markdown};
// --format accepts only the `offered` formats (parse error, exit 2, listing
// them, for any other); --help and the completions list them.
void add_output_options(CLI::App& cmd, CommonOptions& options,
                        const std::vector<OutputFormat>& offered = k_report_formats);
// --chart and --ascii (estimate and compare).
void add_chart_options(CLI::App& cmd, CommonOptions& options, const std::string& what);

// Bundled cards plus LLMCOST_PRICING_PATH plus --pricing, in that order.
Catalog load_catalog(const CommonOptions& options);
// --format as the enum.
OutputFormat output_format(const CommonOptions& options);
RenderOptions render_options(const CommonOptions& options, const Context& context, const std::string& title);

} // namespace llmcost::cli
