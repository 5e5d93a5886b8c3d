#pragma once
// `budget`: does a workload (or observed usage, projected) fit a limit, a
// credit balance and a rate-limit tier; did cost regress against a baseline?

#include "llmcost/catalog.hpp"
#include "llmcost/report.hpp"
#include "llmcost/workload.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace llmcost {

struct BudgetOptions
{
  Period period = Period::month;
  std::optional<Decimal> limit;
  std::optional<Decimal> tax_rate_pct; // added where the card's prices exclude tax
  std::optional<Decimal> balance;
  bool include_signup_bonus = false;
  std::optional<Day> as_of; // start of the runway (default: the caller's today)
  Decimal peak_factor = Decimal::from_int(1);
  std::string provider; // the account the balance belongs to, when several routes are used
  std::optional<Decimal> max_increase_pct;
  std::optional<Decimal> max_increase_abs;
};

struct BudgetLine
{
  std::vector<std::string> keys;
  Decimal total; // per period, before tax
  Decimal tax;
  Decimal share_pct; // of the total
};

struct TierFit
{
  std::string provider;
  Decimal peak_rpm;
  Decimal peak_tpm;
  Decimal tokens_per_day;
  Decimal busiest_model_rpm;
  std::string busiest_model;
  std::optional<std::size_t> tier; // index into the card's tiers; absent: none carries it
  std::string tier_name;
  Decimal min_purchase;
  std::string binding;    // the limit that decided the tier
  std::string derivation; // how the peaks were obtained
};

struct Runway
{
  std::string provider;
  Decimal balance;             // including the signup bonus when asked
  Decimal daily_burn;          // with tax
  std::optional<Decimal> days; // absent: no spend
  std::optional<Day> runs_out;
  Decimal shortfall;  // the period's spend beyond the balance
  std::string top_up; // which purchase covers the period
};

struct BaselineLine
{
  std::string key;        // the line's keys joined (after the change, when it moved)
  std::string moved_from; // the route/model a workload moved from ("kyma/sonar"); empty when it did not
  std::optional<Decimal> before;
  std::optional<Decimal> after;
  Decimal delta;
  std::optional<Decimal> delta_pct;
  bool breach = false;
};

struct BudgetResult
{
  std::string currency = "USD";
  std::string period;
  std::string projection; // how usage was scaled to the period, when it was
  std::vector<std::string> key_names;
  std::vector<BudgetLine> lines;
  Decimal total; // per period, before tax
  Decimal tax;
  Decimal total_with_tax;
  std::optional<Decimal> limit;
  std::optional<Decimal> percent_of_limit;
  std::optional<Decimal> headroom;
  std::vector<TierFit> tiers;
  std::optional<Runway> runway;
  std::vector<BaselineLine> baseline;
  std::vector<std::string> price_changes; // cards changed since the baseline
  std::vector<std::string> model_changes; // workloads moved to another route/model, with both prices
  std::vector<std::string> failures;
  std::vector<std::string> notes;
  bool pass() const { return failures.empty(); }
};

// `report` holds the priced usage per period (workloads already converted to
// options.period; usage as observed, projected here from report.first_day..
// last_day). `workloads` (may be empty) give peaks for the tier fit.
BudgetResult run_budget(const Catalog& catalog, const Report& report, const std::vector<Workload>& workloads,
                        const BudgetOptions& options, const nlohmann::json* baseline);

// Days in a period as an exact fraction: twelfths of a day.
Decimal period_days(Period period);

} // namespace llmcost
