// `llmcost budget`: limits, credit runway, rate-limit tiers and a CI cost-regression gate.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "cli/inputs.hpp"

#include "llmcost/budget.hpp"
#include "llmcost/budget_render.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/files.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/json_util.hpp"

#include <chrono>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost::cli {

namespace {

struct BudgetCommandOptions
{
  CommonOptions common;
  UsageInputOptions usage;
  InlineWorkloadOptions inline_workload;
  std::vector<std::string> inputs;
  std::string period = "month";
  std::string limit;
  std::string tax_rate;
  std::string balance;
  bool include_signup_bonus = false;
  std::string as_of;
  std::string peak_factor = "1";
  std::string baseline;
  std::string max_increase;
  std::string max_increase_abs;
};

Day today()
{
  const auto now = std::chrono::system_clock::now();
  return static_cast<Day>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() / 86400);
}

void run_budget_command(const BudgetCommandOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  BudgetOptions options;
  options.period = *parse_period(o.period);
  options.limit = number_flag(o.limit, "--limit", NumberKind::amount);
  options.tax_rate_pct = number_flag(o.tax_rate, "--tax-rate", NumberKind::percent);
  options.balance = number_flag(o.balance, "--balance", NumberKind::amount);
  options.include_signup_bonus = o.include_signup_bonus;
  options.as_of = o.as_of.empty() ? std::optional<Day>(today()) : date_flag(o.as_of, "--as-of");
  options.peak_factor = number_flag(o.peak_factor, "--peak-factor", NumberKind::amount).value_or(Decimal::from_int(1));
  options.provider = o.common.provider;
  options.max_increase_pct = number_flag(o.max_increase, "--max-increase", NumberKind::percent);
  options.max_increase_abs = number_flag(o.max_increase_abs, "--max-increase-abs", NumberKind::amount);
  if (o.include_signup_bonus && !options.balance) {
    options.balance = Decimal{};
  }

  std::vector<std::string> group_by;
  if (!o.common.by.empty()) {
    group_by = parse_group_by(o.common.by);
  }
  AggregateOptions aggregate = aggregate_options(o.usage, o.common.provider, group_by);
  aggregate.model_mapping = model_mapping(o.usage, o.inputs, catalog, user_config(context), o.common.provider);
  UsageAggregator usage(catalog, aggregate);
  std::vector<Workload> workloads;
  if (o.inputs.empty() && o.inline_workload.model.empty()) {
    throw Error(Location{}, "nothing to budget",
                "a workload spec or usage FILE, or --model with --requests and tokens");
  }
  const bool any_usage = read_inputs(o.inputs, o.usage, usage, &workloads, context.err);
  add_inline_workload(o.inline_workload, o.period, workloads);
  if (any_usage && !workloads.empty()) {
    throw Error(Location{}, "both planned workloads and recorded usage given", "one kind per run");
  }
  Report report;
  if (any_usage) {
    if (aggregate.group_by.empty()) {
      aggregate.group_by = {"provider", "model"};
    }
    report = usage.finish();
    // Every run over usage says what it read (budget's outputs have no records section).
    context.err << render_record_summary(report);
    if (rejections_fail(report.records, o.usage)) {
      throw Error(Location{}, rejections_message(report.records, o.usage));
    }
  } else {
    EstimateRequest request;
    request.workloads = workloads;
    request.group_by = group_by;
    request.provider_hint = o.common.provider;
    request.period = options.period;
    report = estimate_workloads(catalog, request);
  }
  if (std::find(report.key_names.begin(), report.key_names.end(), "provider") == report.key_names.end() &&
      options.tax_rate_pct) {
    throw Error(Location{}, "--tax-rate needs rows by route", "--by including provider");
  }
  std::optional<nlohmann::json> baseline;
  if (!o.baseline.empty()) {
    baseline = parse_json_exact(read_file(o.baseline), o.baseline);
  }
  const BudgetResult result = run_budget(catalog, report, workloads, options, baseline ? &*baseline : nullptr);
  RenderOptions render = render_options(o.common, context, "budget");
  render.inputs = o.inputs; // the HTML page names what it read
  if (!o.baseline.empty()) {
    render.inputs.push_back("baseline: " + o.baseline);
  }
  render.catalog = &catalog;
  emit(o.common, context, render_budget(result, render));
  if (!result.pass()) {
    context.exit_code = 1;
  }
}

} // namespace

void setup_budget(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<BudgetCommandOptions>();
  cmd.add_option("inputs", options->inputs, "Workload specs, or usage files (projected from their observed days)");
  add_pricing_options(cmd, options->common);
  add_output_options(
      cmd, options->common,
      {OutputFormat::table, OutputFormat::json, OutputFormat::csv, OutputFormat::markdown, OutputFormat::html});
  cmd.add_option("--by", options->common.by,
                 fmt::format("Group rows by: {} (comma-separated)",
                             fmt::join(group_by_names(k_group_usage | k_group_workloads), ", ")));
  cmd.add_option("--period", options->period, "Budget period")
      ->check(CLI::IsMember({"day", "week", "month", "year"}))
      ->capture_default_str();
  cmd.add_option("--limit", options->limit, "Spend limit per period in USD; over it, exit 1");
  cmd.add_option("--tax-rate", options->tax_rate, "Tax added where the card's prices exclude it (8.5 or 8.5%)");
  cmd.add_option("--balance", options->balance, "Credit balance in USD: runway and the top-up that covers the period");
  cmd.add_flag("--include-signup-bonus", options->include_signup_bonus, "Add the route's signup bonus to the balance");
  cmd.add_option("--as-of", options->as_of, "Date the runway starts (YYYY-MM-DD; default today)");
  cmd.add_option("--peak-factor", options->peak_factor,
                 "Peak-to-average ratio for rate limits when workloads give no peaks")
      ->capture_default_str();
  cmd.add_option("--baseline", options->baseline, "A saved `estimate --format json` to compare against");
  cmd.add_option("--max-increase", options->max_increase, "Allowed increase over the baseline, in percent (5 or 5%)");
  cmd.add_option("--max-increase-abs", options->max_increase_abs,
                 "Allowed increase in USD; with --max-increase, both must be exceeded to fail");
  add_usage_input_options(cmd, options->usage, false);
  add_request_id_check_option(cmd, options->usage);
  add_model_mapping_options(cmd, options->usage);
  add_inline_workload_options(cmd, options->inline_workload);
  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    if (options->tax_rate.empty() && user_config(context).tax_rate) {
      options->tax_rate = *user_config(context).tax_rate;
    }
    run_budget_command(*options, context);
  });
}

} // namespace llmcost::cli
