#pragma once
// The command-line layer: parses arguments with CLI11, calls the library,
// writes output, and maps outcomes to exit codes (0 ok, 1 check failed,
// 2 bad usage or bad input).

#include "llmcost/catalog.hpp"
#include "llmcost/render.hpp"

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmcost::cli {

int run(int argc, char** argv, std::ostream& out, std::ostream& err);

// State shared by the subcommands for one run.
struct UserConfig;

struct Context
{
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
  bool stdout_is_tty = false;
  std::shared_ptr<UserConfig> config; // read on first use (config.hpp)
};

// Options every pricing command takes.
struct CommonOptions
{
  std::vector<std::string> pricing_paths;
  std::string provider;
  std::string format = "table";
  std::string output;
  int precision = -1; // -1: not given (the config's, else 2)
  std::string color = "auto";
  std::string by;
  bool chart = false;
  bool ascii = false;
  std::vector<std::string> config_pricing; // from the config file, loaded before --pricing
};

void add_pricing_options(CLI::App& cmd, CommonOptions& options);
// `extra_formats`: formats only this command has (reconcile's "focus").
void add_output_options(CLI::App& cmd, CommonOptions& options, const std::vector<std::string>& extra_formats = {});

// Bundled cards plus LLMCOST_PRICING_PATH plus --pricing, in that order.
// --chart and --ascii (estimate and compare).
void add_chart_options(CLI::App& cmd, CommonOptions& options, const std::string& what);

Catalog load_catalog(const CommonOptions& options);
RenderOptions render_options(const CommonOptions& options, const Context& context, const std::string& title);
// True when --output names a file (not stdout).
bool writes_to_file(const CommonOptions& options);
// Writes to --output (atomically, via a temporary file) or stdout.
void emit(const CommonOptions& options, Context& context, const std::string& text);

// Each sets up its subcommand `cmd` (options and callback); run() creates it
// with the name and description listed in app.cpp.
void setup_estimate(CLI::App& cmd, Context& context);
void setup_models(CLI::App& cmd, Context& context);
void setup_rates(CLI::App& cmd, Context& context);
void setup_reconcile(CLI::App& cmd, Context& context);
void setup_budget(CLI::App& cmd, Context& context);
void setup_compare(CLI::App& cmd, Context& context);
void setup_completions(CLI::App& cmd, Context& context);
void setup_config(CLI::App& cmd, Context& context);

} // namespace llmcost::cli
