#include "llmcost/text_table.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>

namespace llmcost {

std::string csv_escape(const std::string& field)
{
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    return field;
  }
  std::string out = "\"";
  for (char c : field) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::vector<std::size_t> fit_widths(std::vector<std::size_t> widths, const std::vector<bool>& numeric,
                                    std::size_t max_width, std::size_t gap)
{
  if (max_width == 0 || widths.empty()) {
    return widths;
  }
  std::size_t total = gap * (widths.size() - 1);
  for (std::size_t w : widths) {
    total += w;
  }
  const std::vector<std::size_t> full = widths;
  constexpr std::size_t k_floor = 10;
  while (total > max_width) {
    std::size_t widest = widths.size();
    for (std::size_t i = 0; i < widths.size(); ++i) {
      // The last column is left whole: free text there (a cause, a reason) wraps harmlessly.
      const bool text = (i >= numeric.size() || !numeric[i]) && i + 1 < widths.size();
      if (text && widths[i] > k_floor && (widest == widths.size() || widths[i] > widths[widest])) {
        widest = i;
      }
    }
    if (widest == widths.size()) {
      return full; // cannot fit: rather whole names in a long line than cut ones
    }
    --widths[widest];
    --total;
  }
  return widths;
}

std::string render_aligned(const TextTable& table, std::size_t max_width)
{
  std::vector<std::size_t> widths(table.headers.size());
  for (std::size_t i = 0; i < table.headers.size(); ++i) {
    widths[i] = display_width(table.headers[i]);
    for (const auto& row : table.rows) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  widths = fit_widths(widths, table.numeric, max_width);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string cell = elide(cells[i], widths[i]);
      const std::string fill(widths[i] - display_width(cell), ' ');
      const bool right = i < table.numeric.size() && table.numeric[i];
      out += (i > 0 ? "  " : "") + (right ? fill + cell : cell + fill);
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    return out + "\n";
  };
  std::string out = line(table.headers);
  for (const auto& row : table.rows) {
    out += line(row);
  }
  return out;
}

std::string render_markdown_table(const TextTable& table)
{
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) {
      std::string escaped;
      for (char c : cell) {
        escaped += c == '|' ? std::string("\\|") : std::string(1, c);
      }
      out += " " + escaped + " |";
    }
    return out + "\n";
  };
  std::string out = line(table.headers) + "|";
  for (std::size_t i = 0; i < table.headers.size(); ++i) {
    out += i < table.numeric.size() && table.numeric[i] ? " ---: |" : " --- |";
  }
  out += "\n";
  for (const auto& row : table.rows) {
    out += line(row);
  }
  return out;
}

std::string render_csv_table(const TextTable& table)
{
  auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out += (i > 0 ? "," : "") + csv_escape(cells[i]);
    }
    return out + "\n";
  };
  std::string out = line(table.headers);
  for (const auto& row : table.rows) {
    out += line(row);
  }
  return out;
}

} // namespace llmcost
