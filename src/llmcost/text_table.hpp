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

// `max_width` (0: none): text columns are elided to fit it (see fit_widths).
std::string render_aligned(const TextTable& table, std::size_t max_width = 0);
// Column widths narrowed to fit `max_width` columns in all (0: no limit, with
// `gap` spaces between columns): the widest text column gives up a column at a
// time, none below 10; numbers and the last column are never cut. When even that cannot fit, the
// widths are returned unchanged.
std::vector<std::size_t> fit_widths(std::vector<std::size_t> widths, const std::vector<bool>& numeric,
                                    std::size_t max_width, std::size_t gap = 2);
std::string render_markdown_table(const TextTable& table);
std::string render_csv_table(const TextTable& table);
std::string csv_escape(const std::string& field);

} // namespace llmcost
