#pragma once
// Shell completion scripts (bash, zsh, fish) generated from the CLI11 app
// itself, so they list exactly the subcommands and options `--help` shows,
// plus the model ids of the bundled rate cards.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace llmcost::cli {

// Throws Error for a shell other than bash, zsh or fish.
std::string completion_script(const CLI::App& root, const std::string& shell, const std::vector<std::string>& models,
                              const std::vector<std::string>& providers);

} // namespace llmcost::cli
