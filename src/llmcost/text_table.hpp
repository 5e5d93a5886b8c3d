#pragma once
// A plain table of strings rendered as aligned text, Markdown or CSV; used for
// listings (models, rates) whose rows are not cost reports.

#include <string>
#include <vector>

namespace llmcost {

struct TextTable
{
  std::vector<std::string> headers;
  std::vector<bool> numeric; // right-align these columns
  std::vector<std::vector<std::string>> rows;
};

std::string render_aligned(const TextTable& table);
std::string render_markdown_table(const TextTable& table);
std::string render_csv_table(const TextTable& table);
std::string csv_escape(const std::string& field);

} // namespace llmcost
