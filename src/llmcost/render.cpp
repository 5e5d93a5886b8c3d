#include "llmcost/render.hpp"
#include "llmcost/budget.hpp"
#include "llmcost/chart.hpp"
#include "llmcost/html.hpp"
#include "llmcost/json_util.hpp"

#include "llmcost/strings.hpp"
#include "llmcost/text_table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

namespace llmcost {

std::string group_thousands(const std::string& plain)
{
  std::size_t start = plain.empty() || plain[0] != '-' ? 0 : 1;
  std::size_t end = std::min(plain.find('.'), plain.size());
  std::string out = plain.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    out += plain[i];
    const std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) {
      out += ',';
    }
  }
  out += plain.substr(end);
  return out;
}

std::string format_quantity(Decimal value)
{
  return group_thousands(value.to_exact_string(0));
}

std::string format_money(Decimal value, int precision)
{
  return group_thousands(value.to_string(precision));
}

std::string format_signed_money(Decimal value, int precision)
{
  const std::string text = format_money(value, precision);
  return value.is_negative() || text.find_first_not_of("0.,") == std::string::npos ? text : "+" + text;
}

namespace {

struct Column
{
  std::string heading;
  bool numeric = true;
  // Values per row, then the total.
  std::vector<std::string> cells;
  std::string total;
  // Money unrounded (HTML titles): per row, then the total; empty otherwise.
  std::vector<std::string> exact;
  std::string total_exact;
};

// The numeric columns a row carries, in display order.
struct Measure
{
  std::string heading;
  std::string json_group; // "tokens", "cost" or "" (top level)
  std::string json_key;
  bool money;
  std::function<Decimal(const ReportRow&)> get;
  std::function<Decimal(const Report&)> get_total;
};

const std::vector<Measure>& measures()
{
  static const std::vector<Measure> list = [] {
    std::vector<Measure> all;
    for (const CounterName& n : k_counter_names) {
      all.push_back({std::string(n.label), n.tokens ? "tokens" : "", std::string(n.key), false,
                     [c = n.counter](const ReportRow& r) { return r.usage[c]; },
                     [c = n.counter](const Report& r) { return r.total_usage[c]; }});
    }
    all.insert(all.end(),
               {
                   {"media units", "", "media_units", false, [](const ReportRow& r) { return r.usage.media_units; },
                    [](const Report& r) { return r.total_usage.media_units; }},
                   {"input $", "cost", "input", true, [](const ReportRow& r) { return r.cost.input; },
                    [](const Report& r) { return r.total_cost.input; }},
                   {"cached $", "cost", "cached_input", true, [](const ReportRow& r) { return r.cost.cached_input; },
                    [](const Report& r) { return r.total_cost.cached_input; }},
                   {"output $", "cost", "output", true, [](const ReportRow& r) { return r.cost.output; },
                    [](const Report& r) { return r.total_cost.output; }},
                   {"fees $", "cost", "fees", true, [](const ReportRow& r) { return r.cost.fees; },
                    [](const Report& r) { return r.total_cost.fees; }},
                   {"media $", "cost", "media", true, [](const ReportRow& r) { return r.cost.media; },
                    [](const Report& r) { return r.total_cost.media; }},
                   {"total $", "", "total", true, [](const ReportRow& r) { return r.cost.total(); },
                    [](const Report& r) { return r.total_cost.total(); }},
               });
    return all;
  }();
  return list;
}

// Whether a row was priced with a lever (batch, a planned cache-hit rate):
// then every format shows the levers column or member.
bool any_levers(const Report& report)
{
  return std::any_of(report.rows.begin(), report.rows.end(), [](const ReportRow& r) { return r.has_levers(); });
}

// A share (0..1) for CSV and JSON: four decimals, trailing zeros trimmed.
std::string share_text(Decimal share)
{
  return share.round(4).to_exact_string(0);
}

// Columns for human output: keys, levers when any row has one, then every
// measure that is not zero everywhere (requests and total always shown).
std::vector<Column> human_columns(const Report& report, int precision)
{
  std::vector<Column> columns;
  for (std::size_t k = 0; k < report.key_names.size(); ++k) {
    Column c{report.key_names[k], false, {}, k == 0 ? "total" : "", {}, {}};
    for (const auto& row : report.rows) {
      c.cells.push_back(row.keys[k]);
    }
    columns.push_back(std::move(c));
  }
  if (any_levers(report)) {
    Column c{"levers", false, {}, {}, {}, {}};
    for (const auto& row : report.rows) {
      c.cells.push_back(levers_text(row));
    }
    columns.push_back(std::move(c));
  }
  for (const auto& m : measures()) {
    const std::string key = m.json_key;
    const bool always = key == "requests" || key == "total";
    const bool any =
        std::any_of(report.rows.begin(), report.rows.end(), [&](const ReportRow& r) { return !m.get(r).is_zero(); });
    if (!always && !any) {
      continue;
    }
    Column c{m.heading, true, {}, {}, {}, {}};
    for (const auto& row : report.rows) {
      c.cells.push_back(m.money ? format_money(m.get(row), precision) : format_quantity(m.get(row)));
      c.exact.push_back(m.money ? m.get(row).to_exact_string(2) : "");
    }
    c.total_exact = m.money ? m.get_total(report).to_exact_string(2) : "";
    // Media units differ by model (images, seconds, characters): no total.
    const bool summable = key != "media_units";
    c.total = !summable ? std::string()
              : m.money ? format_money(m.get_total(report), precision)
                        : format_quantity(m.get_total(report));
    columns.push_back(std::move(c));
  }
  return columns;
}

// A rounded table's rows need not add up to its rounded total; say so, and by how much.
std::string rounding_note(const Report& report, int precision)
{
  Decimal shown_sum;
  for (const auto& row : report.rows) {
    shown_sum += row.cost.total().round(precision);
  }
  const Decimal shown_total = report.total_cost.total().round(precision);
  if (shown_sum == shown_total) {
    return {};
  }
  return fmt::format("rows are rounded one by one; they add up to {} while the exact total rounds to {} "
                     "(use --precision for more digits)",
                     format_money(shown_sum, precision), format_money(shown_total, precision));
}

// Text longer than the column is elided (only text columns are ever narrowed).
std::string pad(const std::string& text, std::size_t width, bool right)
{
  const std::string shown = right ? text : elide(text, width);
  const std::size_t w = display_width(shown);
  const std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + shown : shown + fill;
}

std::string heading_line(const Report& report, const RenderOptions& options)
{
  std::string title = options.title.empty() ? "llmcost" : options.title;
  if (!report.period.empty()) {
    title += " per " + report.period;
  }
  return fmt::format("{} ({})", title, report.currency);
}

std::string render_table(const Report& report, const RenderOptions& options)
{
  const auto columns = human_columns(report, options.precision);
  std::vector<std::size_t> widths;
  for (const auto& c : columns) {
    std::size_t w = display_width(c.heading);
    for (const auto& cell : c.cells) {
      w = std::max(w, display_width(cell));
    }
    w = std::max(w, display_width(c.total));
    widths.push_back(w);
  }
  std::vector<bool> numeric;
  for (const auto& c : columns) {
    numeric.push_back(c.numeric);
  }
  widths = fit_widths(widths, numeric, options.width);
  const std::string bold = options.color ? "\x1b[1m" : "";
  const std::string reset = options.color ? "\x1b[0m" : "";
  auto line = [&](auto cell_of) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) {
        out += "  ";
      }
      out += pad(cell_of(i), widths[i], columns[i].numeric);
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    return out + "\n";
  };
  std::string out = bold + heading_line(report, options) + reset + "\n\n";
  out += bold + line([&](std::size_t i) { return columns[i].heading; });
  out.insert(out.size() - 1, reset);
  std::size_t rule = 0;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    rule += widths[i] + (i > 0 ? 2 : 0);
  }
  std::string dashes;
  for (std::size_t i = 0; i < rule; ++i) {
    dashes += "─";
  }
  out += dashes + "\n";
  for (std::size_t r = 0; r < report.rows.size(); ++r) {
    out += line([&](std::size_t i) { return columns[i].cells[r]; });
  }
  out += dashes + "\n";
  out += bold + line([&](std::size_t i) { return columns[i].total; });
  if (options.color) {
    out.insert(out.size() - 1, reset);
  }
  if (options.chart) {
    const ChartStyle style{options.width == 0 ? 80 : options.width, options.unicode, options.precision};
    out += "\n" + render_bar_chart(time_chart(report), style);
  }
  std::vector<std::string> notes = report.notes;
  if (auto note = rounding_note(report, options.precision); !note.empty()) {
    notes.push_back(note);
  }
  if (!notes.empty()) {
    out += "\nnotes:\n";
    for (const auto& note : notes) {
      out += "  - " + note + "\n";
    }
  }
  return out;
}

std::string markdown_escape(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_markdown(const Report& report, const RenderOptions& options)
{
  const auto columns = human_columns(report, options.precision);
  std::string out = "**" + heading_line(report, options) + "**\n\n|";
  for (const auto& c : columns) {
    out += " " + markdown_escape(c.heading) + " |";
  }
  out += "\n|";
  for (const auto& c : columns) {
    out += c.numeric ? " ---: |" : " --- |";
  }
  out += "\n";
  for (std::size_t r = 0; r < report.rows.size(); ++r) {
    out += "|";
    for (const auto& c : columns) {
      out += " " + markdown_escape(c.cells[r]) + " |";
    }
    out += "\n";
  }
  out += "|";
  for (const auto& c : columns) {
    out += c.total.empty() ? " |" : " **" + markdown_escape(c.total) + "** |";
  }
  out += "\n";
  std::vector<std::string> notes = report.notes;
  if (auto note = rounding_note(report, options.precision); !note.empty()) {
    notes.push_back(note);
  }
  if (!notes.empty()) {
    out += "\n";
    for (const auto& note : notes) {
      out += "- " + markdown_escape(note) + "\n";
    }
  }
  return out;
}

void render_csv(const Report& report, const TextSink& sink)
{
  ChunkedText out(sink);
  std::vector<std::string> header = report.key_names;
  const bool levers = any_levers(report);
  if (levers) {
    header.insert(header.end(), {"batch_share", "cache_hit_rate"});
  }
  for (const auto& m : measures()) {
    std::string name = m.json_key;
    if (std::string_view(m.json_group) == "tokens") {
      name += "_tokens";
    } else if (std::string_view(m.json_group) == "cost") {
      name += "_cost";
    }
    header.push_back(name);
  }
  header.emplace_back("currency");
  for (std::size_t i = 0; i < header.size(); ++i) {
    out.put(i > 0 ? "," : "");
    out.put(csv_escape(header[i]));
  }
  out.put('\n');
  auto emit = [&](const std::vector<std::string>& keys, auto value_of, const ReportRow* row) {
    const bool is_total = row == nullptr;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      out.put(i > 0 ? "," : "");
      out.put(csv_escape(keys[i]));
    }
    if (levers) {
      out.put(',');
      out.put(row != nullptr ? share_text(row->batch_share()) : std::string());
      out.put(',');
      out.put(row != nullptr && row->cache_lever ? share_text(row->cache_hit_rate()) : std::string());
    }
    for (const auto& m : measures()) {
      out.put(',');
      if (is_total && std::string_view(m.json_key) == "media_units") {
        continue; // units differ by model: no meaningful total
      }
      out.put(m.money ? value_of(m).to_exact_string(2) : value_of(m).to_exact_string(0));
    }
    out.put(',');
    out.put(report.currency);
    out.put('\n');
  };
  for (const auto& row : report.rows) {
    emit(
        row.keys, [&](const Measure& m) { return m.get(row); }, &row);
  }
  std::vector<std::string> total_keys(report.key_names.size());
  if (!total_keys.empty()) {
    total_keys[0] = "TOTAL";
  }
  emit(
      total_keys, [&](const Measure& m) { return m.get_total(report); }, nullptr);
  out.finish();
}

// The page's summary: the total, the largest models, the period and, for
// usage over part of a month, the month at the same daily rate (budget's
// projection: period_days).
std::vector<SummaryItem> report_summary(const Report& report, const BarChart& by_model, int precision)
{
  const Decimal total = report.total_cost.total();
  std::vector<SummaryItem> items{{"total" + (report.period.empty() ? std::string() : " per " + report.period),
                                  format_money(total, precision), total.to_exact_string(2), ""}};
  for (std::size_t i = 0; i < by_model.bars.size() && i < 3; ++i) {
    const ChartBar& bar = by_model.bars[i];
    const std::string share =
        total.is_zero() ? "" : " (" + bar.value.mul_div(Decimal::from_int(100), total).to_string(1) + "%)";
    items.push_back({bar.label, format_money(bar.value, precision) + share, bar.value.to_exact_string(2), ""});
  }
  if (report.has_records && report.first_day && report.last_day) {
    const Day days = *report.last_day - *report.first_day + 1;
    items.push_back({"usage",
                     fmt::format("{} to {} ({} day{})", format_date(*report.first_day), format_date(*report.last_day),
                                 days, days == 1 ? "" : "s"),
                     "", ""});
    const Decimal month = period_days(Period::month);
    if (Decimal::from_int(days) < month) {
      const Decimal projected = total.mul_div(month, Decimal::from_int(days));
      items.push_back({fmt::format("a month ({} days) at this rate", month.to_string(4)),
                       format_money(projected, precision), projected.to_exact_string(2), ""});
    }
  }
  if (report.has_records) {
    items.push_back({"records",
                     fmt::format("{} read, {} priced, {} rejected", report.records.read, report.records.priced,
                                 report.records.rejected),
                     "", report.records.rejected > 0 ? "fail" : ""});
  }
  return items;
}

// Cost per time bucket stacked by model (provider/model), else by the first
// other --by key: the six largest and "other", one colour each.
StackedChart stacked_time_chart(const Report& report)
{
  auto index = [&](std::initializer_list<const char*> names) {
    for (std::size_t k = 0; k < report.key_names.size(); ++k) {
      for (const char* name : names) {
        if (report.key_names[k] == name) {
          return k;
        }
      }
    }
    return report.key_names.size();
  };
  const std::size_t none = report.key_names.size();
  const std::size_t time = index({"day", "week", "month"});
  if (time == none) {
    return {};
  }
  const std::size_t model = index({"model"});
  const std::size_t provider = index({"provider"});
  std::size_t series = model;
  for (std::size_t k = 0; series == none && k < report.key_names.size(); ++k) {
    if (k != time) {
      series = k;
    }
  }
  std::map<std::string, std::map<std::string, Decimal>> sums;
  for (const auto& row : report.rows) {
    std::string label = series == none ? "total" : row.keys[series];
    if (series == model && provider != none) {
      label = row.keys[provider] + "/" + label;
    }
    sums[label][row.keys[time]] += row.cost.total();
  }
  const std::string by = series == none ? "" : " by " + report.key_names[series];
  return stack_top(fmt::format("cost per {}{} ({})", report.key_names[time], by, report.currency), sums, 6);
}

// A summary, the cost over time (when grouped by day, week or month) stacked
// by model and the cost by model as inline SVG, then the same columns and
// totals as the table, exact amounts in the cells' titles.
std::string render_html(const Report& report, const RenderOptions& options)
{
  const auto columns = human_columns(report, options.precision);
  TextTable table;
  CellTitles titles(report.rows.size() + 1);
  for (const auto& c : columns) {
    table.headers.push_back(c.heading);
    table.numeric.push_back(c.numeric);
  }
  for (std::size_t r = 0; r <= report.rows.size(); ++r) {
    std::vector<std::string> cells;
    for (const auto& c : columns) {
      const bool total = r == report.rows.size();
      cells.push_back(total ? c.total : c.cells[r]);
      titles[r].push_back(c.exact.empty() ? "" : total ? c.total_exact : c.exact[r]);
    }
    table.rows.push_back(std::move(cells));
  }
  const std::string heading = "llmcost " + heading_line(report, options);
  std::string body = "<h1>" + html_escape(heading) + "</h1>\n";
  const BarChart by_model = model_chart(report);
  body += html_summary(report_summary(report, by_model, options.precision));
  const StackedChart over_time = stacked_time_chart(report);
  if (!over_time.columns.empty()) {
    body += html_section("Cost over time", svg_stacked_column_chart(over_time, options.precision));
  }
  // A model keeps its colour from the chart above when both charts are by it.
  std::size_t coloured = 0;
  while (coloured < over_time.series.size() && coloured < by_model.bars.size() &&
         over_time.series[coloured] == by_model.bars[coloured].label) {
    ++coloured;
  }
  if (coloured == 1 && over_time.series.size() == 1) {
    coloured = 0; // one series: the chart is one colour anyway
  }
  if (!by_model.bars.empty()) {
    body += html_section("Cost by " + by_model.title.substr(8, by_model.title.find(" (") - 8),
                         svg_bar_chart(by_model, options.precision, coloured));
  }
  body += html_section("Rows", html_table(table, true, titles), true);
  std::vector<std::string> notes = report.notes;
  if (auto note = rounding_note(report, options.precision); !note.empty()) {
    notes.push_back(note);
  }
  if (!notes.empty()) {
    body += html_section("Notes", html_notes(notes));
  }
  return html_page(heading, body);
}

// Where a member of a JSON row (or of the totals) takes its value from.
struct JsonSlot
{
  enum class Kind { key, levers, measure, tokens, cost };
  Kind kind;
  std::string_view name;
  std::size_t index = 0; // of the key, or of the measure
};

// A member set again keeps its place and takes the new value, as in an
// ordered JSON object: a --by name can be a member name too.
void set_slot(std::vector<JsonSlot>& slots, const JsonSlot& slot)
{
  const auto same = std::find_if(slots.begin(), slots.end(), [&](const JsonSlot& s) { return s.name == slot.name; });
  if (same != slots.end()) {
    *same = slot;
  } else {
    slots.push_back(slot);
  }
}

// The members of a row's usage and cost (or the totals'), in order:
// requests, tokens {...}, web_search_calls, media_units, cost {...}, total.
void add_usage_slots(std::vector<JsonSlot>& slots, bool totals)
{
  const auto& all = measures();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Measure& m = all[i];
    const std::string_view key = m.json_key;
    const std::string_view group = m.json_group;
    if (totals && key == "media_units") {
      continue; // units differ by model: no meaningful total
    }
    if (group == "tokens" || group == "cost") {
      continue; // members of their group's object
    }
    if (key == "total") {
      set_slot(slots, {JsonSlot::Kind::cost, "cost"});
    }
    set_slot(slots, {JsonSlot::Kind::measure, key, i});
    if (key == "requests") {
      set_slot(slots, {JsonSlot::Kind::tokens, "tokens"});
    }
  }
  set_slot(slots, {JsonSlot::Kind::tokens, "tokens"});
}

// The members of a row, with the levers member or without.
std::vector<JsonSlot> row_slots(const Report& report, bool levers)
{
  std::vector<JsonSlot> slots;
  for (std::size_t k = 0; k < report.key_names.size(); ++k) {
    set_slot(slots, {JsonSlot::Kind::key, report.key_names[k], k});
  }
  if (levers) {
    set_slot(slots, {JsonSlot::Kind::levers, "levers"});
  }
  add_usage_slots(slots, false);
  return slots;
}

std::string measure_text(const Measure& m, Decimal value)
{
  return m.money ? value.to_exact_string(2) : value.to_exact_string(0);
}

// A row's members (`row` null: the totals').
void write_slots(JsonWriter& w, const std::vector<JsonSlot>& slots, const Report& report, const ReportRow* row)
{
  const auto value_of = [&](const Measure& m) { return row != nullptr ? m.get(*row) : m.get_total(report); };
  const auto group_object = [&](std::string_view group) {
    w.begin_object();
    for (const auto& m : measures()) {
      if (std::string_view(m.json_group) == group) {
        w.name(m.json_key).string(measure_text(m, value_of(m)));
      }
    }
    w.end_object();
  };
  w.begin_object();
  for (const JsonSlot& slot : slots) {
    w.name(slot.name);
    switch (slot.kind) {
    case JsonSlot::Kind::key:
      w.string(row->keys[slot.index]);
      break;
    case JsonSlot::Kind::levers:
      w.begin_object();
      w.name("batch_share").string(share_text(row->batch_share()));
      if (row->cache_lever) {
        w.name("cache_hit_rate").string(share_text(row->cache_hit_rate()));
      }
      w.end_object();
      break;
    case JsonSlot::Kind::measure: {
      const Measure& m = measures()[slot.index];
      w.string(measure_text(m, value_of(m)));
      break;
    }
    case JsonSlot::Kind::tokens:
      group_object("tokens");
      break;
    case JsonSlot::Kind::cost:
      group_object("cost");
      break;
    }
  }
  w.end_object();
}

template <typename Map> void write_count_map(JsonWriter& w, const Map& counts)
{
  w.begin_object();
  for (const auto& [name, count] : counts) {
    w.name(name).number(count);
  }
  w.end_object();
}

void write_records(JsonWriter& w, const Report& report)
{
  w.begin_object();
  w.name("read").number(report.records.read);
  w.name("priced").number(report.records.priced);
  w.name("rejected").number(report.records.rejected);
  w.name("duplicates").number(report.records.duplicates);
  w.name("filtered").number(report.records.filtered);
  const RepeatedRequestIds& repeats = report.repeated_request_ids;
  w.name("repeated_request_ids").begin_object();
  w.name("checked").boolean(repeats.checked);
  w.name("rows_with_id").number(repeats.rows_with_id);
  w.name("repeated").number(repeats.repeated);
  w.name("first").begin_array();
  for (const auto& repeat : repeats.first) {
    w.begin_object();
    w.name("where").string(repeat.where);
    w.name("request_id").string(repeat.request_id);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.name("skipped_lines");
  write_count_map(w, report.records.skipped_lines);
  w.name("rejected_by_reason");
  write_count_map(w, report.records.rejected_by_reason);
  w.name("rejections").begin_array();
  for (const auto& r : report.records.first_rejections) {
    w.begin_object();
    w.name("where").string(r.where);
    w.name("reason").string(r.reason);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_strings(JsonWriter& w, const std::vector<std::string>& texts)
{
  w.begin_array();
  for (const auto& text : texts) {
    w.string(text);
  }
  w.end_array();
}

void render_json(const Report& report, const TextSink& sink)
{
  JsonWriter w(sink);
  w.begin_object();
  w.name("currency").string(report.currency);
  if (!report.period.empty()) {
    w.name("period").string(report.period);
  }
  w.name("group_by");
  write_strings(w, report.key_names);
  w.name("total").string(report.total_cost.total().to_exact_string(2));
  // Each row is written as it is reached: the document is never held whole.
  const std::vector<JsonSlot> plain_row = row_slots(report, false);
  const std::vector<JsonSlot> levers_row = row_slots(report, true);
  w.name("rows").begin_array();
  for (const auto& row : report.rows) {
    write_slots(w, row.has_levers() ? levers_row : plain_row, report, &row);
  }
  w.end_array();
  std::vector<JsonSlot> totals;
  add_usage_slots(totals, true);
  w.name("totals");
  write_slots(w, totals, report, nullptr);
  w.name("records");
  write_records(w, report);
  if (report.first_day && report.last_day) {
    w.name("observed").begin_object();
    w.name("first_day").string(format_date(*report.first_day));
    w.name("last_day").string(format_date(*report.last_day));
    w.end_object();
  }
  w.name("prices").begin_object();
  for (const auto& [model, text] : report.prices_used) {
    w.name(model).string(text);
  }
  w.end_object();
  w.name("notes");
  write_strings(w, report.notes);
  // Always empty (nothing ever filled it); the man page documents the key.
  w.name("warnings").begin_array();
  w.end_array();
  w.end_object();
  w.finish();
}

} // namespace

std::string render_record_summary(const Report& report)
{
  const auto& r = report.records;
  std::string out = fmt::format("records: {} read, {} priced, {} rejected", r.read, r.priced, r.rejected);
  if (r.duplicates > 0) {
    out += fmt::format(", {} duplicate{} dropped", r.duplicates, r.duplicates == 1 ? "" : "s");
  }
  if (r.filtered > 0) {
    out += fmt::format(", {} outside --since/--until", r.filtered);
  }
  if (report.repeated_request_ids.repeated > 0) {
    const std::uint64_t n = report.repeated_request_ids.repeated;
    out += fmt::format(", {} repeated request id{} (kept)", n, n == 1 ? "" : "s");
  }
  out += "\n";
  if (!report.repeated_request_ids.checked) {
    out += fmt::format("  {}\n", repeated_request_ids_note(report.repeated_request_ids));
  }
  for (const auto& [reason, count] : r.rejected_by_reason) {
    out += fmt::format("  rejected {}: {}\n", count, reason);
  }
  for (const auto& [reason, count] : r.skipped_lines) {
    out += fmt::format("  skipped {} line{} with no usage of {} own: {}\n", count, count == 1 ? "" : "s",
                       count == 1 ? "its" : "their", reason);
  }
  for (const auto& rej : r.first_rejections) {
    out += fmt::format("  {}: {}\n", rej.where, rej.reason);
  }
  return out;
}

void render_report(const Report& report, const RenderOptions& options, const TextSink& sink)
{
  switch (options.format) {
  case OutputFormat::table:
    sink(render_table(report, options));
    return;
  case OutputFormat::json:
    render_json(report, sink);
    return;
  case OutputFormat::csv:
    render_csv(report, sink);
    return;
  case OutputFormat::markdown:
    sink(render_markdown(report, options));
    return;
  case OutputFormat::html:
    sink(render_html(report, options));
    return;
  case OutputFormat::focus:
    break;
  }
  format_not_offered(options.format, "a report");
}

std::string render_report(const Report& report, const RenderOptions& options)
{
  std::string text;
  render_report(report, options, [&](std::string_view piece) { text += piece; });
  return text;
}

bool report_holds_records(OutputFormat format)
{
  switch (format) {
  case OutputFormat::json:
    return true;
  case OutputFormat::table:
  case OutputFormat::csv:
  case OutputFormat::markdown:
  case OutputFormat::html:
  case OutputFormat::focus:
    return false;
  }
  return false;
}

} // namespace llmcost
