#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmcost {

std::string to_lower(std::string_view text);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// Without surrounding spaces and tabs (and a trailing '\r'). Inline: it runs
// on every field of every usage row.
inline std::string_view trim(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}
// Columns a UTF-8 string takes in a terminal (one per code point: right for the
// Latin text and the box and block glyphs we print).
std::size_t display_width(std::string_view text);
// Shortens text to `width` display columns with a trailing ellipsis ("…", or
// "..." when not unicode).
std::string elide(const std::string& text, std::size_t width, bool unicode = true);

} // namespace llmcost
