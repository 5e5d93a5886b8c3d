#include "llmcost/budget.hpp"

#include "llmcost/error.hpp"
#include "llmcost/render.hpp"

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

} // namespace llmcost
