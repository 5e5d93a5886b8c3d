#include "llmcost/date.hpp"
#include "llmcost/error.hpp"
#include "llmcost/html.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/reconcile.hpp"
#include "llmcost/text_table.hpp"
#include "llmcost/timestamp.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace llmcost {

using nlohmann::ordered_json;

namespace {

Decimal magnitude(Decimal value)
{
  return value.is_negative() ? -value : value;
}

std::string pct(Decimal part, Decimal whole)
{
  if (whole.is_zero()) {
    return "n/a";
  }
  return part.mul_div(Decimal::from_int(100), magnitude(whole)).to_string(2) + "%";
}

// Decimals that show `value` as non-zero, at least `floor`: a real difference
// (a missing $0.005 fee) must never read 0.00.
int places_for(Decimal value, int floor)
{
  int places = floor;
  while (places < Decimal::k_scale_digits && !value.is_zero() && value.round(places).is_zero()) {
    ++places;
  }
  return places;
}

// One count of decimals for a column, so its figures stay aligned.
int column_places(const std::vector<Decimal>& values, int floor)
{
  int places = floor;
  for (const Decimal& value : values) {
    places = std::max(places, places_for(value, floor));
  }
  return places;
}

std::vector<const Discrepancy*> largest(const ReconcileResult& r, std::size_t top)
{
  std::vector<const Discrepancy*> list;
  for (const auto& d : r.discrepancies) {
    list.push_back(&d);
  }
  std::stable_sort(list.begin(), list.end(), [](const Discrepancy* a, const Discrepancy* b) {
    return magnitude(a->variance) > magnitude(b->variance);
  });
  if (list.size() > top) {
    list.resize(top);
  }
  return list;
}

// ISO 8601 UTC ("2026-01-05T09:05:00Z"), or empty for an undated row.
std::string utc_time(const std::optional<std::int64_t>& time)
{
  if (!time) {
    return "";
  }
  const std::int64_t seconds = ((*time % 86400) + 86400) % 86400;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(day_at_offset(*time, 0)), seconds / 3600, seconds / 60 % 60,
                     seconds % 60);
}

std::string where_of(const Discrepancy& d)
{
  return fmt::format("{}:{}", d.file, d.line);
}

TextTable groups_table(const ReconcileResult& r, int precision)
{
  TextTable t;
  t.headers = r.key_names;
  for (const char* h : {"rows", "discrepant", "billed $", "expected $", "variance $", "variance %"}) {
    t.headers.emplace_back(h);
  }
  t.numeric.assign(r.key_names.size(), false);
  t.numeric.resize(t.headers.size(), true);
  std::vector<Decimal> variances;
  for (const auto& g : r.groups) {
    variances.push_back(g.variance());
  }
  const int variance_places = column_places(variances, precision);
  for (const auto& g : r.groups) {
    std::vector<std::string> row = g.keys;
    row.push_back(group_thousands(std::to_string(g.rows)));
    row.push_back(group_thousands(std::to_string(g.discrepant)));
    row.push_back(format_money(g.billed, precision));
    row.push_back(format_money(g.expected, precision));
    row.push_back(format_signed_money(g.variance(), variance_places));
    row.push_back(pct(g.variance(), g.expected));
    t.rows.push_back(std::move(row));
  }
  return t;
}

TextTable causes_table(const ReconcileResult& r, int precision)
{
  TextTable t;
  t.headers = {"cause", "rows", "variance $"};
  t.numeric = {false, true, true};
  std::vector<Decimal> variances;
  for (const auto& [cause, total] : r.by_cause) {
    variances.push_back(total.variance);
  }
  const int places = column_places(variances, precision);
  for (const auto& [cause, total] : r.by_cause) {
    t.rows.push_back({cause, group_thousands(std::to_string(total.rows)), format_signed_money(total.variance, places)});
  }
  return t;
}

TextTable discrepancy_table(const ReconcileResult& r, std::size_t top, int precision)
{
  TextTable t;
  t.headers = {"where", "request id", "route/model", "expected $", "billed $", "variance $", "cause"};
  t.numeric = {false, false, false, true, true, true, false};
  const std::vector<const Discrepancy*> listed = largest(r, top);
  std::vector<Decimal> variances;
  for (const Discrepancy* d : listed) {
    variances.push_back(d->variance);
  }
  const int variance_places = column_places(variances, std::max(precision, 6));
  for (const Discrepancy* d : listed) {
    t.rows.push_back({where_of(*d), d->request_id, d->provider + "/" + d->model,
                      d->expected ? format_money(*d->expected, std::max(precision, 6)) : "-",
                      format_money(d->billed, std::max(precision, 6)),
                      format_signed_money(d->variance, variance_places),
                      d->cause + (d->detail.empty() ? "" : ": " + d->detail)});
  }
  return t;
}

std::string summary_lines(const ReconcileResult& r, int precision)
{
  std::string out;
  out += fmt::format("billed    {:>16}\n", format_money(r.billed_total, precision));
  out += fmt::format("expected  {:>16}\n", format_money(r.expected_total, precision));
  out += fmt::format("variance  {:>16}  ({} of expected)\n",
                     format_signed_money(r.variance(), places_for(r.variance(), precision)),
                     pct(r.variance(), r.expected_total));
  out += fmt::format("rounding  {:>16}  ({} row{} within the billed amount's precision; not discrepancies)\n",
                     format_signed_money(r.rounding_total, places_for(r.rounding_total, std::max(precision, 8))),
                     r.rounded_rows, r.rounded_rows == 1 ? "" : "s");
  // The invoice's figures as written, beside the exact billed sum and the
  // rounded figure they were compared with.
  for (const auto& line : r.invoice_lines) {
    out += fmt::format("  invoice line {:<24} {:>12}  export bills {} for {}; {} at {} decimals ({})\n", line.line,
                       line.invoiced.to_string(line.places), line.billed.to_exact_string(2), line.model,
                       line.billed_rounded.to_string(line.places), line.places,
                       format_signed_money(line.variance(), places_for(line.variance(), line.places)));
  }
  if (r.invoice_total) {
    const Decimal difference = *r.invoice_total - r.invoice_billed;
    out += fmt::format(
        "invoice   {:>16}  against the billed total {}, {} {} ({})\n", r.invoice_total->to_string(r.invoice_places),
        r.billed_total.to_exact_string(2), r.invoice_billed.to_string(r.invoice_places),
        r.invoice_from_lines ? std::string("rounded line by line") : fmt::format("at {} decimals", r.invoice_places),
        format_signed_money(difference, places_for(difference, r.invoice_places)));
  }
  return out;
}

// Rows without a billed amount were read but not checked: the verdict says
// so, so a PASS never covers them.
std::string unchecked_note(const ReconcileResult& r)
{
  if (r.unbilled == 0) {
    return "";
  }
  return fmt::format("; {} row{} not checked (no billed amount, the first at {}; --require-billed makes that an "
                     "error)",
                     r.unbilled, r.unbilled == 1 ? "" : "s", r.first_unbilled);
}

std::string verdict_line(const ReconcileResult& r)
{
  if (r.failures.empty()) {
    if (r.unbilled > 0) {
      return (r.discrepancies.empty() ? "PASS: every checked row matches the rate cards"
                                      : "PASS: every difference in the checked rows is within the tolerance") +
             unchecked_note(r);
    }
    return r.discrepancies.empty() ? "PASS: every row matches the rate cards"
                                   : "PASS: every difference is within the tolerance";
  }
  std::string out = "FAIL: ";
  for (std::size_t i = 0; i < r.failures.size(); ++i) {
    out += (i > 0 ? "; " : "") + r.failures[i];
  }
  return out + unchecked_note(r);
}

std::string records_line(const ReconcileResult& r)
{
  return fmt::format("rows: {} read, {} matched, {} discrepant, {} rejected{}{}", r.records.read, r.records.priced,
                     r.discrepancies.size(), r.records.rejected,
                     r.unbilled > 0 ? fmt::format(", {} without a billed amount (not reconciled)", r.unbilled) : "",
                     r.records.filtered > 0 ? fmt::format(", {} outside --since/--until", r.records.filtered) : "");
}

ordered_json to_json(const ReconcileResult& r)
{
  ordered_json j;
  j["currency"] = r.currency;
  j["verdict"] = r.failures.empty() ? "pass" : "fail";
  j["failures"] = r.failures;
  j["unchecked_rows"] = r.unbilled; // read without a billed amount: not covered by the verdict
  j["group_by"] = r.key_names;
  j["total"] = r.billed_total.to_exact_string(2);
  j["billed_total"] = r.billed_total.to_exact_string(2);
  j["expected_total"] = r.expected_total.to_exact_string(2);
  j["variance"] = r.variance().to_exact_string(2);
  j["variance_pct"] =
      r.expected_total.is_zero() ? ordered_json(nullptr) : ordered_json(pct(r.variance(), r.expected_total));
  j["rounding_total"] = r.rounding_total.to_exact_string(2);
  j["rounded_rows"] = r.rounded_rows;
  if (r.invoice_total) {
    j["invoice_total"] = r.invoice_total->to_exact_string(2);
    j["invoice_precision"] = r.invoice_places;
    j["invoice_billed"] = r.invoice_billed.to_exact_string(2); // billed_total as the invoice rounds it
    j["invoice_from_lines"] = r.invoice_from_lines;            // then rounded line by line
    j["invoice_variance"] = (*r.invoice_total - r.invoice_billed).to_exact_string(2);
  }
  ordered_json invoice = ordered_json::array();
  for (const auto& line : r.invoice_lines) {
    invoice.push_back({{"line", line.line},
                       {"model", line.model},
                       {"invoiced", line.invoiced.to_exact_string(2)},
                       {"precision", line.places},
                       {"billed", line.billed.to_exact_string(2)},
                       {"billed_rounded", line.billed_rounded.to_exact_string(2)},
                       {"variance", line.variance().to_exact_string(2)}});
  }
  j["invoice_lines"] = invoice;
  ordered_json rows = ordered_json::array();
  for (const auto& g : r.groups) {
    ordered_json row;
    for (std::size_t k = 0; k < r.key_names.size(); ++k) {
      row[r.key_names[k]] = g.keys[k];
    }
    row["rows"] = g.rows;
    row["discrepant"] = g.discrepant;
    row["billed"] = g.billed.to_exact_string(2);
    row["expected"] = g.expected.to_exact_string(2);
    row["variance"] = g.variance().to_exact_string(2);
    row["total"] = g.billed.to_exact_string(2);
    rows.push_back(std::move(row));
  }
  j["rows"] = std::move(rows);
  ordered_json causes = ordered_json::array();
  for (const auto& [cause, total] : r.by_cause) {
    causes.push_back({{"cause", cause}, {"rows", total.rows}, {"variance", total.variance.to_exact_string(2)}});
  }
  j["causes"] = std::move(causes);
  ordered_json list = ordered_json::array();
  for (const auto& d : r.discrepancies) {
    list.push_back({{"file", d.file},
                    {"line", d.line},
                    {"date", d.time ? ordered_json(utc_time(d.time)) : ordered_json(nullptr)},
                    {"request_id", d.request_id},
                    {"provider", d.provider},
                    {"model", d.model},
                    {"input_tokens", std::to_string(d.input_tokens)},
                    {"cached_input_tokens", std::to_string(d.cached_input_tokens)},
                    {"output_tokens", std::to_string(d.output_tokens)},
                    {"web_search_calls", std::to_string(d.web_search_calls)},
                    {"batch", d.batch},
                    {"expected", d.expected ? ordered_json(d.expected->to_exact_string(2)) : ordered_json(nullptr)},
                    {"billed", d.billed.to_exact_string(2)},
                    {"variance", d.variance.to_exact_string(2)},
                    {"cause", d.cause},
                    {"detail", d.detail},
                    {"exceeds_tolerance", d.exceeds_tolerance}});
  }
  j["discrepancies"] = std::move(list);
  const auto& rec = r.records;
  ordered_json records{{"read", rec.read},         {"matched", rec.priced},
                       {"priced", rec.priced},     {"discrepant", r.discrepancies.size()},
                       {"rejected", rec.rejected}, {"unbilled", r.unbilled},
                       {"filtered", rec.filtered}};
  ordered_json reasons = ordered_json::object();
  for (const auto& [reason, count] : rec.rejected_by_reason) {
    reasons[reason] = count;
  }
  records["rejected_by_reason"] = reasons;
  ordered_json rejections = ordered_json::array();
  for (const auto& x : rec.first_rejections) {
    rejections.push_back({{"where", x.where}, {"reason", x.reason}});
  }
  records["rejections"] = rejections;
  j["records"] = std::move(records);
  j["notes"] = r.notes;
  return j;
}

} // namespace

namespace {

std::string focus_time(Day day)
{
  return format_date(day) + "T00:00:00Z";
}

} // namespace

const std::vector<std::string>& focus_columns()
{
  // FOCUS 1.2 column IDs in alphabetical order (allowed by its Column
  // Handling attribute), then our custom columns with the x_ prefix it asks.
  static const std::vector<std::string> columns{"BilledCost",
                                                "BillingAccountId",
                                                "BillingAccountName",
                                                "BillingCurrency",
                                                "BillingPeriodEnd",
                                                "BillingPeriodStart",
                                                "ChargeCategory",
                                                "ChargeClass",
                                                "ChargeDescription",
                                                "ChargeFrequency",
                                                "ChargePeriodEnd",
                                                "ChargePeriodStart",
                                                "ConsumedQuantity",
                                                "ConsumedUnit",
                                                "ContractedCost",
                                                "ContractedUnitPrice",
                                                "EffectiveCost",
                                                "InvoiceIssuerName",
                                                "ListCost",
                                                "ListUnitPrice",
                                                "PricingQuantity",
                                                "PricingUnit",
                                                "ProviderName",
                                                "PublisherName",
                                                "ServiceCategory",
                                                "ServiceName",
                                                "SkuId",
                                                "SkuPriceId",
                                                "x_Batch",
                                                "x_Model",
                                                "x_TokenType"};
  return columns;
}

std::string render_focus(const ReconcileResult& r)
{
  // Charge and billing periods are UTC days and calendar months. An undated
  // row is given the span of the dated ones; with none dated there is no
  // period to give, and FOCUS requires one.
  std::optional<Day> first;
  std::optional<Day> last;
  bool undated = false;
  for (const auto& c : r.focus) {
    if (auto day = parse_date(c.day)) {
      first = first ? std::min(*first, *day) : *day;
      last = last ? std::max(*last, *day) : *day;
    } else {
      undated = true;
    }
  }
  if (undated && !first) {
    throw Error(Location{},
                "--format focus needs dated rows: FOCUS charges carry a charge period, and no row has a "
                "timestamp",
                "an export with a timestamp column, or --format csv or json");
  }
  TextTable t;
  t.headers = focus_columns();
  const Decimal million = Decimal::from_int(1'000'000);
  for (const auto& c : r.focus) {
    const bool usage = c.token_type != "rounding" && c.token_type != "discrepancy";
    const auto day = parse_date(c.day);
    const Day charge_start = day ? *day : *first;
    const Day charge_end = day ? *day + 1 : *last + 1;
    const Decimal pricing_quantity =
        c.pricing_unit == "1M Tokens" ? c.consumed.mul_div(Decimal::from_int(1), million) : c.consumed;
    std::string description;
    if (c.token_type == "rounding") {
      description = "rounding: billed amounts within their written precision of the rate card";
    } else if (c.token_type == "discrepancy") {
      description = fmt::format("discrepancy: {} (billed minus the rate card)", c.cause);
    } else if (c.token_type == "web_search") {
      description = "web search calls";
    } else if (c.token_type == "request_fee") {
      description = "per-request fee";
    } else {
      description = fmt::format("{} tokens{}", c.token_type, c.batch ? " (batch)" : "");
    }
    const std::string sku = fmt::format("{}/{}:{}", c.provider, c.model, c.token_type);
    const std::string unit_price = usage && c.unit_price ? c.unit_price->to_exact_string(2) : "";
    // Null (empty) where FOCUS 1.2 wants null: quantities, units, prices and
    // SKUs of adjustments; ChargeClass (no row corrects an earlier period).
    t.rows.push_back({c.billed_cost.to_exact_string(2),
                      c.provider,
                      c.provider_name,
                      r.currency,
                      focus_time(next_month_start(charge_end - 1)),
                      focus_time(month_start(charge_start)),
                      usage ? "Usage" : "Adjustment",
                      "",
                      description,
                      "Usage-Based",
                      focus_time(charge_end),
                      focus_time(charge_start),
                      usage ? c.consumed.to_exact_string(0) : "",
                      usage ? c.consumed_unit : "",
                      c.list_cost.to_exact_string(2),
                      unit_price,
                      c.billed_cost.to_exact_string(2),
                      c.provider_name,
                      c.list_cost.to_exact_string(2),
                      unit_price,
                      usage ? pricing_quantity.to_exact_string(0) : "",
                      usage ? c.pricing_unit : "",
                      c.provider_name,
                      c.provider_name,
                      "AI and Machine Learning",
                      "LLM inference",
                      usage ? sku : "",
                      usage ? sku + (c.batch ? ":batch" : "") : "",
                      c.batch ? "true" : "false",
                      c.model,
                      c.token_type});
  }
  return render_csv_table(t);
}

namespace {

// The rows to dispute, each with what a provider needs to check it: when,
// which request, the usage, and the amounts (exact).
std::string disputes_csv(const ReconcileResult& r)
{
  TextTable t;
  t.headers = {"file",          "line",
               "date",          "request_id",
               "provider",      "model",
               "input_tokens",  "cached_input_tokens",
               "output_tokens", "web_search_calls",
               "batch",         "billed",
               "expected",      "variance",
               "cause",         "detail"};
  for (const auto& d : r.discrepancies) {
    t.rows.push_back({d.file, std::to_string(d.line), utc_time(d.time), d.request_id, d.provider, d.model,
                      std::to_string(d.input_tokens), std::to_string(d.cached_input_tokens),
                      std::to_string(d.output_tokens), std::to_string(d.web_search_calls), d.batch ? "true" : "false",
                      d.billed.to_exact_string(2), d.expected ? d.expected->to_exact_string(2) : "",
                      d.variance.to_exact_string(2), d.cause, d.detail});
  }
  return render_csv_table(t);
}

std::string reconcile_markdown(const ReconcileResult& r, int precision, std::size_t top)
{
  std::string out = "**reconcile (" + r.currency + ")**: " + verdict_line(r) + "\n\n```\n" +
                    summary_lines(r, precision) + "```\n\n" + render_markdown_table(groups_table(r, precision));
  if (!r.by_cause.empty()) {
    out += "\n" + render_markdown_table(causes_table(r, precision));
    out += fmt::format("\nLargest discrepancies ({} of {}):\n\n", std::min(top, r.discrepancies.size()),
                       r.discrepancies.size());
    out += render_markdown_table(discrepancy_table(r, top, precision));
  }
  return out + "\n" + records_line(r) + "\n";
}

std::string reconcile_table(const ReconcileResult& r, const RenderOptions& options, std::size_t top)
{
  const int precision = options.precision;
  std::string out = fmt::format("reconcile ({})\n\n", r.currency) + summary_lines(r, precision) + "\n";
  out += render_aligned(groups_table(r, precision), options.width);
  if (!r.by_cause.empty()) {
    out += "\n" + render_aligned(causes_table(r, precision), options.width);
    out += fmt::format("\nlargest discrepancies ({} of {}; all of them with --format csv or json):\n",
                       std::min(top, r.discrepancies.size()), r.discrepancies.size());
    // Not fitted to the terminal: FILE:LINE stays whole, for editors to jump to.
    out += render_aligned(discrepancy_table(r, top, precision));
  }
  if (!r.notes.empty()) {
    out += "\nnotes:\n";
    for (const auto& note : r.notes) {
      out += "  - " + note + "\n";
    }
  }
  out += "\n" + records_line(r) + "\n";
  for (const auto& x : r.records.first_rejections) {
    out += fmt::format("  {}: {}\n", x.where, x.reason);
  }
  out += verdict_line(r) + "\n";
  return out;
}

// The exact figures behind a table's money columns, for the cells' titles.
CellTitles exact_titles(const TextTable& table, const std::vector<std::vector<std::optional<Decimal>>>& exact)
{
  CellTitles titles(table.rows.size());
  for (std::size_t r = 0; r < exact.size() && r < titles.size(); ++r) {
    for (const auto& value : exact[r]) {
      titles[r].push_back(value ? value->to_exact_string(2) : "");
    }
  }
  return titles;
}

// What the variance chart is by: "model" when the groups have one, else their first key.
std::string variance_dimension(const ReconcileResult& r)
{
  const bool by_model = std::find(r.key_names.begin(), r.key_names.end(), "model") != r.key_names.end();
  return by_model || r.key_names.empty() ? "model" : r.key_names.front();
}

// The groups' variance per provider/model (or per the first --by key).
BarChart model_variance_chart(const ReconcileResult& r)
{
  auto index = [&](const char* name) {
    const auto found = std::find(r.key_names.begin(), r.key_names.end(), name);
    return found == r.key_names.end() ? r.key_names.size() : static_cast<std::size_t>(found - r.key_names.begin());
  };
  const std::size_t model = index("model");
  const std::size_t provider = index("provider");
  BarChart chart;
  if (r.key_names.empty()) {
    return chart;
  }
  const bool by_model = model < r.key_names.size();
  chart.title = fmt::format("variance by {} ({})", variance_dimension(r), r.currency);
  std::map<std::string, Decimal> sums;
  for (const auto& g : r.groups) {
    std::string label = by_model ? g.keys[model] : g.keys.front();
    if (by_model && provider < r.key_names.size()) {
      label = g.keys[provider] + "/" + label;
    }
    sums[label] += g.variance();
  }
  for (const auto& [label, variance] : sums) {
    chart.bars.push_back({label, variance});
  }
  std::stable_sort(chart.bars.begin(), chart.bars.end(),
                   [](const ChartBar& a, const ChartBar& b) { return magnitude(a.value) > magnitude(b.value); });
  return chart;
}

BarChart cause_variance_chart(const ReconcileResult& r)
{
  BarChart chart;
  chart.title = fmt::format("variance by cause ({})", r.currency);
  for (const auto& [cause, total] : r.by_cause) {
    chart.bars.push_back({cause, total.variance});
  }
  std::stable_sort(chart.bars.begin(), chart.bars.end(),
                   [](const ChartBar& a, const ChartBar& b) { return magnitude(a.value) > magnitude(b.value); });
  return chart;
}

std::vector<SummaryItem> reconcile_summary(const ReconcileResult& r, int precision)
{
  const Decimal variance = r.variance();
  std::vector<SummaryItem> items{
      {"billed", format_money(r.billed_total, precision), r.billed_total.to_exact_string(2), ""},
      {"expected (rate cards)", format_money(r.expected_total, precision), r.expected_total.to_exact_string(2), ""},
      {"variance",
       format_signed_money(variance, places_for(variance, precision)) + " (" + pct(variance, r.expected_total) + ")",
       variance.to_exact_string(2), ""},
      {fmt::format("rounding ({} row{})", r.rounded_rows, r.rounded_rows == 1 ? "" : "s"),
       format_signed_money(r.rounding_total, places_for(r.rounding_total, std::max(precision, 8))),
       r.rounding_total.to_exact_string(2), ""},
  };
  if (r.invoice_total) {
    const Decimal difference = *r.invoice_total - r.invoice_billed;
    items.push_back({"invoice",
                     r.invoice_total->to_string(r.invoice_places) + " vs " +
                         r.invoice_billed.to_string(r.invoice_places) + " (" +
                         format_signed_money(difference, places_for(difference, r.invoice_places)) + ")",
                     "", ""});
  }
  items.push_back({"verdict", r.failures.empty() ? "PASS" : "FAIL", "", r.failures.empty() ? "pass" : "fail"});
  return items;
}

// A discrepancy's usage in one cell: "1,000 in (800 cached), 300 out".
std::string tokens_text(const Discrepancy& d)
{
  std::string out = group_thousands(std::to_string(d.input_tokens)) + " in";
  if (d.cached_input_tokens > 0) {
    out += " (" + group_thousands(std::to_string(d.cached_input_tokens)) + " cached)";
  }
  out += ", " + group_thousands(std::to_string(d.output_tokens)) + " out";
  if (d.web_search_calls > 0) {
    out += fmt::format(", {} web search{}", group_thousands(std::to_string(d.web_search_calls)),
                       d.web_search_calls == 1 ? "" : "es");
  }
  return out;
}

// Every discrepancy's row, largest first, with what a dispute needs.
std::string discrepancies_html(const ReconcileResult& r, std::size_t top, int precision)
{
  const std::vector<const Discrepancy*> listed = largest(r, top);
  TextTable t;
  // The figures and the cause first, within a screen's width; FILE:LINE last.
  t.headers = {"date", "request id", "route/model", "tokens", "billed $", "expected $", "variance $", "cause", "where"};
  t.numeric = {false, false, false, false, true, true, true, false, false};
  std::vector<Decimal> variances;
  for (const Discrepancy* d : listed) {
    variances.push_back(d->variance);
  }
  const int money_places = std::max(precision, 6);
  const int variance_places = column_places(variances, money_places);
  std::vector<std::vector<std::optional<Decimal>>> exact;
  for (const Discrepancy* d : listed) {
    t.rows.push_back({d->time ? utc_time(d->time) : "-", d->request_id,
                      d->provider + "/" + d->model + (d->batch ? " (batch)" : ""), tokens_text(*d),
                      format_money(d->billed, money_places),
                      d->expected ? format_money(*d->expected, money_places) : "-",
                      format_signed_money(d->variance, variance_places),
                      d->cause + (d->detail.empty() ? "" : ": " + d->detail), where_of(*d)});
    exact.push_back({std::nullopt, std::nullopt, std::nullopt, std::nullopt, d->billed, d->expected, d->variance});
  }
  std::string out = fmt::format("<p class=\"sub\">{} of {}, by the size of the variance; all of them with --format "
                                "csv or json (--top sets how many are listed here).</p>\n",
                                listed.size(), r.discrepancies.size());
  return out +
         html_table(t, false, exact_titles(t, exact), {false, false, false, true, false, false, false, true, false});
}

// The rows read but not checked against the cards, and why.
std::string unchecked_html(const ReconcileResult& r)
{
  TextTable t;
  t.headers = {"why", "rows", "first at"};
  t.numeric = {false, true, false};
  if (r.unbilled > 0) {
    t.rows.push_back({"no billed amount (--require-billed makes that an error)",
                      group_thousands(std::to_string(r.unbilled)), r.first_unbilled});
  }
  // Rejections by category; the first few, each where and why, follow the table.
  for (const auto& [reason, count] : r.records.rejected_by_reason) {
    t.rows.push_back({"rejected: " + reason, group_thousands(std::to_string(count)), ""});
  }
  if (r.records.filtered > 0) {
    t.rows.push_back({"outside --since/--until", group_thousands(std::to_string(r.records.filtered)), ""});
  }
  if (t.rows.empty()) {
    return "<p>Every row read was checked against the rate cards.</p>\n";
  }
  std::string out = html_table(t, false, {}, {true});
  if (!r.records.first_rejections.empty()) {
    std::vector<std::string> lines;
    for (const auto& x : r.records.first_rejections) {
      lines.push_back(x.where + ": " + x.reason);
    }
    out += html_notes(lines);
  }
  return out;
}

// What the page was computed from: the inputs, the row counts and the cards.
std::string inputs_html(const ReconcileResult& r, const RenderOptions& options)
{
  std::string out = html_file_list(options.inputs);
  const auto& rec = r.records;
  TextTable counts;
  counts.headers = {"read", "matched", "discrepant", "rejected", "without a billed amount", "outside the window"};
  counts.numeric.assign(counts.headers.size(), true);
  counts.rows.push_back({group_thousands(std::to_string(rec.read)), group_thousands(std::to_string(rec.priced)),
                         group_thousands(std::to_string(r.discrepancies.size())),
                         group_thousands(std::to_string(rec.rejected)), group_thousands(std::to_string(r.unbilled)),
                         group_thousands(std::to_string(rec.filtered))});
  out += html_table(counts, false);
  if (options.catalog != nullptr) {
    // The routes that billed rows (an unknown model's route is listed if it has a card).
    std::vector<std::string> routes;
    for (const auto& [model, billed] : r.billed_by_model) {
      const std::string route = model.substr(0, model.find('/'));
      if (std::find(routes.begin(), routes.end(), route) == routes.end()) {
        routes.push_back(route);
      }
    }
    for (const auto& d : r.discrepancies) {
      if (std::find(routes.begin(), routes.end(), d.provider) == routes.end()) {
        routes.push_back(d.provider);
      }
    }
    out += html_cards(*options.catalog, routes);
  }
  return out;
}

std::string reconcile_html(const ReconcileResult& r, const RenderOptions& options, std::size_t top)
{
  const int precision = options.precision;
  const std::string heading = fmt::format("llmcost reconcile ({})", r.currency);
  std::string body = "<h1>" + html_escape(heading) + "</h1>\n";
  body += "<p class=\"sub\">" + html_escape(records_line(r)) + "</p>\n";
  body += html_verdict(r.failures.empty(), verdict_line(r));
  body += html_summary(reconcile_summary(r, precision));
  if (!r.by_cause.empty()) {
    body += html_section("Variance by cause", svg_signed_bar_chart(cause_variance_chart(r), std::max(precision, 4)) +
                                                  html_table(causes_table(r, precision), false));
  }
  std::vector<std::vector<std::optional<Decimal>>> group_exact;
  for (const auto& g : r.groups) {
    std::vector<std::optional<Decimal>> figures(r.key_names.size() + 2);
    figures.insert(figures.end(), {g.billed, g.expected, g.variance()});
    group_exact.push_back(std::move(figures));
  }
  const TextTable groups = groups_table(r, precision);
  std::string by_model;
  if (const BarChart chart = model_variance_chart(r); !chart.bars.empty()) {
    by_model = svg_signed_bar_chart(chart, std::max(precision, 4));
  }
  body += html_section("Variance by " + variance_dimension(r),
                       by_model + html_table(groups, false, exact_titles(groups, group_exact)));
  if (!r.invoice_lines.empty()) {
    TextTable t;
    t.headers = {"invoice line", "route/model", "invoiced", "export bills", "rounded", "difference"};
    t.numeric = {false, false, true, true, true, true};
    for (const auto& line : r.invoice_lines) {
      t.rows.push_back({line.line, line.model.empty() ? "-" : line.model, line.invoiced.to_string(line.places),
                        line.billed.to_exact_string(2), line.billed_rounded.to_string(line.places),
                        format_signed_money(line.variance(), places_for(line.variance(), line.places))});
    }
    body += html_section("Invoice lines", html_table(t, false));
  }
  if (!r.discrepancies.empty()) {
    body += html_section("Discrepancies, largest first", discrepancies_html(r, top, precision), true);
  }
  body += html_section("Rows not checked", unchecked_html(r));
  body += html_section("Inputs read", inputs_html(r, options));
  if (!r.notes.empty()) {
    body += html_section("Notes", html_notes(r.notes));
  }
  return html_page(heading, body);
}

} // namespace

std::string render_reconcile(const ReconcileResult& r, const RenderOptions& options, std::size_t top)
{
  switch (options.format) {
  case OutputFormat::table:
    return reconcile_table(r, options, top);
  case OutputFormat::json:
    return dump_json(to_json(r));
  case OutputFormat::csv:
    return disputes_csv(r);
  case OutputFormat::markdown:
    return reconcile_markdown(r, options.precision, top);
  case OutputFormat::focus:
    return render_focus(r);
  case OutputFormat::html:
    return reconcile_html(r, options, top);
  }
  format_not_offered(options.format, "reconcile");
}

} // namespace llmcost
