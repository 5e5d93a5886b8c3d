#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace llmcost {

// The fixed-size word at `p`, whatever its alignment (bytes in memory order).
template <typename Word> inline Word load_bytes(const char* p)
{
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Equality of two texts, inline and without a loop over bytes: names (models,
// routes, JSON members) are compared on every record, and a memcmp call or a
// byte loop cost more than this. Ends are compared with overlapping loads.
inline bool same_text(std::string_view a, std::string_view b)
{
  const std::size_t n = a.size();
  if (n != b.size()) {
    return false;
  }
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load_bytes<std::uint64_t>(x + i) != load_bytes<std::uint64_t>(y + i)) {
        return false;
      }
    }
    return load_bytes<std::uint64_t>(x + n - 8) == load_bytes<std::uint64_t>(y + n - 8);
  }
  if (n >= 4) {
    return load_bytes<std::uint32_t>(x) == load_bytes<std::uint32_t>(y) &&
           load_bytes<std::uint32_t>(x + n - 4) == load_bytes<std::uint32_t>(y + n - 4);
  }
  if (n >= 2) {
    return load_bytes<std::uint16_t>(x) == load_bytes<std::uint16_t>(y) &&
           load_bytes<std::uint16_t>(x + n - 2) == load_bytes<std::uint16_t>(y + n - 2);
  }
  return n == 0 || *x == *y;
}

std::string to_lower(std::string_view text);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// Without surrounding spaces and tabs (and a trailing '\r'). Inline: it runs
// on every field of every usage row.
inline std::string_view trim(std::string_view text)
{
  // Most fields have nothing to trim: one test of each end (bytes above ' '
  // are neither space, tab nor '\r').
  if (text.empty() ||
      (static_cast<unsigned char>(text.front()) > ' ' && static_cast<unsigned char>(text.back()) > ' ')) {
    return text;
  }
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

// `text` cut to at most `max_bytes` (on a UTF-8 boundary) with "..." and the
// full size appended when cut: found values in messages stay readable even
// when the input holds a 100 MB field.
std::string shorten(std::string_view text, std::size_t max_bytes);

// `text` safe to print on a terminal: C0 controls other than tab and newline,
// DEL, C1 controls, U+FEFF (a BOM) and bytes that are not valid UTF-8 become
// \xHH or \uXXXX escapes, so a message shows what the input held.
std::string printable(std::string_view text);

} // namespace llmcost
