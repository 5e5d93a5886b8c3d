#pragma once
// The command-line layer: parses arguments with CLI11, calls the library,
// writes output, and maps outcomes to exit codes (0 ok, 1 check failed,
// 2 bad usage or bad input).

#include "cli/common_options.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"

#include <CLI/CLI.hpp>

#include <iosfwd>

namespace llmcost::cli {

int run(int argc, char** argv, std::ostream& out, std::ostream& err);

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
void setup_watch(CLI::App& cmd, Context& context);

} // namespace llmcost::cli
