#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace llmcost {

std::string to_lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::size_t display_width(std::string_view text)
{
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string elide(const std::string& text, std::size_t width, bool unicode)
{
  if (display_width(text) <= width) {
    return text;
  }
  // The cut is in the middle: model ids differ at the end (kimi-k2.5, kimi-k2.6).
  const std::string ellipsis = unicode ? "…" : "...";
  const std::size_t marker = display_width(ellipsis);
  if (width < marker + 2) {
    return text.substr(0, width); // too narrow to mark the cut
  }
  const std::size_t keep = width - marker;
  const std::size_t head = (keep + 1) / 2;
  const std::size_t tail = keep - head;
  std::vector<std::size_t> starts; // byte offset of each code point
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      starts.push_back(i);
    }
  }
  return text.substr(0, starts[head]) + ellipsis + text.substr(starts[starts.size() - tail]);
}

std::string shorten(std::string_view text, std::size_t max_bytes)
{
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  std::size_t cut = max_bytes;
  // Back off continuation bytes so the cut does not split a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i, char32_t& code)
{
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  if (lead < 0x80) {
    code = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
    return 0;
  }
  return length;
}

} // namespace

std::string printable(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t code = 0;
    const std::size_t length = utf8_sequence_length(text, i, code);
    if (length == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const bool control = (code < 0x20 && code != '\t' && code != '\n') || (code >= 0x7F && code <= 0x9F);
    if (control && code < 0x80) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(code));
    } else if (control || code == 0xFEFF) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(code));
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

bool has_word(std::string_view name, std::string_view word)
{
  for (std::size_t i = 0; i + word.size() <= name.size(); ++i) {
    std::size_t k = 0;
    while (k < word.size() && (name[i + k] | 0x20) == word[k]) {
      ++k;
    }
    if (k == word.size()) {
      return true;
    }
  }
  return false;
}

} // namespace llmcost
