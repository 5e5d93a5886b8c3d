#pragma once
// Horizontal bar charts of costs, as terminal text. Bar lengths come from
// integer arithmetic on the exact decimal values (no floating point). No I/O.

#include "llmcost/decimal.hpp"
#include "llmcost/report.hpp"
#include "llmcost/strings.hpp"

#include <string>
#include <vector>

namespace llmcost {

struct ChartBar
{
  std::string label;
  Decimal value;
};

struct BarChart
{
  std::string title; // e.g. "cost per day (USD)"
  std::vector<ChartBar> bars;
};

struct ChartStyle
{
  std::size_t width = 80; // whole line, label and value included
  bool unicode = true;    // eighth blocks; else '#'
  int precision = 2;
};

std::string render_bar_chart(const BarChart& chart, const ChartStyle& style);

// Length in 1/`resolution` cells of a bar for `value` when `max` fills `cells`:
// rounded half-to-even; negative values draw nothing.
std::size_t bar_units(Decimal value, Decimal max, std::size_t cells, std::size_t resolution);

// The report's cost per time bucket (its day, week or month key, summed over
// the other keys), in time order; no bars when it is not grouped by time.
BarChart time_chart(const Report& report);
// The report's cost per provider/model when it has those keys, else per row
// of its first key; largest first.
BarChart model_chart(const Report& report);

} // namespace llmcost
