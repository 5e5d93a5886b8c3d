// `llmcost estimate`: price planned workloads (spec files or inline flags).

#include "cli/app.hpp"

#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/files.hpp"
#include "cli/inputs.hpp"

#include <fmt/format.h>

namespace llmcost::cli {

namespace {

struct EstimateOptions
{
  CommonOptions common;
  std::vector<std::string> inputs;
  std::string period;
  UsageInputOptions usage;
  // One inline workload.
  std::string name = "inline";
  std::string model;
  std::string requests;
  std::string input_tokens;
  std::string cached_tokens;
  std::string cache_hit_rate;
  std::string output_tokens;
  bool batch = false;
  std::string batch_share;
  std::string web_search_calls;
  std::string search_result_tokens;
  std::string images;
  std::string image_quality;
  std::string image_size;
  std::string video_seconds;
  std::string audio_minutes;
  std::string tts_characters;
  std::string songs;
  std::string music_seconds;
  std::string voices;
  std::string generations;
};

Workload inline_workload(const EstimateOptions& o)
{
  Workload w;
  w.name = o.name;
  w.model = o.model;
  w.where = Location{};
  if (!o.period.empty()) {
    w.period = *parse_period(o.period);
  }
  w.requests = number_flag(o.requests, "--requests", NumberKind::count).value_or(Decimal::from_int(1));
  w.input_tokens = number_flag(o.input_tokens, "--input-tokens", NumberKind::count).value_or(Decimal{});
  w.cached_input_tokens = number_flag(o.cached_tokens, "--cached-tokens", NumberKind::count);
  w.cache_hit_rate = number_flag(o.cache_hit_rate, "--cache-hit-rate", NumberKind::share);
  w.output_tokens = number_flag(o.output_tokens, "--output-tokens", NumberKind::count).value_or(Decimal{});
  w.batch_share = number_flag(o.batch_share, "--batch-share", NumberKind::share).value_or(Decimal{});
  if (o.batch) {
    if (!o.batch_share.empty()) {
      throw Error(Location{}, "--batch and --batch-share both given", "one of them (--batch means --batch-share 1)");
    }
    w.batch_share = Decimal::from_int(1);
  }
  w.web_search_calls = number_flag(o.web_search_calls, "--web-search-calls", NumberKind::amount).value_or(Decimal{});
  w.search_result_tokens = number_flag(o.search_result_tokens, "--search-result-tokens", NumberKind::count).value_or(Decimal{});
  w.images = number_flag(o.images, "--images", NumberKind::amount);
  w.image_quality = o.image_quality;
  w.image_size = o.image_size;
  w.video_seconds = number_flag(o.video_seconds, "--video-seconds", NumberKind::amount);
  w.audio_minutes = number_flag(o.audio_minutes, "--audio-minutes", NumberKind::amount);
  w.tts_characters = number_flag(o.tts_characters, "--tts-characters", NumberKind::count);
  w.songs = number_flag(o.songs, "--songs", NumberKind::amount);
  w.music_seconds = number_flag(o.music_seconds, "--music-seconds", NumberKind::amount);
  w.voices = number_flag(o.voices, "--voices", NumberKind::amount);
  w.generations = number_flag(o.generations, "--generations", NumberKind::amount);
  validate_workload(w);
  return w;
}

bool has_inline_detail(const EstimateOptions& o)
{
  for (const std::string* s : {&o.requests, &o.input_tokens, &o.cached_tokens, &o.cache_hit_rate, &o.output_tokens,
                               &o.batch_share, &o.web_search_calls, &o.search_result_tokens, &o.images,
                               &o.video_seconds, &o.audio_minutes, &o.tts_characters, &o.songs, &o.music_seconds,
                               &o.voices, &o.generations}) {
    if (!s->empty()) {
      return true;
    }
  }
  return o.batch;
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
  AggregateOptions aggregate;
  aggregate.group_by = request.group_by;
  aggregate.provider_hint = o.common.provider;
  aggregate.strict = o.usage.strict;
  aggregate.show_rejects = o.usage.show_rejects;
  aggregate.since = date_flag(o.usage.since, "--since");
  aggregate.until = date_flag(o.usage.until, "--until");
  aggregate.tz_offset_seconds = tz_flag(o.usage.tz);
  UsageAggregator usage(catalog, aggregate);
  const bool any_usage = read_inputs(o.inputs, o.usage, usage, &request.workloads);
  if (!o.model.empty()) {
    request.workloads.push_back(inline_workload(o));
  } else if (has_inline_detail(o)) {
    throw Error(Location{}, "workload flags given without --model", "--model MODEL, e.g. --model moonshot/kimi-k2.6");
  }
  if (any_usage && !request.workloads.empty()) {
    throw Error(Location{}, "both planned workloads and recorded usage given",
                "one kind per run: workload specs / inline flags, or usage files");
  }
  if (!any_usage && request.workloads.empty()) {
    throw Error(Location{}, "nothing to estimate",
                "a workload spec or usage FILE, or --model with --requests and token counts");
  }
  const RenderOptions render = render_options(o.common, context, "estimate");
  if (!any_usage) {
    const Report report = estimate_workloads(catalog, request);
    emit(o.common, context, render_report(report, render));
    return;
  }
  const Report report = usage.finish();
  emit(o.common, context, render_report(report, render));
  if (render.format != OutputFormat::json) {
    context.err << render_record_summary(report);
  }
  if (report.records.rejected > 0 && !o.usage.allow_rejects) {
    context.err << fmt::format("llmcost: error: {} record{} rejected (use --allow-rejects to accept a partial total)\n",
                               report.records.rejected, report.records.rejected == 1 ? "" : "s");
    context.exit_code = 2;
  }
}

} // namespace

void setup_estimate(CLI::App& app, Context& context)
{
  auto options = std::make_shared<EstimateOptions>();
  CLI::App* cmd = app.add_subcommand("estimate", "What planned workloads cost, by workload, route and model");
  cmd->add_option("inputs", options->inputs,
                  "Workload specs (JSON), usage CSVs or JSON traces; directories are read recursively; - for stdin");
  add_pricing_options(*cmd, options->common);
  add_output_options(*cmd, options->common);
  cmd->add_option("--by", options->common.by,
                  "Group rows by: model, provider, workload, project, key, session, day, week, month (comma-separated)");
  add_usage_input_options(*cmd, options->usage, false);

  const std::string group = "Inline workload";
  cmd->add_option("--model", options->model, "Model: provider/id (moonshot/kimi-k2.6), alias, or bare id")->group(group);
  cmd->add_option("--name", options->name, "Name of the inline workload")->group(group)->capture_default_str();
  cmd->add_option("--requests", options->requests, "Requests per period (100k, 1.5M; default 1)")->group(group);
  cmd->add_option("--input-tokens", options->input_tokens, "Input tokens per request, cached part included")->group(group);
  cmd->add_option("--cached-tokens", options->cached_tokens, "Cached (cache-hit) input tokens per request")->group(group);
  cmd->add_option("--cache-hit-rate", options->cache_hit_rate, "Share of input that is cached, 0..1")->group(group);
  cmd->add_option("--output-tokens", options->output_tokens, "Output tokens per request, reasoning included")->group(group);
  cmd->add_flag("--batch", options->batch, "Send every request through the Batch API")->group(group);
  cmd->add_option("--batch-share", options->batch_share, "Share of requests sent through the Batch API, 0..1")->group(group);
  cmd->add_option("--web-search-calls", options->web_search_calls, "$web_search tool calls per request")->group(group);
  cmd->add_option("--search-result-tokens", options->search_result_tokens,
                  "Tokens a search returns, billed as input on the next call")
    ->group(group);
  cmd->add_option("--images", options->images, "Images per request (default 1 on image models)")->group(group);
  cmd->add_option("--image-quality", options->image_quality, "Image quality tier (low, medium, high)")->group(group);
  cmd->add_option("--image-size", options->image_size, "Image size tier (1MP, 4MP)")->group(group);
  cmd->add_option("--video-seconds", options->video_seconds, "Video seconds per request (default 5)")->group(group);
  cmd->add_option("--audio-minutes", options->audio_minutes, "Audio minutes per request")->group(group);
  cmd->add_option("--tts-characters", options->tts_characters, "Characters of speech per request")->group(group);
  cmd->add_option("--songs", options->songs, "Songs per request (default 1)")->group(group);
  cmd->add_option("--music-seconds", options->music_seconds, "Music seconds per request")->group(group);
  cmd->add_option("--voices", options->voices, "Voices per request (default 1)")->group(group);
  cmd->add_option("--generations", options->generations, "Sound effects per request (default 1)")->group(group);

  cmd->callback([options, &context]() { run_estimate_command(*options, context); });
}

} // namespace llmcost::cli
