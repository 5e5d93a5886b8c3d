#include "llmcost/budget.hpp"
#include "llmcost/json_util.hpp"

#include "llmcost/error.hpp"
#include "llmcost/text_table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

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

} // namespace

Decimal period_days(Period period)
{
  return convert_period(Decimal::from_int(1), Period::day, period);
}

BudgetResult run_budget(const Catalog& catalog, const Report& report, const std::vector<Workload>& workloads,
                        const BudgetOptions& options, const json* baseline)
{
  BudgetResult result;
  result.period = std::string(to_string(options.period));
  result.key_names = report.key_names;
  result.limit = options.limit;
  const Decimal days_in_period = period_days(options.period);

  // Usage is observed over a window; scale it to the period.
  Decimal observed_days = days_in_period;
  if (report.has_records) {
    if (!report.first_day || !report.last_day) {
      throw Error(Location{}, "the usage has no dates, so it cannot be projected to a period",
                  "timestamped usage, or a workload spec");
    }
    observed_days = Decimal::from_int(*report.last_day - *report.first_day + 1);
    result.projection =
        fmt::format("usage from {} to {} ({} day{}) scaled to a {} ({} days): x {}", format_date(*report.first_day),
                    format_date(*report.last_day), observed_days.to_exact_string(0),
                    observed_days == Decimal::from_int(1) ? "" : "s", result.period, days_in_period.to_string(4),
                    days_in_period.mul_div(Decimal::from_int(1), observed_days).to_string(4));
  }
  const std::size_t provider_at = key_index(report.key_names, "provider");
  std::map<std::string, Decimal> per_route;
  for (const auto& row : report.rows) {
    BudgetLine line;
    line.keys = row.keys;
    line.total = row.cost.total().mul_div(days_in_period, observed_days);
    const std::string route = provider_at < row.keys.size() ? row.keys[provider_at] : "";
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

  if (options.limit) {
    result.percent_of_limit = percent_of(result.total_with_tax, *options.limit);
    result.headroom = *options.limit - result.total_with_tax;
    if (result.total_with_tax > *options.limit) {
      result.failures.push_back(fmt::format("projected spend {} per {} is over the limit of {}",
                                            result.total_with_tax.to_string(2), result.period,
                                            options.limit->to_exact_string(2)));
    }
  }

  // Rate-limit tiers, per route: account-wide requests and tokens per minute.
  const Decimal minutes = days_in_period.mul_int(1440);
  std::map<std::string, TierFit> fits;
  std::map<std::string, std::map<std::string, Decimal>> model_rpm;
  for (const auto& w : workloads) {
    ResolveFailure failure;
    auto resolved = catalog.resolve(w.model, w.provider, options.provider, failure);
    if (!resolved || resolved->model->kind != ModelKind::chat) {
      continue;
    }
    TierFit& fit = fits[resolved->card->provider];
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
    model_rpm[fit.provider][resolved->model->id] += rpm;
    fit.derivation = w.peak_requests_per_minute.is_zero()
                         ? fmt::format("average rate over the {} x peak factor {}", result.period,
                                       options.peak_factor.to_exact_string(0))
                         : "peaks given in the workload spec";
  }
  if (workloads.empty() && report.has_records) {
    const Decimal observed_minutes = observed_days.mul_int(1440);
    for (const auto& row : report.rows) {
      const std::string route = provider_at < row.keys.size() ? row.keys[provider_at] : "";
      if (catalog.find_card(route) == nullptr) {
        continue;
      }
      TierFit& fit = fits[route];
      fit.provider = route;
      const Decimal tokens = row.usage.input + row.usage.cached_input + row.usage.output;
      const Decimal rpm = row.usage.requests.mul_div(options.peak_factor, observed_minutes);
      fit.peak_rpm += rpm;
      fit.peak_tpm += tokens.mul_div(options.peak_factor, observed_minutes);
      fit.tokens_per_day += tokens.mul_div(Decimal::from_int(1), observed_days);
      const std::size_t model_at = key_index(report.key_names, "model");
      model_rpm[route][model_at < row.keys.size() ? row.keys[model_at] : "(all)"] += rpm;
      fit.derivation = fmt::format("average rate over the observed {} days x peak factor {}",
                                   observed_days.to_exact_string(0), options.peak_factor.to_exact_string(0));
    }
  }
  for (auto& [route, fit] : fits) {
    for (const auto& [model, rpm] : model_rpm[route]) {
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

  // Credit runway on one account.
  if (options.balance) {
    std::string route = options.provider;
    if (route.empty()) {
      if (per_route.size() != 1) {
        throw Error(Location{}, "--balance: the workloads use several routes, and a balance belongs to one account",
                    "--provider kyma or --provider moonshot");
      }
      route = per_route.begin()->first;
    }
    const Card* card = catalog.find_card(route);
    if (card == nullptr) {
      throw Error(Location{}, fmt::format("--provider: unknown route \"{}\"", route), "kyma or moonshot");
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
    const Decimal spend = per_route[route];
    runway.daily_burn = spend.mul_div(Decimal::from_int(1), days_in_period);
    if (!runway.daily_burn.is_zero()) {
      runway.days = runway.balance.mul_div(Decimal::from_int(1), runway.daily_burn);
      if (options.as_of) {
        runway.runs_out = *options.as_of + static_cast<Day>(runway.days->whole());
      }
    }
    runway.shortfall = spend > runway.balance ? spend - runway.balance : Decimal{};
    if (runway.shortfall.is_zero()) {
      runway.top_up = fmt::format("none: the balance covers the {}", result.period);
    } else if (packages != nullptr && !packages->amounts.empty()) {
      const auto fits_package = std::find_if(packages->amounts.begin(), packages->amounts.end(),
                                             [&](Decimal a) { return a >= runway.shortfall; });
      if (fits_package != packages->amounts.end()) {
        runway.top_up = fmt::format("the ${} package", fits_package->to_exact_string(0));
      } else {
        const Decimal largest = packages->amounts.back();
        const Decimal count = runway.shortfall.mul_div(Decimal::from_int(1), largest);
        const Decimal whole = count.is_integer() ? count : Decimal::from_raw((count.whole() + 1) * Decimal::k_scale);
        runway.top_up = fmt::format("{} x the ${} package", whole.to_exact_string(0), largest.to_exact_string(0));
      }
    } else {
      // Recharges are in cents: round the shortfall up.
      Decimal amount = runway.shortfall.round(2);
      if (amount < runway.shortfall) {
        amount += Decimal::from_raw(Decimal::k_scale / 100);
      }
      if (minimum != nullptr && minimum->amount && amount < *minimum->amount) {
        amount = *minimum->amount;
      }
      runway.top_up = fmt::format("a recharge of at least ${}", amount.to_string(2));
    }
    result.runway = runway;
  }

  // CI gate against a baseline (an `estimate --format json` of the same inputs).
  if (baseline != nullptr) {
    if (!baseline->is_object() || !baseline->contains("rows") || !baseline->contains("total")) {
      throw Error(Location{"--baseline"}, "not an llmcost JSON report (no rows/total)",
                  "the output of `llmcost estimate ... --format json`");
    }
    if (baseline->contains("period") && (*baseline)["period"].is_string() &&
        (*baseline)["period"].get<std::string>() != result.period) {
      throw Error(Location{"--baseline"},
                  fmt::format("the baseline is per {}, this budget per {}", (*baseline)["period"].get<std::string>(),
                              result.period),
                  fmt::format("--period {}", (*baseline)["period"].get<std::string>()));
    }
    std::vector<std::string> names;
    for (const auto& n : baseline->value("group_by", json::array())) {
      names.push_back(n.get<std::string>());
    }
    std::map<std::string, Decimal> before;
    for (const auto& row : (*baseline)["rows"]) {
      std::vector<std::string> keys;
      for (const auto& n : names) {
        keys.push_back(row.value(n, ""));
      }
      if (auto amount = json_amount(row.value("total", json())); amount) {
        before[join_keys(keys)] += *amount;
      }
    }
    std::map<std::string, Decimal> after;
    const bool same_keys = names == result.key_names;
    if (!same_keys) {
      result.notes.push_back(fmt::format("the baseline is grouped by {}, this budget by {}: only totals are compared",
                                         fmt::join(names, ","), fmt::join(result.key_names, ",")));
    } else {
      for (const auto& line : result.lines) {
        after[join_keys(line.keys)] += line.total;
      }
    }
    auto compare = [&](const std::string& key, std::optional<Decimal> b, std::optional<Decimal> a) {
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
    };
    if (same_keys) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : before) {
        keys.push_back(k);
      }
      for (const auto& [k, v] : after) {
        if (before.count(k) == 0) {
          keys.push_back(k);
        }
      }
      for (const auto& k : keys) {
        result.baseline.push_back(compare(k, before.count(k) ? std::optional(before[k]) : std::nullopt,
                                          after.count(k) ? std::optional(after[k]) : std::nullopt));
      }
    }
    const auto before_total = json_amount((*baseline)["total"]);
    BaselineLine total = compare("total", before_total, result.total);
    result.baseline.push_back(total);
    std::size_t breaches = 0;
    for (const auto& line : result.baseline) {
      breaches += line.breach ? 1 : 0;
    }
    if (breaches > 0) {
      result.failures.push_back(fmt::format("cost rose beyond the allowed increase on {} line{} (against the baseline)",
                                            breaches, breaches == 1 ? "" : "s"));
    }
    if (baseline->contains("prices") && (*baseline)["prices"].is_object()) {
      for (const auto& [model, text] : report.prices_used) {
        if ((*baseline)["prices"].contains(model)) {
          const std::string old_text = (*baseline)["prices"][model].get<std::string>();
          if (old_text != text) {
            result.price_changes.push_back(fmt::format("{}: {} -> {}", model, old_text, text));
          }
        }
      }
    }
  }
  return result;
}

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
                   {"before", b.before ? json(b.before->to_exact_string(2)) : json(nullptr)},
                   {"after", b.after ? json(b.after->to_exact_string(2)) : json(nullptr)},
                   {"delta", b.delta.to_exact_string(2)},
                   {"delta_pct", b.delta_pct ? json(b.delta_pct->to_string(2)) : json(nullptr)},
                   {"breach", b.breach}});
  }
  j["baseline"] = cmp;
  j["price_changes"] = r.price_changes;
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
    t.rows.push_back({b.key, b.before ? money(*b.before, precision) : "-", b.after ? money(*b.after, precision) : "-",
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

} // namespace

std::string render_budget(const BudgetResult& r, const RenderOptions& options)
{
  const int p = options.precision;
  if (options.format == OutputFormat::json) {
    return dump_json(to_json(r));
  }
  if (options.format == OutputFormat::csv) {
    return render_csv_table(r.baseline.empty() ? lines_table(r, 12) : baseline_table(r, 12));
  }
  const bool md = options.format == OutputFormat::markdown;
  auto table = [&](const TextTable& t) { return md ? render_markdown_table(t) : render_aligned(t, options.width); };
  std::string out = md ? fmt::format("### llmcost budget: {}\n\n", verdict(r))
                       : fmt::format("budget per {} ({})\n\n", r.period, r.currency);
  if (!r.baseline.empty()) {
    out += table(baseline_table(r, p)) + "\n";
    for (const auto& change : r.price_changes) {
      out += (md ? "- price change: " : "price change: ") + change + "\n";
    }
    if (!r.price_changes.empty()) {
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

} // namespace llmcost
