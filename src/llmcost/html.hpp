#pragma once
// Pieces of the self-contained HTML report (--format html): escaping, the
// page around the content, tables, and bar charts as inline SVG. No scripts,
// fonts or anything else fetched: the file is the whole report. No I/O.

#include "llmcost/chart.hpp"
#include "llmcost/text_table.hpp"

#include <string>

namespace llmcost {

std::string html_escape(const std::string& text);

// A whole document: <!DOCTYPE html>, inline CSS, `body` as given.
std::string html_page(const std::string& title, const std::string& body);

// A table; the last row is drawn as a totals row when `totals_row`.
std::string html_table(const TextTable& table, bool totals_row);

// Horizontal bars (one per label), e.g. cost by model.
std::string svg_bar_chart(const BarChart& chart, int precision);
// Vertical columns in label order, e.g. cost per day.
std::string svg_column_chart(const BarChart& chart, int precision);

} // namespace llmcost
