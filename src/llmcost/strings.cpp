#include "llmcost/strings.hpp"

#include <algorithm>
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

} // namespace llmcost
