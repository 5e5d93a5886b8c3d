#include "llmcost/text_table.hpp"

#include <algorithm>

namespace llmcost {

namespace {

std::size_t width_of(const std::string& text)
{
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

} // namespace

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

std::string render_aligned(const TextTable& table)
{
  std::vector<std::size_t> widths(table.headers.size());
  for (std::size_t i = 0; i < table.headers.size(); ++i) {
    widths[i] = width_of(table.headers[i]);
    for (const auto& row : table.rows) {
      widths[i] = std::max(widths[i], width_of(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string fill(widths[i] - width_of(cells[i]), ' ');
      const bool right = i < table.numeric.size() && table.numeric[i];
      out += (i > 0 ? "  " : "") + (right ? fill + cells[i] : cells[i] + fill);
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
