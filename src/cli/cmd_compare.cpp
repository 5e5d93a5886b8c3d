// `llmcost compare`: the same usage on other models, routes and levers, ranked.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "cli/inputs.hpp"

#include "llmcost/compare.hpp"
#include "llmcost/error.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost::cli {

namespace {

struct CompareCommandOptions
{
  CommonOptions common;
  UsageInputOptions usage;
  InlineWorkloadOptions inline_workload;
  std::vector<std::string> inputs;
  std::vector<std::string> models;
  std::string kind;
  bool all = false;
  std::vector<std::string> routes;
  std::string batch_share;
  std::string cache_hit_rate;
  std::string max_output;
  bool no_web_search = false;
  std::string period;
};

std::vector<std::string> split_list(const std::vector<std::string>& values)
{
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      const std::string item(trim(std::string_view(value).substr(start, comma - start)));
      if (!item.empty()) {
        out.push_back(item);
      }
      start = comma + 1;
    }
  }
  return out;
}

void run_compare_command(const CompareCommandOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  CompareOptions options;
  options.model_patterns = split_list(o.models);
  if (!o.kind.empty()) {
    options.kind = parse_model_kind(o.kind);
  }
  options.all_models = o.all;
  options.routes = split_list(o.routes);
  options.levers.batch_share = number_flag(o.batch_share, "--batch-share", NumberKind::share);
  options.levers.cache_hit_rate = number_flag(o.cache_hit_rate, "--cache-hit-rate", NumberKind::share);
  options.levers.max_output = number_flag(o.max_output, "--max-output", NumberKind::count);
  options.levers.no_web_search = o.no_web_search;
  if (options.model_patterns.empty() && !options.kind && !options.all_models && options.routes.empty() &&
      !options.levers.any()) {
    throw Error(Location{}, "nothing to compare against",
                "--models, --kind, --all, --routes, or a lever (--batch-share, --cache-hit-rate, --max-output, "
                "--no-web-search)");
  }
  std::string by = to_lower(o.common.by);
  if (!by.empty() && !find_group_dimension(by, k_group_compare)) {
    throw Error(Location{},
                fmt::format("--by {}: compare groups by one of {}", by, or_list(group_by_names(k_group_compare))),
                "--by workload");
  }
  if (o.inputs.empty() && o.inline_workload.model.empty()) {
    throw Error(Location{}, "nothing to compare",
                "a workload spec or usage FILE, or --model with --requests and tokens");
  }
  ScenarioCollector collector(catalog, o.common.provider, by, options.levers.max_output,
                              model_mapping(o.usage, o.inputs, catalog, user_config(context), o.common.provider));
  std::vector<Workload> workloads;
  const bool any_usage = read_inputs(o.inputs, o.usage, collector, &workloads, context.err);
  add_inline_workload(o.inline_workload, o.period, workloads);
  if (any_usage && !workloads.empty()) {
    throw Error(Location{}, "both planned workloads and recorded usage given", "one kind per run");
  }
  std::vector<Scenario> scenarios;
  Period period = o.period.empty() ? Period::month : *parse_period(o.period);
  if (any_usage) {
    scenarios = collector.finish();
    const auto& counts = collector.counts();
    if (rejections_fail(counts, o.usage)) {
      for (const auto& r : counts.first_rejections) {
        context.err << "  " << r.where << ": " << r.reason << "\n";
      }
      throw Error(Location{}, rejections_message(counts, o.usage));
    }
  } else {
    if (o.period.empty() && !workloads.empty()) {
      period = workloads.front().period;
    }
    // Planned workloads are compared one by one unless --by says otherwise.
    scenarios = scenarios_from_workloads(catalog, workloads, o.common.provider, period, by.empty() || by == "workload",
                                         options.levers.max_output);
  }
  CompareResult result = run_compare(catalog, scenarios, options);
  if (!any_usage) {
    result.period = std::string(to_string(period));
  } else {
    result.records = collector.counts();
    // As estimate does: JSON holds the records, the other formats leave them to stderr.
    if (!report_holds_records(output_format(o.common))) {
      Report counts;
      counts.records = *result.records;
      context.err << render_record_summary(counts);
    }
  }
  for (const auto& note : collector.notes()) {
    result.notes.push_back(note);
  }
  emit(o.common, context, render_compare(result, render_options(o.common, context, "compare")));
}

} // namespace

void setup_compare(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<CompareCommandOptions>();
  cmd.add_option("inputs", options->inputs, "Workload specs or usage files (as estimate takes them)");
  add_pricing_options(cmd, options->common);
  add_output_options(
      cmd, options->common,
      {OutputFormat::table, OutputFormat::json, OutputFormat::csv, OutputFormat::markdown, OutputFormat::html});
  cmd.add_option(
      "--by", options->common.by,
      "Compare per workload (default for workload specs), project or model, or in total (default for usage)");
  cmd.add_option("--period", options->period, "Period for workloads (default: theirs)")
      ->check(CLI::IsMember({"day", "week", "month", "year"}));
  cmd.add_option("--models", options->models,
                 "Models to compare: ids, provider/id, or patterns ('kimi-*'), comma-separated");
  cmd.add_option("--kind", options->kind, "Every model of this kind (with --models: only those)")
      ->check(CLI::IsMember({"chat", "image", "video", "audio", "tts", "music", "voice"}));
  cmd.add_flag("--all", options->all, "Every chat model of every route");
  cmd.add_option("--routes", options->routes,
                 fmt::format("The same models on these routes ({})", fmt::join(bundled_routes(), ",")));
  cmd.add_option("--batch-share", options->batch_share, "Lever: this share of requests through the Batch API (0..1)");
  cmd.add_option("--cache-hit-rate", options->cache_hit_rate,
                 "Lever: this share of input served from the cache (0..1)");
  cmd.add_option("--max-output", options->max_output, "Lever: cap output tokens per request");
  cmd.add_flag("--no-web-search", options->no_web_search, "Lever: no web-search calls (fees and result tokens)");
  add_chart_options(cmd, options->common, "each alternative's total");
  add_usage_input_options(cmd, options->usage, false);
  add_model_mapping_options(cmd, options->usage);
  add_inline_workload_options(cmd, options->inline_workload, false);
  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    run_compare_command(*options, context);
  });
}

} // namespace llmcost::cli
