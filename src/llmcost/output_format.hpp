#pragma once
// The output formats and their --format names: the one list that parsing,
// each command's --help choices and the shell completions come from.

#include "llmcost/named_enum.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace llmcost {

// Renderers switch over it without `default`, so -Wswitch names every
// renderer a new format needs (or that must say it does not offer it).
enum class OutputFormat { table, json, csv, markdown, html, focus };

// The format's --format name; -Wswitch keeps this in step with the enum.
constexpr std::string_view to_string(OutputFormat format)
{
  switch (format) {
  case OutputFormat::table:
    return "table";
  case OutputFormat::json:
    return "json";
  case OutputFormat::csv:
    return "csv";
  case OutputFormat::markdown:
    return "markdown";
  case OutputFormat::html:
    return "html"; // estimate, compare, reconcile, budget
  case OutputFormat::focus:
    return "focus"; // reconcile: FOCUS 1.2 CSV
  }
  return {}; // past the last format
}

// Every format in enum order, the order --help lists them.
inline constexpr auto k_output_formats = all_named_values<OutputFormat>();

constexpr std::optional<OutputFormat> parse_output_format(std::string_view text)
{
  return parse_named(k_output_formats, text);
}

// What a renderer does with a format its command does not offer: commands
// refuse those when they parse --format, so getting here is a bug.
[[noreturn]] inline void format_not_offered(OutputFormat format, std::string_view what)
{
  throw std::logic_error(std::string(what) + " has no --format " + std::string(to_string(format)));
}

} // namespace llmcost
