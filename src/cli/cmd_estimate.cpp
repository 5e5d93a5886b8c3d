// `llmcost estimate`: price planned workloads (spec files or inline flags).

#include "cli/app.hpp"
#include "cli/config.hpp"

#include "cli/inputs.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/files.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <set>
#include <unistd.h>

namespace llmcost::cli {

namespace {

struct EstimateOptions
{
  CommonOptions common;
  std::vector<std::string> inputs;
  std::string period;
  UsageInputOptions usage;
  InlineWorkloadOptions inline_workload;
};

// The routes that sell a model (by id or alias) that another route sells too:
// those a bare id can leave ambiguous. All routes when that finds fewer than
// two.
std::vector<std::string_view> routes_sharing_models(const Catalog& catalog)
{
  const auto& cards = catalog.cards();
  std::map<std::string, std::set<std::size_t>> sellers; // lower-cased id or alias -> cards
  for (std::size_t c = 0; c < cards.size(); ++c) {
    for (const auto& model : cards[c].models) {
      sellers[to_lower(model.id)].insert(c);
      for (const auto& alias : model.aliases) {
        sellers[to_lower(alias)].insert(c);
      }
    }
  }
  std::set<std::size_t> shared;
  for (const auto& [name, cs] : sellers) {
    if (cs.size() > 1) {
      shared.insert(cs.begin(), cs.end());
    }
  }
  std::vector<std::string_view> routes;
  for (std::size_t c = 0; c < cards.size(); ++c) {
    if (shared.size() < 2 || shared.count(c) > 0) {
      routes.emplace_back(cards[c].provider);
    }
  }
  return routes;
}

void run_estimate_command(const EstimateOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  EstimateRequest request;
  request.provider_hint = o.common.provider;
  if (!o.common.by.empty()) {
    request.group_by = parse_group_by(o.common.by);
  }
  if (!o.period.empty()) {
    request.period = parse_period(o.period);
  }
  AggregateOptions aggregate = aggregate_options(o.usage, o.common.provider, request.group_by);
  aggregate.model_mapping = model_mapping(o.usage, o.inputs, catalog, user_config(context), o.common.provider);
  UsageAggregator usage(catalog, aggregate);
  const bool any_usage = read_inputs(o.inputs, o.usage, usage, &request.workloads, context.err);
  add_inline_workload(o.inline_workload, o.period, request.workloads);
  if (any_usage && !request.workloads.empty()) {
    throw Error(Location{}, "both planned workloads and recorded usage given",
                "one kind per run: workload specs / inline flags, or usage files");
  }
  if (any_usage && !o.period.empty()) {
    // Recorded usage is reported as it happened; a period would be ignored.
    throw Error(Location{}, "--period applies to planned workloads",
                "--by day, week or month to break recorded usage down by time");
  }
  if (!any_usage && request.workloads.empty()) {
    // On a terminal, where the logs are: a user typing `llmcost estimate` alone.
    throw Error(Location{}, "nothing to estimate",
                std::string("a workload spec or usage FILE, or --model with --requests and token counts") +
                    (o.inputs.empty() && isatty(STDIN_FILENO) != 0 ? "; " + usage_log_homes() : ""));
  }
  const RenderOptions render = render_options(o.common, context, "estimate");
  if (o.common.chart && std::none_of(request.group_by.begin(), request.group_by.end(),
                                     [](const std::string& name) { return is_period(group_dimension(name)); })) {
    throw Error(Location{}, "--chart draws the cost over time", or_list(period_group_names(), "--by "));
  }
  if (!any_usage) {
    const Report report = estimate_workloads(catalog, request);
    emit(o.common, context, [&](const TextSink& sink) { render_report(report, render, sink); });
    return;
  }
  const Report report = usage.finish();
  const bool failed = rejections_fail(report.records, o.usage);
  // A failed run leaves an --output FILE as it was; on stdout the partial
  // report still shows what was priced, followed by the error.
  if (!failed || !writes_to_file(o.common)) {
    emit(o.common, context, [&](const TextSink& sink) { render_report(report, render, sink); });
  }
  if (!report_holds_records(render.format)) {
    context.err << render_record_summary(report);
  }
  if (report.records.rejected_by_reason.count("ambiguous model") > 0 && o.common.provider.empty()) {
    // The common mistake: a bare id (kimi-k2.6) that several routes sell.
    context.err << fmt::format("hint: say which route sold them: {} (or a provider column; --map "
                               "COLUMN=provider)\n",
                               or_list(routes_sharing_models(catalog), "--provider "));
  }
  if (failed) {
    context.err << fmt::format("llmcost: error: {}{}\n", rejections_message(report.records, o.usage),
                               writes_to_file(o.common) ? "; " + o.common.output + " not written" : "");
    context.exit_code = 2;
  }
}

} // namespace

void setup_estimate(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<EstimateOptions>();
  cmd.add_option("inputs", options->inputs,
                 "Workload specs (JSON), usage CSVs or JSON traces; "
                 "directories are read recursively; - for stdin");
  add_pricing_options(cmd, options->common);
  add_output_options(
      cmd, options->common,
      {OutputFormat::table, OutputFormat::json, OutputFormat::csv, OutputFormat::markdown, OutputFormat::html});
  cmd.add_option("--by", options->common.by,
                 fmt::format("Group rows by: {} (comma-separated)",
                             fmt::join(group_by_names(k_group_usage | k_group_workloads), ", ")));
  const std::string periods = or_list(period_group_names());
  add_chart_options(cmd, options->common, fmt::format("the cost per {} (with --by {})", periods, periods));
  cmd.add_option("--period", options->period,
                 "Report planned workloads per day, week, month or year (default: their own, else month)")
      ->check(CLI::IsMember({"day", "week", "month", "year"}));
  add_usage_input_options(cmd, options->usage, false);
  add_request_id_check_option(cmd, options->usage);
  add_model_mapping_options(cmd, options->usage);

  add_inline_workload_options(cmd, options->inline_workload);

  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    run_estimate_command(*options, context);
  });
}

} // namespace llmcost::cli
