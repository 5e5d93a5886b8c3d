#include "llmcost/estimate.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

namespace llmcost {

std::vector<std::string> describe_notes(unsigned notes, const Card& card, const Model& model)
{
  std::vector<std::string> out;
  const std::string who = card.provider + "/" + model.id;
  if ((notes & k_note_cached_at_input) != 0U) {
    out.push_back(
        fmt::format("{}: the card lists no cached-input price; cached tokens are billed at the input price", who));
  }
  if ((notes & k_note_approximate) != 0U) {
    out.push_back(fmt::format("{}: the source gives an approximate (~) price", who));
  }
  if ((notes & k_note_rounded) != 0U) {
    out.push_back(fmt::format("{}: fractional quantities: a product was rounded half-to-even at 1e-12 USD", who));
  }
  if ((notes & k_note_request_fee) != 0U) {
    const auto& fee = model.current().request_fee;
    out.push_back(fmt::format("{}: flat {} fee of ${} on every request", who, model.current().request_fee_label,
                              fee ? fee->amount.to_exact_string(2) : "?"));
  }
  if ((notes & k_note_search_fee) != 0U && card.web_search_call_fee) {
    out.push_back(fmt::format("{}: web search billed ${} per call; result tokens are billed as input", card.provider,
                              card.web_search_call_fee->amount.to_exact_string(2)));
  }
  if ((notes & k_note_cache_write_at_input) != 0U) {
    out.push_back(
        fmt::format("{}: the card lists no cache-write price; cache writes are billed at the input price", who));
  }
  return out;
}

void add_priced(Report& report, ReportRow& row, const Usage& usage, const Priced& priced, const PriceRequest& request)
{
  const Card& card = *request.card;
  const Model& model = *request.model;
  const std::string name = card.provider + "/" + model.id;
  const std::string applied = describe_applied_prices(card, model, *request.prices, request.batch);
  report.prices_used[request.batch ? name + " (batch)" : name] = applied;
  if (request.batch) {
    report.add_note(fmt::format("batch prices for {}: {}", name, applied));
  }
  if (!usage.web_search_calls.is_zero() && card.web_search_call_fee && !request.prices->request_fee) {
    report.prices_used[card.provider + "/$web_search"] =
        card.web_search_call_fee->amount.to_exact_string(2) + " per call";
  }
  if (request.batch) {
    row.batch_requests += usage.requests;
  }
  row.usage += usage;
  row.cost += *priced.cost;
  row.notes |= priced.notes;
  for (const auto& note : describe_notes(priced.notes, card, model)) {
    report.add_note(note);
  }
}

namespace {

[[noreturn]] void fail_workload(const Workload& w, const std::string& problem, const std::string& expected)
{
  throw Error(w.where, fmt::format("workload \"{}\": {}", w.name, problem), expected);
}

// One request's tokens and search calls (search results are input).
Usage token_usage_per_request(const Workload& w)
{
  Usage per_request;
  per_request.requests = Decimal::from_int(1);
  const Decimal cached = w.cached_per_request();
  if (cached > w.input_tokens) {
    fail_workload(w, "cached tokens exceed input tokens", "cached tokens to be part of input_tokens");
  }
  per_request.input = (w.input_tokens - cached) + w.web_search_calls.mul(w.search_result_tokens);
  per_request.cached_input = cached;
  per_request.output = w.output_tokens;
  per_request.web_search_calls = w.web_search_calls;
  return per_request;
}

// One request's quantity in a media model's unit: the workload's field, a
// default of one where a request makes one, the card's default or minimum.
Decimal media_units_per_request(const Workload& w, const Model& model, std::vector<std::string>& notes)
{
  const Decimal one = Decimal::from_int(1);
  const MediaPrice& media = *model.current().media;
  auto need = [&](const std::optional<Decimal>& value, const char* field) {
    if (!value) {
      fail_workload(w,
                    fmt::format("{} is priced per {} but \"{}\" is not given", model.id, to_string(media.unit), field),
                    fmt::format("\"{}\" per request", field));
    }
    return *value;
  };
  switch (media.unit) {
  case MediaUnit::image:
    return w.images.value_or(one);
  case MediaUnit::second:
    if (model.kind == ModelKind::music) {
      return need(w.music_seconds, "music_seconds");
    }
    if (w.video_seconds) {
      return *w.video_seconds;
    }
    if (media.default_seconds) {
      notes.push_back(fmt::format("workload \"{}\": no video_seconds; {}'s default of {} s per request used", w.name,
                                  model.id, media.default_seconds->to_exact_string(0)));
      return *media.default_seconds;
    }
    return need(w.video_seconds, "video_seconds");
  case MediaUnit::call:
    return one;
  case MediaUnit::minute: {
    const Decimal minutes = need(w.audio_minutes, "audio_minutes");
    if (media.minimum && minutes < *media.minimum) {
      notes.push_back(fmt::format("workload \"{}\": {} bills at least {} minute(s) per request", w.name, model.id,
                                  media.minimum->to_exact_string(0)));
      return *media.minimum;
    }
    return minutes;
  }
  case MediaUnit::kilo_characters:
    return need(w.tts_characters, "tts_characters");
  case MediaUnit::song:
    return w.songs.value_or(one);
  case MediaUnit::voice:
    return w.voices.value_or(one);
  case MediaUnit::generation:
    return w.generations.value_or(one);
  }
  return one;
}

// The period asked for, else the workloads' own when they agree, else a month.
Period report_period(const EstimateRequest& request, Report& report)
{
  if (request.period || request.workloads.empty()) {
    return request.period.value_or(Period::month);
  }
  const Period period = request.workloads.front().period;
  for (const auto& w : request.workloads) {
    if (w.period != period) {
      report.add_note("workloads use different periods; all are converted to a month (365/12 days)");
      return Period::month;
    }
  }
  return period;
}

} // namespace

std::string lifecycle_warning(const Card& card, const Model& model)
{
  const std::string successor = model.successor.empty() ? "" : fmt::format("; its successor: {}", model.successor);
  if (model.retired) {
    return fmt::format("warning: {}/{} is retired since {} ({}){}", card.provider, model.id,
                       format_date(model.retired->day), model.retired->source, successor);
  }
  if (model.deprecated) {
    return fmt::format("warning: {}/{} is deprecated since {} ({}){}", card.provider, model.id,
                       format_date(model.deprecated->day), model.deprecated->source, successor);
  }
  return {};
}

std::vector<WorkloadPart> workload_parts(const Workload& w, const Model& model, Period report_period,
                                         std::vector<std::string>& notes)
{
  bool inexact = false;
  const Decimal requests = convert_period(w.requests, w.period, report_period, &inexact);
  if (inexact) {
    notes.push_back(fmt::format("workload \"{}\": {} requests per {} is a fractional count per {}; rounded at 1e-12",
                                w.name, w.requests.to_exact_string(0), to_string(w.period), to_string(report_period)));
  }
  const Decimal batch_requests = requests.mul(w.batch_share);
  const Decimal standard_requests = requests - batch_requests;

  // Per-request usage, then scaled by the request count of each part.
  Usage per_request = token_usage_per_request(w);
  std::string tier;
  if (model.kind != ModelKind::chat) {
    const MediaPrice& media = *model.current().media;
    if (!w.input_tokens.is_zero() || !w.output_tokens.is_zero()) {
      fail_workload(w,
                    fmt::format("{} is a {} model, priced per {}; it takes no input/output tokens", model.id,
                                to_string(model.kind), to_string(media.unit)),
                    "the media quantity for this model instead of tokens");
    }
    per_request.media_units = media_units_per_request(w, model, notes);
    if (!media.tier_by.empty()) {
      tier = media.tier_by == "image_quality" ? w.image_quality : w.image_size;
    }
  } else if (model.context_window) {
    const Decimal window = Decimal::from_int(*model.context_window);
    const Decimal request_tokens = w.input_tokens + w.output_tokens;
    if (request_tokens > window) {
      notes.push_back(
          fmt::format("workload \"{}\": {} input+output tokens per request exceed {}'s context window of {}", w.name,
                      request_tokens.to_exact_string(0), model.id, *model.context_window));
    }
  }

  std::vector<WorkloadPart> parts;
  for (const auto& [is_batch, count] : {std::pair{false, standard_requests}, std::pair{true, batch_requests}}) {
    if (count.is_zero()) {
      continue;
    }
    WorkloadPart part;
    part.batch = is_batch;
    part.media_tier = tier;
    part.usage = scaled(per_request, count);
    parts.push_back(part);
  }
  return parts;
}

namespace {

// A planned workload's value of a dimension estimate_workloads accepted.
std::string workload_key(GroupDimension dimension, const Workload& w, const Card& card, const Model& model)
{
  switch (dimension) {
  case GroupDimension::provider:
    return card.provider;
  case GroupDimension::model:
    return model.id;
  case GroupDimension::project:
    return w.name;
  case GroupDimension::key:
  case GroupDimension::session:
  case GroupDimension::day:
  case GroupDimension::week:
  case GroupDimension::month:
  case GroupDimension::total:
    break; // refused: not k_group_workloads
  }
  return {};
}

} // namespace

Report estimate_workloads(const Catalog& catalog, const EstimateRequest& request)
{
  Report report;
  std::vector<std::string> by = request.group_by;
  if (by.empty()) {
    by = {"workload", "provider", "model"};
  }
  std::vector<GroupDimension> dimensions;
  for (const auto& dim : by) {
    const auto dimension = find_group_dimension(dim, k_group_workloads);
    if (!dimension) {
      throw Error(Location{}, fmt::format("--by {}: planned workloads have no {}", dim, dim),
                  fmt::format("{} (the others need usage records)", or_list(group_by_names(k_group_workloads))));
    }
    dimensions.push_back(*dimension);
  }
  report.key_names = by;

  const Period period = report_period(request, report);
  report.period = std::string(to_string(period));

  std::map<std::vector<std::string>, std::size_t> row_of;
  for (const auto& w : request.workloads) {
    ResolveFailure failure;
    auto resolved = catalog.resolve(w.model, w.provider, request.provider_hint, failure);
    if (!resolved) {
      fail_workload(w, failure.problem, failure.expected);
    }
    const Card& card = *resolved->card;
    const Model& model = *resolved->model;
    std::vector<std::string> notes;
    if (std::string warning = lifecycle_warning(card, model); !warning.empty()) {
      notes.push_back(std::move(warning)); // planning on a retired model
    }
    const auto parts = workload_parts(w, model, period, notes);
    for (const auto& note : notes) {
      report.add_note(note);
    }
    std::vector<std::string> keys;
    for (const GroupDimension dimension : dimensions) {
      keys.push_back(workload_key(dimension, w, card, model));
    }
    auto [it, inserted] = row_of.try_emplace(keys, report.rows.size());
    if (inserted) {
      report.rows.emplace_back().keys = keys;
    }
    ReportRow& row = report.rows[it->second];
    row.cache_lever = row.cache_lever || w.cache_hit_rate || w.cached_input_tokens;
    for (const auto& part : parts) {
      PriceRequest price_request{&card, &model, &model.current(), part.batch, part.media_tier};
      Priced priced = price_usage(price_request, part.usage);
      if (!priced.cost) {
        fail_workload(w, priced.not_priceable,
                      !part.batch            ? ""
                      : card.batch_available ? "batch_share 0, or a model the route's Batch API serves"
                                             : "batch_share 0 on this route, or a route with a Batch API");
      }
      add_priced(report, row, part.usage, priced, price_request);
    }
  }
  report.add_up_rows();
  return report;
}

} // namespace llmcost
