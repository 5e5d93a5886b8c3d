#include "llmcost/budget_render.hpp"

#include "llmcost/html.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/text_table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace llmcost {

using nlohmann::json;

namespace {

std::string money(Decimal value, int precision)
{
  return format_money(value, precision);
}

std::string pct_text(const std::optional<Decimal>& pct)
{
  return pct ? (*pct > Decimal{} ? "+" : "") + pct->to_string(2) + "%" : "new";
}

json to_json(const BudgetResult& r)
{
  json j;
  j["currency"] = r.currency;
  j["period"] = r.period;
  j["verdict"] = r.pass() ? "pass" : "fail";
  j["failures"] = r.failures;
  j["total"] = r.total_with_tax.to_exact_string(2);
  j["total_before_tax"] = r.total.to_exact_string(2);
  j["tax"] = r.tax.to_exact_string(2);
  j["limit"] = r.limit ? json(r.limit->to_exact_string(2)) : json(nullptr);
  j["percent_of_limit"] = r.percent_of_limit ? json(r.percent_of_limit->to_string(2)) : json(nullptr);
  j["headroom"] = r.headroom ? json(r.headroom->to_exact_string(2)) : json(nullptr);
  if (!r.projection.empty()) {
    j["projection"] = r.projection;
  }
  j["group_by"] = r.key_names;
  json rows = json::array();
  for (const auto& line : r.lines) {
    json row;
    for (std::size_t k = 0; k < r.key_names.size(); ++k) {
      row[r.key_names[k]] = line.keys[k];
    }
    row["total"] = line.total.to_exact_string(2);
    row["tax"] = line.tax.to_exact_string(2);
    row["share_pct"] = line.share_pct.to_string(2);
    rows.push_back(row);
  }
  j["rows"] = rows;
  json tiers = json::array();
  for (const auto& t : r.tiers) {
    tiers.push_back({{"provider", t.provider},
                     {"tier", t.tier ? json(t.tier_name) : json(nullptr)},
                     {"min_purchase", t.tier ? json(t.min_purchase.to_exact_string(2)) : json(nullptr)},
                     {"binding", t.binding},
                     {"peak_rpm", t.peak_rpm.to_string(2)},
                     {"peak_tpm", t.peak_tpm.to_string(0)},
                     {"tokens_per_day", t.tokens_per_day.to_string(0)},
                     {"busiest_model", t.busiest_model},
                     {"busiest_model_rpm", t.busiest_model_rpm.to_string(2)},
                     {"derivation", t.derivation}});
  }
  j["tiers"] = tiers;
  if (r.runway) {
    const Runway& w = *r.runway;
    j["runway"] = {{"provider", w.provider},
                   {"balance", w.balance.to_exact_string(2)},
                   {"daily_burn", w.daily_burn.to_exact_string(2)},
                   {"days", w.days ? json(w.days->to_string(2)) : json(nullptr)},
                   {"runs_out", w.runs_out ? json(format_date(*w.runs_out)) : json(nullptr)},
                   {"shortfall", w.shortfall.to_exact_string(2)},
                   {"top_up", w.top_up}};
  } else {
    j["runway"] = nullptr;
  }
  json cmp = json::array();
  for (const auto& b : r.baseline) {
    cmp.push_back({{"key", b.key},
                   {"moved_from", b.moved_from.empty() ? json(nullptr) : json(b.moved_from)},
                   {"before", b.before ? json(b.before->to_exact_string(2)) : json(nullptr)},
                   {"after", b.after ? json(b.after->to_exact_string(2)) : json(nullptr)},
                   {"delta", b.delta.to_exact_string(2)},
                   {"delta_pct", b.delta_pct ? json(b.delta_pct->to_string(2)) : json(nullptr)},
                   {"breach", b.breach}});
  }
  j["baseline"] = cmp;
  j["price_changes"] = r.price_changes;
  j["model_changes"] = r.model_changes;
  j["notes"] = r.notes;
  return j;
}

TextTable lines_table(const BudgetResult& r, int precision)
{
  TextTable t;
  t.headers = r.key_names;
  t.headers.insert(t.headers.end(), {"per " + r.period + " $", "tax $", "share"});
  t.numeric.assign(r.key_names.size(), false);
  t.numeric.resize(t.headers.size(), true);
  for (const auto& line : r.lines) {
    auto row = line.keys;
    row.insert(row.end(),
               {money(line.total, precision), money(line.tax, precision), line.share_pct.to_string(1) + "%"});
    t.rows.push_back(row);
  }
  return t;
}

TextTable baseline_table(const BudgetResult& r, int precision)
{
  TextTable t;
  t.headers = {"", "before $", "after $", "delta $", "delta %", ""};
  t.numeric = {false, true, true, true, true, false};
  for (const auto& b : r.baseline) {
    const std::string key = b.moved_from.empty() ? b.key : fmt::format("{} (was {})", b.key, b.moved_from);
    t.rows.push_back({key, b.before ? money(*b.before, precision) : "-", b.after ? money(*b.after, precision) : "-",
                      format_signed_money(b.delta, precision), pct_text(b.delta_pct), b.breach ? "over" : ""});
  }
  return t;
}

TextTable tiers_table(const BudgetResult& r)
{
  TextTable t;
  t.headers = {"route", "needs tier", "unlock at $", "peak RPM", "peak TPM", "tokens/day", "binding limit"};
  t.numeric = {false, false, true, true, true, true, false};
  for (const auto& f : r.tiers) {
    t.rows.push_back({f.provider, f.tier ? f.tier_name : "none fits", f.tier ? money(f.min_purchase, 2) : "-",
                      group_thousands(f.peak_rpm.to_string(2)), group_thousands(f.peak_tpm.to_string(0)),
                      group_thousands(f.tokens_per_day.to_string(0)), f.binding});
  }
  return t;
}

std::string verdict(const BudgetResult& r)
{
  if (r.pass()) {
    return "PASS";
  }
  return fmt::format("FAIL: {}", fmt::join(r.failures, "; "));
}

// The aligned table, or Markdown (`md`): the same sections.
std::string render_text(const BudgetResult& r, const RenderOptions& options, bool md)
{
  const int p = options.precision;
  auto table = [&](const TextTable& t) { return md ? render_markdown_table(t) : render_aligned(t, options.width); };
  std::string out = md ? fmt::format("### llmcost budget: {}\n\n", verdict(r))
                       : fmt::format("budget per {} ({})\n\n", r.period, r.currency);
  if (!r.baseline.empty()) {
    out += table(baseline_table(r, p)) + "\n";
    for (const auto& change : r.model_changes) {
      out += (md ? "- model change: " : "model change: ") + change + "\n";
    }
    for (const auto& change : r.price_changes) {
      out += (md ? "- price change: " : "price change: ") + change + "\n";
    }
    if (!r.price_changes.empty() || !r.model_changes.empty()) {
      out += "\n";
    }
  }
  out += table(lines_table(r, p)) + "\n";
  out += fmt::format("{}total {}{} per {}", md ? "**" : "", money(r.total_with_tax, p), md ? "**" : "", r.period);
  if (!r.tax.is_zero()) {
    out += fmt::format(" (incl. tax {})", money(r.tax, p));
  }
  if (r.limit) {
    out += fmt::format("; limit {}: {}% used, headroom {}", money(*r.limit, p), r.percent_of_limit->to_string(1),
                       format_signed_money(*r.headroom, p));
  }
  out += md ? "\n\n" : "\n";
  if (!r.projection.empty()) {
    out += "projection: " + r.projection + "\n";
  }
  if (!r.tiers.empty()) {
    out += "\n" + table(tiers_table(r));
  }
  if (r.runway) {
    const Runway& w = *r.runway;
    out += fmt::format("\n{} balance {}: burn {} a day; ", w.provider, money(w.balance, p), money(w.daily_burn, 4));
    out += w.days ? fmt::format("lasts {} days{}", w.days->to_string(1),
                                w.runs_out ? fmt::format(", until {}", format_date(*w.runs_out)) : "")
                  : std::string("no spend");
    out += fmt::format("; to cover the {}: {}\n", r.period, w.top_up);
  }
  if (!r.notes.empty()) {
    out += "\nnotes:\n";
    for (const auto& n : r.notes) {
      out += "  - " + n + "\n";
    }
  }
  out += md ? "" : "\n" + verdict(r) + "\n";
  return out;
}

// A line's label in charts: its keys joined.
std::string line_label(const std::vector<std::string>& keys)
{
  return fmt::format("{}", fmt::join(keys, " / "));
}

std::vector<SummaryItem> budget_summary(const BudgetResult& r, int p)
{
  std::vector<SummaryItem> items{
      {"total per " + r.period, money(r.total_with_tax, p), r.total_with_tax.to_exact_string(2), ""}};
  if (!r.tax.is_zero()) {
    items.push_back({"of which tax", money(r.tax, p), r.tax.to_exact_string(2), ""});
  }
  if (r.limit) {
    const bool over = r.headroom && r.headroom->is_negative();
    items.push_back({"limit", money(*r.limit, p), r.limit->to_exact_string(2), ""});
    if (!r.limit->is_zero()) { // a share of nothing says nothing
      items.push_back(
          {"used of the limit", r.percent_of_limit->to_string(1) + "%", r.percent_of_limit->to_string(2) + "%", ""});
    }
    const Decimal beyond = over ? -*r.headroom : *r.headroom;
    items.push_back(
        {over ? "over the limit by" : "headroom", money(beyond, p), beyond.to_exact_string(2), over ? "fail" : ""});
  }
  if (r.runway) {
    const Runway& w = *r.runway;
    items.push_back({w.provider + " runway", w.days ? w.days->to_string(1) + " days" : "no spend",
                     w.days ? w.days->to_exact_string(0) + " days" : "", ""});
    if (w.runs_out) {
      items.push_back({"runs out on", format_date(*w.runs_out), "", ""});
    }
  }
  for (const auto& f : r.tiers) {
    items.push_back({f.provider + " tier", f.tier ? f.tier_name : "none fits", "", f.tier ? "" : "fail"});
  }
  items.push_back({"verdict", r.pass() ? "PASS" : "FAIL", "", r.pass() ? "pass" : "fail"});
  return items;
}

std::string budget_html(const BudgetResult& r, const RenderOptions& options)
{
  const int p = options.precision;
  const std::string heading = fmt::format("llmcost budget per {} ({})", r.period, r.currency);
  std::string body = "<h1>" + html_escape(heading) + "</h1>\n";
  if (!r.projection.empty()) {
    body += "<p class=\"sub\">projection: " + html_escape(r.projection) + "</p>\n";
  }
  body += html_verdict(r.pass(), verdict(r));
  body += html_summary(budget_summary(r, p));
  if (r.limit) {
    std::string text = fmt::format("{} of {} per {}", money(r.total_with_tax, p), money(*r.limit, p), r.period);
    if (!r.limit->is_zero()) {
      text += fmt::format(": {}% of the limit", r.percent_of_limit->to_string(1));
    }
    body += html_section("Spend against the limit",
                         svg_limit_bar(fmt::format("spend per {} against the limit ({})", r.period, r.currency),
                                       r.total_with_tax, *r.limit, p) +
                             "<p>" + html_escape(text) + "</p>\n");
  }
  TextTable lines = lines_table(r, p);
  CellTitles line_titles;
  BarChart by_line;
  by_line.title = fmt::format("per {} by {} ({})", r.period, fmt::join(r.key_names, " / "), r.currency);
  for (const auto& line : r.lines) {
    std::vector<std::string> titles(r.key_names.size());
    titles.insert(titles.end(), {line.total.to_exact_string(2), line.tax.to_exact_string(2), ""});
    line_titles.push_back(std::move(titles));
    by_line.bars.push_back({line_label(line.keys), line.total + line.tax});
  }
  body += html_section("Spend per " + r.period, (by_line.bars.size() > 1 ? svg_bar_chart(by_line, p) : std::string()) +
                                                    html_table(lines, false, line_titles));
  if (!r.baseline.empty()) {
    BarChart deltas;
    deltas.title = fmt::format("change against the baseline ({})", r.currency);
    CellTitles titles;
    for (const auto& b : r.baseline) {
      if (b.key != "total") {
        deltas.bars.push_back({b.key, b.delta});
      }
      titles.push_back({"", b.before ? b.before->to_exact_string(2) : "", b.after ? b.after->to_exact_string(2) : "",
                        b.delta.to_exact_string(2), b.delta_pct ? b.delta_pct->to_exact_string(2) + "%" : "", ""});
    }
    std::vector<std::string> changes;
    for (const auto& change : r.model_changes) {
      changes.push_back("model change: " + change);
    }
    for (const auto& change : r.price_changes) {
      changes.push_back("price change: " + change);
    }
    const bool total_row = r.baseline.back().key == "total";
    body += html_section("Against the baseline", svg_signed_bar_chart(deltas, p) +
                                                     html_table(baseline_table(r, p), total_row, titles) +
                                                     html_notes(changes));
  }
  if (!r.tiers.empty()) {
    std::vector<std::string> how;
    for (const auto& f : r.tiers) {
      how.push_back(f.provider + ": " + f.derivation);
    }
    body += html_section("Rate-limit tier",
                         html_table(tiers_table(r), false, {}, {false, false, false, false, false, false, true}) +
                             html_notes(how));
  }
  if (r.runway) {
    const Runway& w = *r.runway;
    std::vector<SummaryItem> items{
        {"balance", money(w.balance, p), w.balance.to_exact_string(2), ""},
        {"burn a day", money(w.daily_burn, 4), w.daily_burn.to_exact_string(2), ""},
        {"lasts", w.days ? w.days->to_string(1) + " days" : "no spend", "", ""},
        {"runs out on", w.runs_out ? format_date(*w.runs_out) : "-", "", ""},
        {"short for the " + r.period, money(w.shortfall, p), w.shortfall.to_exact_string(2),
         w.shortfall.is_zero() ? "" : "fail"},
    };
    body +=
        html_section(w.provider + " credit runway", html_summary(items) + "<p>To cover the " + html_escape(r.period) +
                                                        ": " + html_escape(w.top_up) + "</p>\n");
  }
  if (!options.inputs.empty() || options.catalog != nullptr) {
    std::string read = html_file_list(options.inputs);
    if (options.catalog != nullptr) {
      // The routes the lines are on, when they are by route; else every card.
      std::vector<std::string> routes;
      const auto provider = std::find(r.key_names.begin(), r.key_names.end(), "provider");
      if (provider != r.key_names.end()) {
        for (const auto& line : r.lines) {
          const std::string& route = line.keys[static_cast<std::size_t>(provider - r.key_names.begin())];
          if (std::find(routes.begin(), routes.end(), route) == routes.end()) {
            routes.push_back(route);
          }
        }
      }
      read += html_cards(*options.catalog, routes);
    }
    body += html_section("Inputs read", read);
  }
  if (!r.notes.empty()) {
    body += html_section("Notes", html_notes(r.notes));
  }
  return html_page(heading, body);
}

} // namespace

std::string render_budget(const BudgetResult& r, const RenderOptions& options)
{
  switch (options.format) {
  case OutputFormat::json:
    return dump_json(to_json(r));
  case OutputFormat::csv:
    return render_csv_table(r.baseline.empty() ? lines_table(r, 12) : baseline_table(r, 12));
  case OutputFormat::table:
    return render_text(r, options, false);
  case OutputFormat::markdown:
    return render_text(r, options, true);
  case OutputFormat::html:
    return budget_html(r, options);
  case OutputFormat::focus:
    break; // refused when the command line is parsed
  }
  format_not_offered(options.format, "budget");
}

} // namespace llmcost
