#pragma once
// Pieces of the self-contained HTML report (--format html): escaping, the
// page around the content (screen and print styles), summary blocks, tables
// and charts as inline SVG. No scripts, fonts or anything else fetched: the
// file is the whole report. Deterministic: the same input, the same bytes.
// No I/O.

#include "llmcost/chart.hpp"
#include "llmcost/text_table.hpp"

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

class Catalog;

std::string html_escape(const std::string& text);

// A whole document: <!DOCTYPE html>, inline CSS (with a print stylesheet:
// each <section> may start a page, tables and charts are not cut), `body`
// as given.
std::string html_page(const std::string& title, const std::string& body);

// <section><h2>heading</h2>content</section>; `page_break`: printing starts
// it on a new page, in landscape (for a wide table).
std::string html_section(const std::string& heading, const std::string& content, bool page_break = false);

// A bulleted list of notes (empty: nothing).
std::string html_notes(const std::vector<std::string>& notes);

// The summary block at the top of a page: label and figure pairs. `exact`
// (optional) is the figure unrounded, shown on hover; `tone` a class:
// "pass", "fail" or "".
struct SummaryItem
{
  std::string label;
  std::string value;
  std::string exact;
  std::string tone;
};
std::string html_summary(const std::vector<SummaryItem>& items);

// A verdict banner: "PASS ..." or "FAIL ..." in words, coloured as well.
std::string html_verdict(bool pass, const std::string& text);

// Exact values of a table's cells, shown as their `title` (hover): the
// table's shape, "" where a cell has none.
using CellTitles = std::vector<std::vector<std::string>>;

// A table in a box that scrolls on its own (the page never does sideways);
// numeric columns right-aligned; the last row drawn as totals when
// `totals_row`. Cells stay on one line (the box scrolls) except in the
// columns marked `wrap` (prose: a cause, a usage summary). Printed, every
// column wraps so that the table fits the paper.
std::string html_table(const TextTable& table, bool totals_row, const CellTitles& titles = {},
                       const std::vector<bool>& wrap = {});

// The series colours of every chart: the Okabe-Ito palette (Okabe and Ito,
// "Color Universal Design", https://jfly.uni-koeln.de/color/), chosen to
// stay distinct for the common colour-vision deficiencies; black is kept
// for text. "other" (the rest of a top N) is grey.
inline constexpr std::array<std::string_view, 7> k_palette{"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                           "#56B4E9", "#D55E00", "#F0E442"};
inline constexpr std::string_view k_other_colour = "#999999";
// Signed charts: more than expected (over) and less (under).
inline constexpr std::string_view k_over_colour = "#D55E00";
inline constexpr std::string_view k_under_colour = "#0072B2";

// Horizontal bars (one per label), e.g. cost by model. `coloured` > 0: the
// first that many bars take the palette's colours in order (the series of a
// stacked chart beside it) and the rest k_other_colour; 0: one colour.
std::string svg_bar_chart(const BarChart& chart, int precision, std::size_t coloured = 0);
// Vertical columns in label order, e.g. cost per day.
std::string svg_column_chart(const BarChart& chart, int precision);
// Horizontal bars of signed values around a zero line (variances): above
// expectation to the right in k_over_colour, below to the left in
// k_under_colour, each figure written with its sign.
std::string svg_signed_bar_chart(const BarChart& chart, int precision);
// One bar of `spent` on a scale that holds `limit`, the limit marked by a
// line and named; the part over the limit in k_over_colour.
std::string svg_limit_bar(const std::string& title, Decimal spent, Decimal limit, int precision);

// Columns split into series (cost per day, stacked by model): the series in
// legend order, the last one possibly "other".
struct StackedChart
{
  std::string title;
  std::vector<std::string> columns;         // x labels, in order
  std::vector<std::string> series;          // bottom to top, the legend's order
  std::vector<std::vector<Decimal>> values; // [series][column]
};
// The `top` series by their sum (ties by name) and the rest as "other", from
// sums per series and column.
StackedChart stack_top(const std::string& title, const std::map<std::string, std::map<std::string, Decimal>>& sums,
                       std::size_t top);
std::string svg_stacked_column_chart(const StackedChart& chart, int precision);

// The inputs a page was made from, as named on the command line (empty:
// nothing).
std::string html_file_list(const std::vector<std::string>& inputs);

// The rate cards a page was priced with: each route's name, the date its
// prices apply from, the card's origin (bundled or a file) and its sources.
// `routes` empty: every card of the catalog.
std::string html_cards(const Catalog& catalog, const std::vector<std::string>& routes);

} // namespace llmcost
