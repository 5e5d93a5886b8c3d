#include "llmcost/budget.hpp"

#include "llmcost/error.hpp"
#include "llmcost/render.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <stdexcept>

namespace llmcost {

using nlohmann::json;

namespace {

const Decimal k_hundred = Decimal::from_int(100);

Decimal percent_of(Decimal part, Decimal whole)
{
  return whole.is_zero() ? Decimal{} : part.mul_div(k_hundred, whole);
}

std::size_t key_index(const std::vector<std::string>& names, const std::string& name)
{
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? names.size() : static_cast<std::size_t>(it - names.begin());
}

std::string join_keys(const std::vector<std::string>& keys)
{
  return fmt::format("{}", fmt::join(keys, " / "));
}

std::optional<Decimal> json_amount(const json& node)
{
  if (node.is_string()) {
    return Decimal::parse(node.get<std::string>());
  }
  if (node.is_number_integer()) {
    return Decimal::parse(node.dump());
  }
  return std::nullopt;
}

// Picks the lowest tier whose stated limits all hold; names the limit that
// ruled out the tier below it.
void fit_tier(const Card& card, TierFit& fit)
{
  struct Check
  {
    const char* name;
    Decimal need;
    std::optional<std::int64_t> RateLimitTier::*limit;
  };
  const std::vector<Check> checks = {
      {"requests per minute", fit.peak_rpm, &RateLimitTier::rpm},
      {"tokens per minute", fit.peak_tpm, &RateLimitTier::tpm},
      {"tokens per day", fit.tokens_per_day, &RateLimitTier::tpd},
      {"per-model requests per minute", fit.busiest_model_rpm, &RateLimitTier::per_model_rpm},
  };
  std::string last_blocker;
  for (std::size_t i = 0; i < card.tiers.size(); ++i) {
    const RateLimitTier& tier = card.tiers[i];
    std::string blocker;
    for (const auto& check : checks) {
      const auto& limit = tier.*(check.limit);
      if (limit && *limit != k_unlimited && check.need > Decimal::from_int(*limit)) {
        blocker = fmt::format("{} ({} needed, {} allows {})", check.name, group_thousands(check.need.to_string(2)),
                              tier.name, group_thousands(std::to_string(*limit)));
        break;
      }
    }
    if (blocker.empty()) {
      fit.tier = i;
      fit.tier_name = tier.name;
      fit.min_purchase = tier.min_purchase;
      fit.binding = last_blocker.empty() ? "none: the entry tier carries it" : last_blocker;
      return;
    }
    last_blocker = blocker;
  }
  fit.binding = last_blocker;
}

// The row's value of the `at`th key, or `missing` when the report is not
// grouped by it.
std::string key_or(const std::vector<std::string>& keys, std::size_t at, const char* missing)
{
  return at < keys.size() ? keys[at] : missing;
}

// Usage is observed over a window: the days it covers, and the projection
// to the period said in words. Workloads are already per period.
Decimal observed_days(const Report& report, Decimal days_in_period, BudgetResult& result)
{
  if (!report.has_records) {
    return days_in_period;
  }
  if (!report.first_day || !report.last_day) {
    throw Error(Location{}, "the usage has no dates, so it cannot be projected to a period",
                "timestamped usage, or a workload spec");
  }
  const Decimal days = Decimal::from_int(*report.last_day - *report.first_day + 1);
  result.projection = fmt::format(
      "usage from {} to {} ({} day{}) scaled to a {} ({} days): x {}", format_date(*report.first_day),
      format_date(*report.last_day), days.to_exact_string(0), days == Decimal::from_int(1) ? "" : "s", result.period,
      days_in_period.to_string(4), days_in_period.mul_div(Decimal::from_int(1), days).to_string(4));
  return days;
}

// The report's rows per period, with tax where the route's prices exclude
// it, largest first; returns the spend with tax per route.
std::map<std::string, Decimal> add_lines(const Catalog& catalog, const Report& report, const BudgetOptions& options,
                                         Decimal observed, BudgetResult& result)
{
  const Decimal days_in_period = period_days(options.period);
  const std::size_t provider_at = key_index(report.key_names, "provider");
  std::map<std::string, Decimal> per_route;
  for (const auto& row : report.rows) {
    BudgetLine line;
    line.keys = row.keys;
    line.total = row.cost.total().mul_div(days_in_period, observed);
    const std::string route = key_or(row.keys, provider_at, "");
    const Card* card = catalog.find_card(route);
    if (options.tax_rate_pct && card != nullptr && !card->tax_included) {
      line.tax = line.total.mul_div(*options.tax_rate_pct, k_hundred);
    }
    per_route[route] += line.total + line.tax;
    result.total += line.total;
    result.tax += line.tax;
    result.lines.push_back(std::move(line));
  }
  result.total_with_tax = result.total + result.tax;
  for (auto& line : result.lines) {
    line.share_pct = percent_of(line.total, result.total);
  }
  std::stable_sort(result.lines.begin(), result.lines.end(),
                   [](const BudgetLine& a, const BudgetLine& b) { return a.total > b.total; });
  if (options.tax_rate_pct) {
    result.notes.push_back(
        fmt::format("tax of {}% added on routes whose prices exclude tax", options.tax_rate_pct->to_exact_string(0)));
  }
  return per_route;
}

// `compute()` with an option's value; an amount out of range (a limit of
// 1e-12 against a large spend) is a usage error naming the option.
template <class Compute> Decimal against_option(const char* option, const Decimal& value, Compute&& compute)
{
  try {
    return compute();
  } catch (const std::overflow_error&) {
    throw Error(Location{},
                fmt::format("{} {}: amount out of range against the spend", option, value.to_exact_string(2)),
                "a value within a factor of about 10^12 of the spend");
  }
}

void check_limit(const BudgetOptions& options, BudgetResult& result)
{
  if (!options.limit) {
    return;
  }
  result.percent_of_limit =
      against_option("--limit", *options.limit, [&] { return percent_of(result.total_with_tax, *options.limit); });
  result.headroom = *options.limit - result.total_with_tax;
  if (result.total_with_tax > *options.limit) {
    result.failures.push_back(fmt::format("projected spend {} per {} is over the limit of {}",
                                          result.total_with_tax.to_string(2), result.period,
                                          options.limit->to_exact_string(2)));
  }
}

// Peak traffic per route, and requests per minute per route and model.
struct Peaks
{
  std::map<std::string, TierFit> fits;
  std::map<std::string, std::map<std::string, Decimal>> model_rpm;
};

// Planned workloads: the peaks their specs give, else the average rate over
// the period times the peak factor. Only chat models count against limits.
void add_workload_peaks(const Catalog& catalog, const std::vector<Workload>& workloads, const BudgetOptions& options,
                        Peaks& peaks)
{
  const Decimal days_in_period = period_days(options.period);
  const Decimal minutes = days_in_period.mul_int(1440);
  for (const auto& w : workloads) {
    ResolveFailure failure;
    auto resolved = catalog.resolve(w.model, w.provider, options.provider, failure);
    if (!resolved || resolved->model->kind != ModelKind::chat) {
      continue;
    }
    TierFit& fit = peaks.fits[resolved->card->provider];
    fit.provider = resolved->card->provider;
    const Decimal requests = convert_period(w.requests, w.period, options.period);
    const Decimal tokens_per_request =
        w.input_tokens + w.output_tokens + w.web_search_calls.mul(w.search_result_tokens);
    const Decimal rpm = w.peak_requests_per_minute.is_zero() ? requests.mul_div(options.peak_factor, minutes)
                                                             : w.peak_requests_per_minute;
    const Decimal tpm = w.peak_tokens_per_minute.is_zero() ? rpm.mul(tokens_per_request) : w.peak_tokens_per_minute;
    fit.peak_rpm += rpm;
    fit.peak_tpm += tpm;
    fit.tokens_per_day += requests.mul_div(tokens_per_request, days_in_period);
    peaks.model_rpm[fit.provider][resolved->model->id] += rpm;
    fit.derivation = w.peak_requests_per_minute.is_zero()
                         ? fmt::format("average rate over the {} x peak factor {}", to_string(options.period),
                                       options.peak_factor.to_exact_string(0))
                         : "peaks given in the workload spec";
  }
}

// Observed usage: the average rate over the observed days times the peak
// factor, per route the catalog knows.
void add_observed_peaks(const Catalog& catalog, const Report& report, const BudgetOptions& options, Decimal observed,
                        Peaks& peaks)
{
  const Decimal observed_minutes = observed.mul_int(1440);
  const std::size_t provider_at = key_index(report.key_names, "provider");
  const std::size_t model_at = key_index(report.key_names, "model");
  for (const auto& row : report.rows) {
    const std::string route = key_or(row.keys, provider_at, "");
    if (catalog.find_card(route) == nullptr) {
      continue;
    }
    TierFit& fit = peaks.fits[route];
    fit.provider = route;
    const Decimal tokens = row.usage.input + row.usage.cached_input + row.usage.output;
    const Decimal rpm = row.usage.requests.mul_div(options.peak_factor, observed_minutes);
    fit.peak_rpm += rpm;
    fit.peak_tpm += tokens.mul_div(options.peak_factor, observed_minutes);
    fit.tokens_per_day += tokens.mul_div(Decimal::from_int(1), observed);
    peaks.model_rpm[route][key_or(row.keys, model_at, "(all)")] += rpm;
    fit.derivation = fmt::format("average rate over the observed {} days x peak factor {}", observed.to_exact_string(0),
                                 options.peak_factor.to_exact_string(0));
  }
}

// Rate-limit tiers, per route: account-wide requests and tokens per minute.
void fit_tiers(const Catalog& catalog, const Report& report, const std::vector<Workload>& workloads,
               const BudgetOptions& options, Decimal observed, BudgetResult& result)
{
  Peaks peaks;
  add_workload_peaks(catalog, workloads, options, peaks);
  if (workloads.empty() && report.has_records) {
    add_observed_peaks(catalog, report, options, observed, peaks);
  }
  for (auto& [route, fit] : peaks.fits) {
    for (const auto& [model, rpm] : peaks.model_rpm[route]) {
      if (rpm > fit.busiest_model_rpm) {
        fit.busiest_model_rpm = rpm;
        fit.busiest_model = model;
      }
    }
    const Card* card = catalog.find_card(route);
    if (card == nullptr || card->tiers.empty()) {
      continue;
    }
    fit_tier(*card, fit);
    if (!fit.tier) {
      result.notes.push_back(fmt::format("no {} tier carries this traffic: {}", route, fit.binding));
    }
    result.tiers.push_back(fit);
  }
}

// The purchase that covers the shortfall: the smallest package that does,
// else enough of the largest; without packages, a recharge of at least the
// shortfall in cents (and the card's minimum).
std::string top_up(const Runway& runway, const CreditRule* packages, const CreditRule* minimum,
                   const std::string& period)
{
  if (runway.shortfall.is_zero()) {
    return fmt::format("none: the balance covers the {}", period);
  }
  if (packages != nullptr && !packages->amounts.empty()) {
    const auto fits_package = std::find_if(packages->amounts.begin(), packages->amounts.end(),
                                           [&](Decimal a) { return a >= runway.shortfall; });
    if (fits_package != packages->amounts.end()) {
      return fmt::format("the ${} package", fits_package->to_exact_string(0));
    }
    const Decimal largest = packages->amounts.back();
    const Decimal count = runway.shortfall.mul_div(Decimal::from_int(1), largest);
    const Decimal whole = count.is_integer() ? count : Decimal::from_raw((count.whole() + 1) * Decimal::k_scale);
    return fmt::format("{} x the ${} package", whole.to_exact_string(0), largest.to_exact_string(0));
  }
  // Recharges are in cents: round the shortfall up.
  Decimal amount = runway.shortfall.round(2);
  if (amount < runway.shortfall) {
    amount += Decimal::from_raw(Decimal::k_scale / 100);
  }
  if (minimum != nullptr && minimum->amount && amount < *minimum->amount) {
    amount = *minimum->amount;
  }
  return fmt::format("a recharge of at least ${}", amount.to_string(2));
}

// Credit runway on one account: the route named by --provider, else the
// only route the usage is on.
Runway credit_runway(const Catalog& catalog, const std::map<std::string, Decimal>& per_route,
                     const BudgetOptions& options, BudgetResult& result)
{
  std::string route = options.provider;
  if (route.empty()) {
    if (per_route.size() != 1) {
      std::vector<std::string> used;
      for (const auto& [name, spend] : per_route) {
        used.push_back("--provider " + name);
      }
      throw Error(Location{}, "--balance: the workloads use several routes, and a balance belongs to one account",
                  fmt::format("{}", fmt::join(used, " or ")));
    }
    route = per_route.begin()->first;
  }
  const Card* card = catalog.find_card(route);
  if (card == nullptr) {
    throw Error(Location{}, fmt::format("--provider: unknown route \"{}\"", route),
                fmt::format("{}", fmt::join(catalog.routes(), " or ")));
  }
  Runway runway;
  runway.provider = route;
  runway.balance = *options.balance;
  const CreditRule* packages = nullptr;
  const CreditRule* minimum = nullptr;
  for (const auto& rule : card->credits) {
    if (rule.kind == "signup_bonus" && options.include_signup_bonus && rule.amount) {
      runway.balance += *rule.amount;
      result.notes.push_back(
          fmt::format("{} signup bonus of {} included in the balance", route, rule.amount->to_exact_string(2)));
    }
    if (rule.kind == "purchase_packages") {
      packages = &rule;
    }
    if (rule.kind == "minimum_recharge") {
      minimum = &rule;
    }
  }
  const auto spent = per_route.find(route);
  const Decimal spend = spent == per_route.end() ? Decimal{} : spent->second;
  runway.daily_burn = spend.mul_div(Decimal::from_int(1), period_days(options.period));
  if (!runway.daily_burn.is_zero()) {
    runway.days = against_option("--balance", runway.balance,
                                 [&] { return runway.balance.mul_div(Decimal::from_int(1), runway.daily_burn); });
    if (options.as_of) {
      runway.runs_out = *options.as_of + static_cast<Day>(runway.days->whole());
    }
  }
  runway.shortfall = spend > runway.balance ? spend - runway.balance : Decimal{};
  runway.top_up = top_up(runway, packages, minimum, result.period);
  return runway;
}

// A baseline (an `estimate --format json` of the same inputs) checked to be
// one, and per the same period.
void check_baseline_shape(const json& baseline, const BudgetResult& result)
{
  if (!baseline.is_object() || !baseline.contains("rows") || !baseline.contains("total")) {
    throw Error(Location{"--baseline"}, "not an llmcost JSON report (no rows/total)",
                "the output of `llmcost estimate ... --format json`");
  }
  if (baseline.contains("period") && baseline["period"].is_string() &&
      baseline["period"].get<std::string>() != result.period) {
    throw Error(
        Location{"--baseline"},
        fmt::format("the baseline is per {}, this budget per {}", baseline["period"].get<std::string>(), result.period),
        fmt::format("--period {}", baseline["period"].get<std::string>()));
  }
}

// One side of a baseline line: what a line is matched by (its workload
// when lines have one, so a workload that moves to another model stays one
// line; else all its keys), its keys as shown, its route/model and total.
struct LineSide
{
  std::string shown;
  std::string route_model; // "provider/model", when the keys say
  Decimal total;
};
using LineSides = std::map<std::string, LineSide>;

// Adds one line (its keys, parallel to `names`) to `sides`.
void add_line_side(LineSides& sides, const std::vector<std::string>& names, const std::vector<std::string>& keys,
                   Decimal total)
{
  std::string identity = join_keys(keys);
  std::string provider;
  std::string model;
  for (std::size_t i = 0; i < names.size() && i < keys.size(); ++i) {
    if (names[i] == "workload") {
      identity = keys[i];
    } else if (names[i] == "provider") {
      provider = keys[i];
    } else if (names[i] == "model") {
      model = keys[i];
    }
  }
  LineSide& side = sides[identity];
  side.shown = join_keys(keys);
  side.route_model = provider.empty() || model.empty() ? std::string() : provider + "/" + model;
  side.total += total;
}

// The baseline's lines, and its grouping.
LineSides baseline_sides(const json& baseline, std::vector<std::string>& names)
{
  for (const auto& n : baseline.value("group_by", json::array())) {
    names.push_back(n.get<std::string>());
  }
  LineSides before;
  for (const auto& row : baseline["rows"]) {
    std::vector<std::string> keys;
    for (const auto& n : names) {
      keys.push_back(row.value(n, ""));
    }
    if (auto amount = json_amount(row.value("total", json())); amount) {
      add_line_side(before, names, keys, *amount);
    }
  }
  return before;
}

// One line before and after; a breach is an increase beyond every allowance given.
BaselineLine compare_line(const std::string& key, std::optional<Decimal> b, std::optional<Decimal> a,
                          const BudgetOptions& options)
{
  BaselineLine cmp;
  cmp.key = key;
  cmp.before = b;
  cmp.after = a;
  cmp.delta = a.value_or(Decimal{}) - b.value_or(Decimal{});
  if (b && !b->is_zero()) {
    cmp.delta_pct = percent_of(cmp.delta, *b);
  }
  const bool increased = cmp.delta > Decimal{};
  const bool over_pct = !options.max_increase_pct || !cmp.delta_pct || *cmp.delta_pct > *options.max_increase_pct;
  const bool over_abs = !options.max_increase_abs || cmp.delta > *options.max_increase_abs;
  cmp.breach = increased && over_pct && over_abs;
  return cmp;
}

// Prices as reports list them: "provider/model" (and "provider/model
// (batch)") -> the prices, as described.
using PriceTexts = std::map<std::string, std::string>;

// The prices a baseline was made with (none when it lists none).
PriceTexts baseline_prices(const json& baseline)
{
  PriceTexts prices;
  if (baseline.contains("prices") && baseline["prices"].is_object()) {
    for (const auto& [model, text] : baseline["prices"].items()) {
      prices[model] = text.get<std::string>();
    }
  }
  return prices;
}

// The prices a report or baseline lists for a route/model, standard and batch.
std::string listed_prices(const PriceTexts& prices, const std::string& route_model)
{
  std::vector<std::string> parts;
  for (const std::string& key : {route_model, route_model + " (batch)"}) {
    if (const auto it = prices.find(key); it != prices.end()) {
      parts.push_back(it->second);
    }
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The line-by-line comparison: the baseline's lines, then the new ones. A
// workload that moved to another route or model is one line, with the
// change and the prices on both sides.
void compare_lines(const PriceTexts& old_prices, const LineSides& before, const Report& report,
                   const BudgetOptions& options, BudgetResult& result)
{
  LineSides after;
  for (const auto& line : result.lines) {
    add_line_side(after, result.key_names, line.keys, line.total);
  }
  std::vector<std::string> identities;
  for (const auto& [identity, side] : before) {
    identities.push_back(identity);
  }
  for (const auto& [identity, side] : after) {
    if (before.count(identity) == 0) {
      identities.push_back(identity);
    }
  }
  for (const auto& identity : identities) {
    const auto b = before.find(identity);
    const auto a = after.find(identity);
    const bool has_b = b != before.end();
    const bool has_a = a != after.end();
    BaselineLine line =
        compare_line(has_a ? a->second.shown : b->second.shown, has_b ? std::optional(b->second.total) : std::nullopt,
                     has_a ? std::optional(a->second.total) : std::nullopt, options);
    if (has_a && has_b && a->second.route_model != b->second.route_model) {
      const std::string& from = b->second.route_model;
      const std::string& to = a->second.route_model;
      line.moved_from = from;
      const std::string old_text = listed_prices(old_prices, from);
      const std::string new_text = listed_prices(report.prices_used, to);
      result.model_changes.push_back(fmt::format("{}: {} ({}) -> {} ({})", identity, from,
                                                 old_text.empty() ? "prices not in the baseline" : old_text, to,
                                                 new_text));
    }
    result.baseline.push_back(std::move(line));
  }
}

// Prices the baseline was made with that the cards no longer have.
void add_price_changes(const PriceTexts& old_prices, const Report& report, BudgetResult& result)
{
  for (const auto& [model, text] : report.prices_used) {
    if (const auto old = old_prices.find(model); old != old_prices.end() && old->second != text) {
      result.price_changes.push_back(fmt::format("{}: {} -> {}", model, old->second, text));
    }
  }
}

// CI gate against a baseline (an `estimate --format json` of the same inputs).
void check_baseline(const json& baseline, const Report& report, const BudgetOptions& options, BudgetResult& result)
{
  check_baseline_shape(baseline, result);
  std::vector<std::string> names;
  const LineSides before = baseline_sides(baseline, names);
  const PriceTexts old_prices = baseline_prices(baseline);
  if (names == result.key_names) {
    compare_lines(old_prices, before, report, options, result);
  } else {
    result.notes.push_back(fmt::format("the baseline is grouped by {}, this budget by {}: only totals are compared",
                                       fmt::join(names, ","), fmt::join(result.key_names, ",")));
  }
  std::size_t breaches = 0; // lines, not the total
  for (const auto& line : result.baseline) {
    breaches += line.breach ? 1 : 0;
  }
  result.baseline.push_back(compare_line("total", json_amount(baseline["total"]), result.total, options));
  const bool total_breach = result.baseline.back().breach;
  if (breaches > 0 || total_breach) {
    const std::string lines =
        breaches == 0 ? std::string()
                      : fmt::format("on {} line{}{}", breaches, breaches == 1 ? "" : "s", total_breach ? " and " : "");
    result.failures.push_back(fmt::format("cost rose beyond the allowed increase {}{} (against the baseline)", lines,
                                          total_breach ? "in total" : ""));
  }
  add_price_changes(old_prices, report, result);
}

} // namespace

Decimal period_days(Period period)
{
  return convert_period(Decimal::from_int(1), Period::day, period);
}

BudgetResult run_budget(const Catalog& catalog, const Report& report, const std::vector<Workload>& workloads,
                        const BudgetOptions& options, const json* baseline)
{
  BudgetResult result;
  result.notes = report.notes; // how the usage was read and priced holds for the budget too
  result.period = std::string(to_string(options.period));
  result.key_names = report.key_names;
  result.limit = options.limit;
  const Decimal observed = observed_days(report, period_days(options.period), result);
  const std::map<std::string, Decimal> per_route = add_lines(catalog, report, options, observed, result);
  check_limit(options, result);
  fit_tiers(catalog, report, workloads, options, observed, result);
  if (options.balance) {
    result.runway = credit_runway(catalog, per_route, options, result);
  }
  if (baseline != nullptr) {
    check_baseline(*baseline, report, options, result);
  }
  return result;
}

} // namespace llmcost
