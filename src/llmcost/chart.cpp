#include "llmcost/chart.hpp"

#include "llmcost/render.hpp"

#include <algorithm>
#include <map>

namespace llmcost {

std::size_t bar_units(Decimal value, Decimal max, std::size_t cells, std::size_t resolution)
{
  if (value.raw() <= 0 || max.raw() <= 0) {
    return 0;
  }
  const int128 units = mul_div_round(value.raw(), static_cast<int128>(cells * resolution), max.raw());
  return static_cast<std::size_t>(std::min<int128>(units, static_cast<int128>(cells * resolution)));
}

std::string render_bar_chart(const BarChart& chart, const ChartStyle& style)
{
  std::string out = chart.title + "\n\n";
  if (chart.bars.empty()) {
    return out + "  (nothing to draw)\n";
  }
  Decimal max;
  std::size_t label_width = 0;
  std::size_t value_width = 0;
  std::vector<std::string> values;
  for (const auto& bar : chart.bars) {
    max = std::max(max, bar.value);
    label_width = std::max(label_width, display_width(bar.label));
    values.push_back(format_money(bar.value, style.precision));
    value_width = std::max(value_width, values.back().size());
  }
  // Labels take at most a third of the line; the bar gets what is left (at least 10).
  const std::size_t width = std::max<std::size_t>(style.width, 40);
  label_width = std::min(label_width, width / 3);
  const std::size_t used = label_width + 2 + 1 + value_width;
  const std::size_t cells = width > used + 10 ? width - used : 10;
  static const char* const k_eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    std::string label = elide(bar.label, label_width, style.unicode);
    label += std::string(label_width - display_width(label), ' ');
    std::string drawn;
    std::size_t length = 0;
    if (style.unicode) {
      const std::size_t eighths = bar_units(bar.value, max, cells, 8);
      for (std::size_t k = 0; k < eighths / 8; ++k) {
        drawn += "█";
      }
      drawn += k_eighths[eighths % 8];
      length = eighths / 8 + (eighths % 8 != 0 ? 1 : 0);
    } else {
      length = bar_units(bar.value, max, cells, 1);
      drawn.assign(length, '#');
    }
    if (drawn.empty() && !bar.value.is_zero() && !bar.value.is_negative()) {
      drawn = style.unicode ? "▏" : "#"; // a visible sliver for a tiny but non-zero cost
      length = 1;
    }
    out += label + "  " + drawn + std::string(cells - std::min(cells, length), ' ') + " " +
           std::string(value_width - values[i].size(), ' ') + values[i] + "\n";
  }
  return out;
}

namespace {

std::ptrdiff_t key_index(const Report& report, std::initializer_list<const char*> names)
{
  for (const char* name : names) {
    const auto it = std::find(report.key_names.begin(), report.key_names.end(), name);
    if (it != report.key_names.end()) {
      return it - report.key_names.begin();
    }
  }
  return -1;
}

} // namespace

BarChart time_chart(const Report& report)
{
  BarChart chart;
  const auto k = key_index(report, {"day", "week", "month"});
  if (k < 0) {
    return chart;
  }
  const auto index = static_cast<std::size_t>(k);
  chart.title = "cost per " + report.key_names[index] + " (" + report.currency + ")";
  // ISO dates, weeks (2026-W05) and months sort as text in time order.
  std::map<std::string, Decimal> sums;
  for (const auto& row : report.rows) {
    sums[row.keys[index]] += row.cost.total();
  }
  for (const auto& [label, value] : sums) {
    chart.bars.push_back({label, value});
  }
  return chart;
}

BarChart model_chart(const Report& report)
{
  BarChart chart;
  const auto model = key_index(report, {"model"});
  const auto provider = key_index(report, {"provider"});
  if (model < 0 && report.key_names.empty()) {
    return chart;
  }
  chart.title =
      "cost by " + std::string(model >= 0 ? "model" : report.key_names.front()) + " (" + report.currency + ")";
  std::map<std::string, Decimal> sums;
  for (const auto& row : report.rows) {
    std::string label;
    if (model >= 0) {
      label = row.keys[static_cast<std::size_t>(model)];
      if (provider >= 0) {
        label = row.keys[static_cast<std::size_t>(provider)] + "/" + label;
      }
    } else {
      label = row.keys.front();
    }
    sums[label] += row.cost.total();
  }
  for (const auto& [label, value] : sums) {
    chart.bars.push_back({label, value});
  }
  std::stable_sort(chart.bars.begin(), chart.bars.end(),
                   [](const ChartBar& a, const ChartBar& b) { return a.value > b.value; });
  return chart;
}

} // namespace llmcost
