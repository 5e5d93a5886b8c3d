#include "llmcost/compare.hpp"

#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost {

namespace {

Usage minus(const Usage& a, const Usage& b)
{
  Usage out;
  for (const Counter c : k_all_counters) {
    out[c] = a[c] - b[c];
  }
  out.media_units = a.media_units - b.media_units;
  return out;
}

bool has_usage(const Usage& u)
{
  return !u.requests.is_zero();
}

// A part's (standard, batch) usage after the levers.
std::pair<Usage, Usage> apply_levers(const Scenario::Part& part, const Levers& levers)
{
  Usage standard = part.standard;
  Usage batch = part.batch;
  if (levers.max_output) {
    standard.output = part.capped_output_standard;
    batch.output = part.capped_output_batch;
    standard.reasoning = std::min(standard.reasoning, standard.output);
    batch.reasoning = std::min(batch.reasoning, batch.output);
  }
  if (levers.no_web_search) {
    // Search results are input of the next call; workloads know how much.
    const Decimal total_requests = standard.requests + batch.requests;
    if (!total_requests.is_zero() && !part.search_result_input.is_zero()) {
      const Decimal batch_search = part.search_result_input.mul_div(batch.requests, total_requests);
      batch.input -= batch_search;
      standard.input -= part.search_result_input - batch_search;
    }
    standard.web_search_calls = Decimal{};
    batch.web_search_calls = Decimal{};
  }
  if (levers.batch_share) {
    Usage total = standard;
    total += batch;
    batch = scaled(total, *levers.batch_share);
    standard = minus(total, batch);
  }
  if (levers.cache_hit_rate) {
    for (Usage* u : {&standard, &batch}) {
      const Decimal all_input = u->input + u->cached_input;
      u->cached_input = all_input.mul(*levers.cache_hit_rate);
      u->input = all_input - u->cached_input;
      u->cache_write = std::min(u->cache_write, u->input);
    }
  }
  return {standard, batch};
}

// Prices (standard, batch) usage on one model; a reason when it cannot be.
std::optional<Cost> price_on(const ResolvedModel& target, const Usage& standard, const Usage& batch,
                             const std::string& tier, std::string& why)
{
  Cost total;
  for (const auto& [usage, is_batch] : {std::pair{&standard, false}, std::pair{&batch, true}}) {
    if (!has_usage(*usage)) {
      continue;
    }
    const Priced priced =
        price_usage(PriceRequest{target.card, target.model, &target.model->current(), is_batch, tier}, *usage);
    if (!priced.cost) {
      why = priced.not_priceable;
      return std::nullopt;
    }
    total += *priced.cost;
  }
  return total;
}

std::string levers_text(const Levers& levers)
{
  std::vector<std::string> parts;
  if (levers.batch_share) {
    parts.push_back(fmt::format("batch {}%", levers.batch_share->mul_int(100).to_exact_string(0)));
  }
  if (levers.cache_hit_rate) {
    parts.push_back(fmt::format("cache hits {}%", levers.cache_hit_rate->mul_int(100).to_exact_string(0)));
  }
  if (levers.max_output) {
    parts.push_back(fmt::format("output <= {}", levers.max_output->to_exact_string(0)));
  }
  if (levers.no_web_search) {
    parts.emplace_back("no web search");
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

} // namespace

bool glob_match(std::string_view pattern, std::string_view text)
{
  // Iterative wildcard match with backtracking on the last '*'.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

ScenarioCollector::ScenarioCollector(const Catalog& catalog, std::string provider_hint, std::string group_by,
                                     std::optional<Decimal> max_output, ModelMapping mapping)
  : m_catalog(catalog)
  , m_provider_hint(std::move(provider_hint))
  , m_mapping(std::move(mapping))
  , m_resolver(catalog, m_provider_hint, m_mapping)
  , m_group_by(std::move(group_by))
  , m_key_follows_model(m_group_by != "workload" && m_group_by != "project")
  , m_max_output(max_output)
{
}

std::unique_ptr<RecordSink> ScenarioCollector::fork() const
{
  return std::make_unique<ScenarioCollector>(m_catalog, m_provider_hint, m_group_by, m_max_output, m_mapping);
}

bool ScenarioCollector::admit(const std::vector<RecordSink*>& later)
{
  // As the aggregator admits forks: a response already here, or in an
  // earlier fork, sends the file to one pass, which counts it once.
  std::vector<const ResponseSet*> responses;
  for (RecordSink* sink : later) {
    responses.push_back(&dynamic_cast<const ScenarioCollector&>(*sink).m_responses);
  }
  return m_responses.insert_all(responses);
}

void ScenarioCollector::join(RecordSink& later_sink, std::size_t line_offset)
{
  auto& later = dynamic_cast<ScenarioCollector&>(later_sink);
  m_counts.add_tallies(later.m_counts);
  m_first_rejections.join(later.m_first_rejections, line_offset);
  m_counts.duplicates += m_deduplicator.absorb(later.m_deduplicator, line_offset);
  m_resolver.merge_notes(later.m_resolver);
  // Parts in order of first appearance, as one pass adds them.
  for (auto& [key, from] : later.m_scenarios) {
    for (const Scenario::Part& part : from.parts) {
      const auto [scenario, index] = part_for(key, part.model);
      Scenario::Part& mine = scenario->parts[index];
      mine.standard += part.standard;
      mine.batch += part.batch;
      mine.capped_output_standard += part.capped_output_standard;
      mine.capped_output_batch += part.capped_output_batch;
    }
    Scenario& scenario = m_scenarios[key];
    scenario.largest_request_tokens = std::max(scenario.largest_request_tokens, from.largest_request_tokens);
  }
}

void ScenarioCollector::reject(const Location& where, const std::string& category, const std::string& detail)
{
  ++m_counts.read;
  count_rejection(where, category, detail);
}

void ScenarioCollector::count_rejection(const Location& where, const std::string& category, const std::string& detail)
{
  ++m_counts.rejected;
  ++m_counts.rejected_by_reason[category];
  m_first_rejections.add(where, detail);
}

void ScenarioCollector::record_response(const ResponseKey& key, const UsageRecord& record)
{
  // As the aggregator counts responses (see UsageAggregator::record_response).
  ++m_counts.read;
  switch (m_responses.insert(key)) {
  case ResponseSet::Seen::first:
    process(record);
    break;
  case ResponseSet::Seen::again:
    ++m_counts.duplicates;
    break;
  case ResponseSet::Seen::conflicting:
    count_rejection(record.where.location(), k_conflicting_response, conflicting_response_detail(record));
    break;
  }
}

void ScenarioCollector::skip(const std::string& reason)
{
  ++m_counts.skipped_lines[reason];
}

void ScenarioCollector::record_once(const std::string& key, const UsageRecord& record)
{
  ++m_counts.read;
  if (!m_deduplicator.offer(key, record)) {
    ++m_counts.duplicates;
  }
}

void ScenarioCollector::record(const UsageRecord& r)
{
  ++m_counts.read;
  process(r);
}

ScenarioCollector::PartPlace ScenarioCollector::part_for(const std::string& key, const ResolvedModel& model)
{
  Scenario& scenario = m_scenarios[key];
  scenario.key = key;
  auto [it, inserted] = m_part_index.try_emplace({key, model.model}, scenario.parts.size());
  if (inserted) {
    scenario.parts.push_back(Scenario::Part{model, {}, {}, {}, {}, {}, {}});
  }
  return {&scenario, it->second};
}

void ScenarioCollector::process(const UsageRecord& r)
{
  const RecordResolver::Result& resolution = m_resolver.resolve(r.provider, r.model);
  if (!resolution.model) {
    count_rejection(r.where.location(), resolution.category, resolution.problem);
    return;
  }
  if (const auto [category, why] = unpriceable_reason(r, *resolution.model); !why.empty()) {
    count_rejection(r.where.location(), category, why);
    return;
  }
  ++m_counts.priced;
  const ResolvedModel& model = *resolution.model;
  PartPlace place;
  if (m_key_follows_model) {
    auto [cached, inserted] = m_part_of_model.try_emplace(model.model);
    if (inserted) {
      cached->second =
          part_for(m_group_by == "model" ? model.card->provider + "/" + model.model->id : "all usage", model);
    }
    place = cached->second;
  } else {
    place = part_for(r.project.empty() ? "(no project)" : std::string(r.project), model);
  }
  Scenario* scenario = place.scenario;
  Scenario::Part* part = &scenario->parts[place.index];
  const Usage usage = usage_of(r);
  const std::uint64_t capped = m_max_output ? std::min<std::uint64_t>(r.counts[Counter::output],
                                                                      static_cast<std::uint64_t>(m_max_output->whole()))
                                            : r.counts[Counter::output];
  const Decimal capped_output = Decimal::from_int(static_cast<std::int64_t>(capped));
  if (r.batch) {
    part->batch += usage;
    part->capped_output_batch += capped_output;
  } else {
    part->standard += usage;
    part->capped_output_standard += capped_output;
  }
  scenario->largest_request_tokens =
      std::max(scenario->largest_request_tokens,
               Decimal::from_int(static_cast<std::int64_t>(r.counts[Counter::input] + r.counts[Counter::cached_input] +
                                                           r.counts[Counter::output])));
}

std::vector<Scenario> ScenarioCollector::finish()
{
  m_deduplicator.drain([this](const UsageRecord& r) { process(r); });
  m_counts.first_rejections = m_first_rejections.rejections();
  m_part_of_model.clear();
  std::vector<Scenario> out;
  for (auto& [key, scenario] : m_scenarios) {
    out.push_back(std::move(scenario));
  }
  return out;
}

std::vector<Scenario> scenarios_from_workloads(const Catalog& catalog, const std::vector<Workload>& workloads,
                                               const std::string& provider_hint, Period period, bool by_workload,
                                               std::optional<Decimal> max_output)
{
  std::vector<Scenario> out;
  for (const auto& w : workloads) {
    ResolveFailure failure;
    auto resolved = catalog.resolve(w.model, w.provider, provider_hint, failure);
    if (!resolved) {
      throw Error(w.where, fmt::format("workload \"{}\": {}", w.name, failure.problem), failure.expected);
    }
    std::vector<std::string> notes;
    const auto parts = workload_parts(w, *resolved->model, period, notes);
    if (out.empty() || by_workload) {
      out.push_back(Scenario{by_workload ? w.name : "all workloads", {}, {}});
    }
    Scenario& scenario = out.back();
    Scenario::Part part{*resolved, {}, {}, {}, {}, {}, {}};
    const Decimal capped = max_output ? std::min(w.output_tokens, *max_output) : w.output_tokens;
    for (const auto& p : parts) {
      part.media_tier = p.media_tier;
      (p.batch ? part.batch : part.standard) += p.usage;
      (p.batch ? part.capped_output_batch : part.capped_output_standard) += capped.mul(p.usage.requests);
      part.search_result_input += w.web_search_calls.mul(w.search_result_tokens).mul(p.usage.requests);
    }
    scenario.parts.push_back(part);
    scenario.largest_request_tokens =
        std::max(scenario.largest_request_tokens,
                 w.input_tokens + w.output_tokens + w.web_search_calls.mul(w.search_result_tokens));
  }
  return out;
}

namespace {

// The models --models, --all and --kind name, each once, in the order named.
std::vector<ResolvedModel> compare_targets(const Catalog& catalog, const CompareOptions& options)
{
  std::vector<ResolvedModel> targets;
  auto add_target = [&](const Card& card, const Model& model) {
    for (const auto& t : targets) {
      if (t.model == &model) {
        return;
      }
    }
    targets.push_back(ResolvedModel{&card, &model});
  };
  for (const auto& pattern : options.model_patterns) {
    bool matched = false;
    for (const auto& card : catalog.cards()) {
      for (const auto& model : card.models) {
        bool hit = glob_match(pattern, model.id) || glob_match(pattern, card.provider + "/" + model.id);
        for (const auto& alias : model.aliases) {
          hit = hit || glob_match(pattern, alias);
        }
        if (hit && (!options.kind || model.kind == *options.kind)) {
          add_target(card, model);
          matched = true;
        }
      }
    }
    if (!matched) {
      if (const auto [card, entry] = catalog.find_not_carried(pattern, ""); entry != nullptr) {
        throw Error(
            Location{},
            fmt::format("--models: {}/{} is not priced by llmcost: {}", card->provider, entry->id, entry->summary()),
            "a model from `llmcost models`");
      }
      const auto near = catalog.closest(pattern, 3);
      throw Error(Location{}, fmt::format("--models: \"{}\" matches no model", pattern),
                  fmt::format("an id or a pattern such as 'kimi-*'; nearest: {}", fmt::join(near, ", ")));
    }
  }
  if (options.all_models || (options.kind && options.model_patterns.empty())) {
    for (const auto& card : catalog.cards()) {
      for (const auto& model : card.models) {
        if (model.kind == options.kind.value_or(ModelKind::chat)) {
          add_target(card, model);
        }
      }
    }
  }
  return targets;
}

// An alternative not yet priced (its cost starts at zero).
Alternative alternative(const std::string& group, std::string name, std::string kind, std::string provider,
                        std::string model, bool levers_applied)
{
  Alternative alt;
  alt.group = group;
  alt.name = std::move(name);
  alt.kind = std::move(kind);
  alt.provider = std::move(provider);
  alt.model = std::move(model);
  alt.cost = Cost{};
  alt.levers_applied = levers_applied;
  return alt;
}

// Adds `cost` to the alternative, or makes it n/a (why) when there is none.
bool add_cost(Alternative& alt, const std::optional<Cost>& cost, const std::string& why)
{
  if (!cost) {
    alt.cost.reset();
    alt.na_reason = why;
    return false;
  }
  *alt.cost += *cost;
  return true;
}

// The usage as it is, on its own models: what the others are measured against.
Alternative as_is(const Scenario& scenario)
{
  Alternative baseline = alternative(scenario.key, "as is", "baseline", "", "", false);
  std::set<std::string> used;
  for (const auto& part : scenario.parts) {
    used.insert(part.model.card->provider + "/" + part.model.model->id);
    std::string why;
    if (!add_cost(baseline, price_on(part.model, part.standard, part.batch, part.media_tier, why), why)) {
      break;
    }
  }
  if (used.size() == 1) {
    const auto slash = used.begin()->find('/');
    baseline.provider = used.begin()->substr(0, slash);
    baseline.model = used.begin()->substr(slash + 1);
  }
  baseline.name = used.size() == 1 ? "as is (" + *used.begin() + ")" : fmt::format("as is ({} models)", used.size());
  return baseline;
}

// The same models with the levers applied.
Alternative as_is_with_levers(const Scenario& scenario, const Alternative& baseline, const Levers& levers)
{
  Alternative same =
      alternative(scenario.key, "as is + " + levers_text(levers), "levers", baseline.provider, baseline.model, true);
  for (const auto& part : scenario.parts) {
    const auto [standard, batch] = apply_levers(part, levers);
    std::string why;
    if (!add_cost(same, price_on(part.model, standard, batch, part.media_tier, why), why)) {
      break;
    }
  }
  return same;
}

// All the usage on one target model; n/a for media usage of another model,
// and for requests larger than the target's context window.
Alternative on_model(const Scenario& scenario, const ResolvedModel& target, const Levers& levers)
{
  Alternative alt = alternative(scenario.key, target.card->provider + "/" + target.model->id, "model",
                                target.card->provider, target.model->id, levers.any());
  if (levers.any()) {
    alt.name += " + " + levers_text(levers);
  }
  Usage standard;
  Usage batch;
  bool media = false;
  std::string tier;
  for (const auto& part : scenario.parts) {
    const auto [s, b] = apply_levers(part, levers);
    standard += s;
    batch += b;
    media = media || part.model.model->kind != ModelKind::chat;
    tier = part.media_tier;
  }
  if (media && (scenario.parts.size() != 1 || scenario.parts[0].model.model != target.model)) {
    alt.cost.reset();
    alt.na_reason = "a media workload cannot be re-priced on another model";
  } else if (target.model->context_window &&
             Decimal::from_int(*target.model->context_window) < scenario.largest_request_tokens) {
    alt.cost.reset();
    alt.na_reason = fmt::format("context window {} is smaller than the largest request ({} tokens)",
                                group_thousands(std::to_string(*target.model->context_window)),
                                format_quantity(scenario.largest_request_tokens.round(0)));
  } else {
    std::string why;
    alt.cost = price_on(target, standard, batch, tier, why);
    alt.na_reason = why;
  }
  return alt;
}

// The route's markup on a model another route also sells, from the cards
// ("" when the prices do not allow the ratio).
std::string markup_note(const std::string& route, const Model& same, const Scenario::Part& part)
{
  const auto& a = same.current();
  const auto& b = part.model.model->current();
  if (!a.input || !b.input || !a.output || !b.output || b.input->amount.is_zero() || b.output->amount.is_zero()) {
    return {};
  }
  return fmt::format("{}/{} vs {}/{}: input x{}, output x{}", route, same.id, part.model.card->provider,
                     part.model.model->id, a.input->amount.mul_div(Decimal::from_int(1), b.input->amount).to_string(2),
                     a.output->amount.mul_div(Decimal::from_int(1), b.output->amount).to_string(2));
}

// Each part on the same model id sold by another route; its markups noted once.
Alternative on_route(const Card& card, const Scenario& scenario, const Alternative& baseline, const Levers& levers,
                     std::vector<std::string>& notes)
{
  const std::string& route = card.provider;
  Alternative alt = alternative(scenario.key, "route " + route, "route", route, baseline.model, levers.any());
  if (levers.any()) {
    alt.name += " + " + levers_text(levers);
  }
  for (const auto& part : scenario.parts) {
    const Model* same = card.find_model(part.model.model->id);
    if (same == nullptr) {
      alt.cost.reset();
      alt.na_reason = fmt::format("route {} does not sell {}", route, part.model.model->id);
      break;
    }
    if (same != part.model.model) {
      const std::string note = markup_note(route, *same, part);
      if (!note.empty() && std::find(notes.begin(), notes.end(), note) == notes.end()) {
        notes.push_back(note);
      }
    }
    const auto [standard, batch] = apply_levers(part, levers);
    std::string why;
    if (!add_cost(alt, price_on(ResolvedModel{&card, same}, standard, batch, part.media_tier, why), why)) {
      break;
    }
  }
  return alt;
}

// Deltas against the baseline (first), ranking (priced by total, then n/a),
// the cheapest marked.
void rank(std::vector<Alternative>& alternatives)
{
  const std::optional<Cost> baseline = alternatives.front().cost;
  for (auto& alt : alternatives) {
    if (alt.cost && baseline) {
      alt.delta = alt.cost->total() - baseline->total();
      if (!baseline->total().is_zero()) {
        alt.delta_pct = alt.delta.mul_div(Decimal::from_int(100), baseline->total());
      }
    }
  }
  std::stable_sort(alternatives.begin() + 1, alternatives.end(), [](const Alternative& a, const Alternative& b) {
    if (a.cost.has_value() != b.cost.has_value()) {
      return a.cost.has_value();
    }
    if (a.cost && a.cost->total() != b.cost->total()) {
      return a.cost->total() < b.cost->total();
    }
    return a.name < b.name;
  });
  Alternative* cheapest = nullptr;
  for (auto& alt : alternatives) {
    if (alt.cost && (cheapest == nullptr || alt.cost->total() < cheapest->cost->total())) {
      cheapest = &alt;
    }
  }
  if (cheapest != nullptr) {
    cheapest->cheapest = true;
  }
}

} // namespace

CompareResult run_compare(const Catalog& catalog, const std::vector<Scenario>& scenarios, const CompareOptions& options)
{
  CompareResult result;
  result.levers = options.levers;
  const std::vector<ResolvedModel> targets = compare_targets(catalog, options);
  std::vector<const Card*> routes;
  for (const auto& route : options.routes) {
    routes.push_back(catalog.find_card(route));
    if (routes.back() == nullptr) {
      throw Error(Location{}, fmt::format("--routes: unknown route \"{}\"", route),
                  fmt::format("{}", fmt::join(catalog.routes(), ", ")));
    }
  }
  for (const auto& scenario : scenarios) {
    std::vector<Alternative> alternatives = {as_is(scenario)};
    if (options.levers.any()) {
      alternatives.push_back(as_is_with_levers(scenario, alternatives.front(), options.levers));
    }
    for (const auto& target : targets) {
      alternatives.push_back(on_model(scenario, target, options.levers));
    }
    for (const Card* card : routes) {
      alternatives.push_back(on_route(*card, scenario, alternatives.front(), options.levers, result.notes));
    }
    rank(alternatives);
    result.alternatives.insert(result.alternatives.end(), alternatives.begin(), alternatives.end());
  }
  // Planning on a retired (or deprecated) model: say so, with its successor.
  auto warn = [&result](const ResolvedModel& resolved) {
    if (std::string warning = lifecycle_warning(*resolved.card, *resolved.model);
        !warning.empty() && std::find(result.notes.begin(), result.notes.end(), warning) == result.notes.end()) {
      result.notes.push_back(std::move(warning));
    }
  };
  for (const auto& scenario : scenarios) {
    for (const auto& part : scenario.parts) {
      warn(part.model);
    }
  }
  for (const auto& target : targets) {
    warn(target);
  }
  if (options.levers.no_web_search) {
    result.notes.push_back("--no-web-search drops search fees; for recorded traces the search results already inside "
                           "prompt tokens stay, and Sonar still searches on every request");
  }
  return result;
}

} // namespace llmcost
