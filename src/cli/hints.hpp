#pragma once
// "Did you mean" for mistyped commands, options and option values.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace llmcost::cli {

// The name in `candidates` nearest to `word`, when near enough to be a typo;
// else empty.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// A hint for CLI11's parse error `message` on `app` ("did you mean ...?", or
// the subcommands to choose from); empty when there is none.
std::string parse_error_hint(CLI::App& app, const std::string& message);

} // namespace llmcost::cli
