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

// The number eight digit values (bytes 0 to 9, the first in the low byte)
// make: pairs, then quads, then the whole (SWAR, no loop over the digits).
inline std::uint64_t digit_bytes_value(std::uint64_t digits)
{
  std::uint64_t v = (digits * 10 + (digits >> 8)) & 0x00FF00FF00FF00FFULL;
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
  return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
}

// Bytes of `word` that are not ASCII digits, as their high bits: a byte below
// '0' borrows into its high bit when '0' is taken away, one above '9' reaches
// it when 0x46 is added. Exact for the lowest such byte (none below it carries
// or borrows into it), so a test of the low bytes is a test of them all.
inline std::uint64_t non_digit_bytes(std::uint64_t word)
{
  return ((word - 0x3030303030303030ULL) | (word + 0x4646464646464646ULL)) & 0x8080808080808080ULL;
}

// The value of the eight ASCII digits in `word` (as load_bytes reads them:
// the first digit in the low byte), or -1 when any byte is not a digit.
inline std::int64_t eight_digits(std::uint64_t word)
{
  if (non_digit_bytes(word) != 0) {
    return -1;
  }
  return static_cast<std::int64_t>(digit_bytes_value(word - 0x3030303030303030ULL));
}

// The value of `text` when it is 1 to 18 plain ASCII digits (no sign, point
// or space; so it cannot overflow), else false. Up to 8 digits are read as
// one word when the 8 bytes from the start of `text` are before `limit` (pass
// the end of `text` when nothing after it may be read).
inline bool plain_digits(std::string_view text, const char* limit, std::uint64_t& value)
{
  const std::size_t n = text.size();
  if (n - 1 < 8 && limit - text.data() >= 8) {
    // The bytes past the text are not tested, and leave at the top when the
    // digits move up to have zeros below them.
    const auto word = load_bytes<std::uint64_t>(text.data());
    const auto shift = static_cast<unsigned>(8 * (8 - n));
    if ((non_digit_bytes(word) & (0x8080808080808080ULL >> shift)) != 0) {
      return false;
    }
    value = digit_bytes_value((word - 0x3030303030303030ULL) << shift);
    return true;
  }
  if (n - 1 >= 18) {
    return false;
  }
  std::uint64_t v = 0;
  for (const char c : text) {
    if (static_cast<unsigned>(c - '0') > 9) {
      return false;
    }
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  value = v;
  return true;
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

// True when `name` holds `word` (lower case), in any case; without lowering a
// copy: this runs on every member of lines that carry no usage.
bool has_word(std::string_view name, std::string_view word);

} // namespace llmcost
