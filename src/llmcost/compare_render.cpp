#include "llmcost/chart.hpp"
#include "llmcost/compare.hpp"
#include "llmcost/html.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/text_table.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace llmcost {

using nlohmann::ordered_json;

namespace {

TextTable group_table(const CompareResult& r, const std::string& group, int precision)
{
  TextTable t;
  t.headers = {"rank",   "alternative", "input $", "cached $", "output $",
               "fees $", "media $",     "total $", "vs as is", ""};
  t.numeric = {true, false, true, true, true, true, true, true, true, false};
  int rank = 0;
  for (const auto& a : r.alternatives) {
    if (a.group != group) {
      continue;
    }
    const bool is_baseline = a.kind == "baseline";
    std::vector<std::string> row{is_baseline ? "" : a.cost ? std::to_string(++rank) : "-", a.name};
    if (a.cost) {
      for (Decimal v : {a.cost->input, a.cost->cached_input, a.cost->output, a.cost->fees, a.cost->media}) {
        row.push_back(format_money(v, precision));
      }
      row.push_back(format_money(a.cost->total(), precision));
      row.push_back(is_baseline ? ""
                                : format_signed_money(a.delta, precision) +
                                      (a.delta_pct ? " (" + format_signed_money(*a.delta_pct, 1) + "%)" : ""));
      row.emplace_back(a.cheapest ? "<- cheapest" : "");
    } else {
      row.insert(row.end(), {"n/a", "", "", "", "", "", "", a.na_reason});
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<std::string> groups_of(const CompareResult& r)
{
  std::vector<std::string> groups;
  for (const auto& a : r.alternatives) {
    if (std::find(groups.begin(), groups.end(), a.group) == groups.end()) {
      groups.push_back(a.group);
    }
  }
  return groups;
}

ordered_json to_json(const CompareResult& r)
{
  ordered_json j;
  j["currency"] = r.currency;
  if (!r.period.empty()) {
    j["period"] = r.period;
  }
  ordered_json levers = ordered_json::object();
  if (r.levers.batch_share) {
    levers["batch_share"] = r.levers.batch_share->to_exact_string(0);
  }
  if (r.levers.cache_hit_rate) {
    levers["cache_hit_rate"] = r.levers.cache_hit_rate->to_exact_string(0);
  }
  if (r.levers.max_output) {
    levers["max_output"] = r.levers.max_output->to_exact_string(0);
  }
  levers["no_web_search"] = r.levers.no_web_search;
  j["levers"] = levers;
  ordered_json list = ordered_json::array();
  ordered_json rows = ordered_json::array();
  std::string total_text;
  for (const auto& a : r.alternatives) {
    ordered_json alt;
    alt["group"] = a.group;
    alt["name"] = a.name;
    alt["definition"] = {{"kind", a.kind}, {"provider", a.provider}, {"model", a.model}, {"levers", a.levers_applied}};
    alt["provider"] = a.provider;
    alt["model"] = a.model;
    if (a.cost) {
      alt["cost"] = {{"input", a.cost->input.to_exact_string(2)},
                     {"cached_input", a.cost->cached_input.to_exact_string(2)},
                     {"output", a.cost->output.to_exact_string(2)},
                     {"fees", a.cost->fees.to_exact_string(2)},
                     {"media", a.cost->media.to_exact_string(2)}};
      alt["total"] = a.cost->total().to_exact_string(2);
      alt["delta"] = a.delta.to_exact_string(2);
      alt["delta_pct"] = a.delta_pct ? ordered_json(a.delta_pct->to_string(2)) : ordered_json(nullptr);
      alt["cheapest"] = a.cheapest;
    } else {
      alt["na"] = a.na_reason;
    }
    if (a.kind == "baseline") {
      rows.push_back({{"group", a.group},
                      {"provider", a.provider},
                      {"model", a.model},
                      {"total", a.cost ? ordered_json(a.cost->total().to_exact_string(2)) : ordered_json(nullptr)}});
    } else {
      list.push_back(std::move(alt));
    }
  }
  Decimal baseline_total;
  for (const auto& a : r.alternatives) {
    if (a.kind == "baseline" && a.cost) {
      baseline_total += a.cost->total();
    }
  }
  j["total"] = baseline_total.to_exact_string(2); // the usage as it is
  j["rows"] = rows;
  j["alternatives"] = list;
  if (r.records) {
    const RecordCounts& c = *r.records;
    ordered_json rejections = ordered_json::array();
    for (const auto& x : c.first_rejections) {
      rejections.push_back({{"where", x.where}, {"reason", x.reason}});
    }
    j["records"] = {{"read", c.read},
                    {"priced", c.priced},
                    {"rejected", c.rejected},
                    {"duplicates", c.duplicates},
                    {"filtered", c.filtered},
                    {"skipped_lines", c.skipped_lines},
                    {"rejected_by_reason", c.rejected_by_reason},
                    {"rejections", rejections}};
  }
  j["notes"] = r.notes;
  return j;
}

// Per group: the cost as it is and the cheapest alternative, with the saving.
std::vector<SummaryItem> compare_summary(const CompareResult& r, int precision)
{
  std::vector<SummaryItem> items;
  const std::string per = r.period.empty() ? "" : " per " + r.period;
  for (const auto& group : groups_of(r)) {
    const std::string prefix = groups_of(r).size() > 1 ? group + ": " : "";
    for (const auto& a : r.alternatives) {
      if (a.group != group || !a.cost) {
        continue;
      }
      if (a.kind == "baseline") {
        items.push_back(
            {prefix + "as is" + per, format_money(a.cost->total(), precision), a.cost->total().to_exact_string(2), ""});
      } else if (a.cheapest) {
        items.push_back({prefix + "cheapest: " + a.name,
                         format_money(a.cost->total(), precision) + " (" + format_signed_money(a.delta, precision) +
                             (a.delta_pct ? ", " + format_signed_money(*a.delta_pct, 1) + "%" : "") + ")",
                         a.cost->total().to_exact_string(2), ""});
      }
    }
  }
  return items;
}

std::string render_compare_html(const CompareResult& r, const RenderOptions& options)
{
  std::string body = "<h1>llmcost compare (" + html_escape(r.currency) + ")</h1>\n";
  body += html_summary(compare_summary(r, options.precision));
  for (const auto& group : groups_of(r)) {
    const TextTable table = group_table(r, group, options.precision);
    CellTitles titles;
    for (const auto& a : r.alternatives) {
      if (a.group != group) {
        continue;
      }
      std::vector<std::string> row(2);
      if (a.cost) {
        for (Decimal v :
             {a.cost->input, a.cost->cached_input, a.cost->output, a.cost->fees, a.cost->media, a.cost->total()}) {
          row.push_back(v.to_exact_string(2));
        }
      }
      titles.push_back(std::move(row));
    }
    body += html_section(
        group + (r.period.empty() ? "" : ", per " + r.period),
        svg_bar_chart(compare_chart(r, group), options.precision) +
            html_table(table, false, titles, {false, false, false, false, false, false, false, false, false, true}));
  }
  if (!r.notes.empty()) {
    body += html_section("Notes", html_notes(r.notes));
  }
  return html_page("llmcost compare", body);
}

} // namespace

BarChart compare_chart(const CompareResult& r, const std::string& group)
{
  BarChart chart;
  chart.title = fmt::format("{}: total per alternative ({})", group, r.currency);
  for (const auto& a : r.alternatives) {
    if (a.group == group && a.cost) {
      chart.bars.push_back({a.name, a.cost->total()});
    }
  }
  return chart;
}

namespace {

std::string render_compare_csv(const CompareResult& r)
{
  TextTable t;
  t.headers = {"group", "alternative", "kind",  "provider",  "model",    "input", "cached_input", "output", "fees",
               "media", "total",       "delta", "delta_pct", "cheapest", "na"};
  for (const auto& a : r.alternatives) {
    if (a.cost) {
      t.rows.push_back({a.group, a.name, a.kind, a.provider, a.model, a.cost->input.to_exact_string(2),
                        a.cost->cached_input.to_exact_string(2), a.cost->output.to_exact_string(2),
                        a.cost->fees.to_exact_string(2), a.cost->media.to_exact_string(2),
                        a.cost->total().to_exact_string(2), a.delta.to_exact_string(2),
                        a.delta_pct ? a.delta_pct->to_string(2) : "", a.cheapest ? "true" : "false", ""});
    } else {
      t.rows.push_back(
          {a.group, a.name, a.kind, a.provider, a.model, "", "", "", "", "", "", "", "", "false", a.na_reason});
    }
  }
  return render_csv_table(t);
}

// One table per group, then the notes: aligned (with charts) or Markdown.
std::string render_compare_tables(const CompareResult& r, const RenderOptions& options, bool md)
{
  std::string out;
  for (const auto& group : groups_of(r)) {
    const std::string title =
        fmt::format("compare: {}{} ({})", group, r.period.empty() ? "" : ", per " + r.period, r.currency);
    out += md ? "**" + title + "**\n\n" + render_markdown_table(group_table(r, group, options.precision))
              : title + "\n\n" + render_aligned(group_table(r, group, options.precision), options.width);
    out += "\n";
    if (options.chart && !md) {
      const ChartStyle style{options.width == 0 ? 80 : options.width, options.unicode, options.precision};
      out += render_bar_chart(compare_chart(r, group), style) + "\n";
    }
  }
  if (!r.notes.empty()) {
    out += md ? "" : "notes:\n";
    for (const auto& note : r.notes) {
      out += (md ? "- " : "  - ") + note + "\n";
    }
  }
  return out;
}

} // namespace

std::string render_compare(const CompareResult& r, const RenderOptions& options)
{
  switch (options.format) {
  case OutputFormat::table:
    return render_compare_tables(r, options, false);
  case OutputFormat::json:
    return dump_json(to_json(r));
  case OutputFormat::csv:
    return render_compare_csv(r);
  case OutputFormat::markdown:
    return render_compare_tables(r, options, true);
  case OutputFormat::html:
    return render_compare_html(r, options);
  case OutputFormat::focus:
    break;
  }
  format_not_offered(options.format, "compare");
}

} // namespace llmcost
