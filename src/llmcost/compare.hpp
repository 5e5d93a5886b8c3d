#pragma once
// `compare`: the same usage re-priced on other models, other routes, and with
// levers (batch share, cache-hit rate, capped output, no web search), ranked,
// with the saving against the usage as it is.

#include "llmcost/catalog.hpp"
#include "llmcost/chart.hpp"
#include "llmcost/record_dedup.hpp"
#include "llmcost/record_resolver.hpp"
#include "llmcost/render.hpp"
#include "llmcost/usage.hpp"
#include "llmcost/workload.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace llmcost {

struct Levers
{
  std::optional<Decimal> batch_share;
  std::optional<Decimal> cache_hit_rate;
  std::optional<Decimal> max_output; // tokens per request
  bool no_web_search = false;
  bool any() const { return batch_share || cache_hit_rate || max_output || no_web_search; }
};

// One comparison group's usage, independent of what it would cost: per
// original model, its standard and batch parts.
struct Scenario
{
  struct Part
  {
    ResolvedModel model;
    Usage standard;
    Usage batch;
    Decimal capped_output_standard; // output with --max-output applied per request
    Decimal capped_output_batch;
    Decimal search_result_input; // input that came from web-search results (workloads only)
    std::string media_tier;
  };
  std::string key; // workload name, or "all usage"
  std::vector<Part> parts;
  Decimal largest_request_tokens; // input + output of the largest request
};

struct CompareOptions
{
  std::vector<std::string> model_patterns; // --models (globs allowed)
  std::optional<ModelKind> kind;           // --kind
  bool all_models = false;                 // --all
  std::vector<std::string> routes;         // --routes
  Levers levers;
};

struct Alternative
{
  std::string group;
  std::string name;     // "as is", "moonshot/kimi-k2.5", "route kyma", ...
  std::string kind;     // baseline | model | route | levers
  std::string provider; // empty for a mix
  std::string model;
  std::optional<Cost> cost; // absent: n/a
  std::string na_reason;
  Decimal delta;
  std::optional<Decimal> delta_pct;
  bool cheapest = false;
  bool levers_applied = false;
};

struct CompareResult
{
  std::string currency = "USD";
  std::string period; // for workloads
  Levers levers;
  std::vector<Alternative> alternatives; // per group: baseline first, then ranked by total
  std::vector<std::string> notes;
  std::optional<RecordCounts> records; // for usage: what was read, as estimate counts it
};

// Collects usage records into scenarios (one, or one per --by key).
class ScenarioCollector : public RecordSink
{
public:
  ScenarioCollector(const Catalog& catalog, std::string provider_hint, std::string group_by,
                    std::optional<Decimal> max_output, ModelMapping mapping = {});
  void record(const UsageRecord& record) override;
  void reject(const Location& where, const std::string& category, const std::string& detail) override;
  void record_once(const std::string& key, const UsageRecord& record) override;
  void record_response(const ResponseKey& key, const UsageRecord& record) override;
  void skip(const std::string& reason) override;
  std::uint64_t records_read() const override { return m_counts.read; }
  void prefetch_response(const Fingerprint& id) override { m_responses.prefetch(id); }

  // Read in parallel like the aggregator: scenario sums join exactly.
  std::unique_ptr<RecordSink> fork() const override;
  bool admit(const std::vector<RecordSink*>& later) override;
  void join(RecordSink& later, std::size_t line_offset) override;

  std::vector<Scenario> finish();
  const RecordCounts& counts() const { return m_counts; }
  std::vector<std::string> notes() const
  {
    std::vector<std::string> all = input_notes();
    const auto resolver = m_resolver.notes();
    all.insert(all.end(), resolver.begin(), resolver.end());
    return all;
  }

private:
  void process(const UsageRecord& record); // price or reject; `read` already counted
  void count_rejection(const Location& where, const std::string& category, const std::string& detail);
  // Where a scenario's part is (map nodes never move; parts are only appended).
  struct PartPlace
  {
    Scenario* scenario = nullptr;
    std::size_t index = 0;
  };
  // `model`'s part of `key`'s scenario, added at the end on first sight.
  PartPlace part_for(const std::string& key, const ResolvedModel& model);

  const Catalog& m_catalog;
  std::string m_provider_hint;
  ModelMapping m_mapping;
  RecordResolver m_resolver;
  RecordDeduplicator m_deduplicator;
  ResponseSet m_responses;
  std::string m_group_by;
  bool m_key_follows_model; // the scenario key is the model's (or one for all)
  std::optional<Decimal> m_max_output;
  RecordCounts m_counts;
  FirstPlaces m_first_rejections{5}; // listed, as estimate lists by default
  std::map<std::string, Scenario> m_scenarios;
  std::map<std::pair<std::string, const Model*>, std::size_t> m_part_index;
  // When the key follows the model: the model's part.
  std::unordered_map<const Model*, PartPlace> m_part_of_model;
};

// Scenarios from planned workloads (per workload when by_workload, else one).
std::vector<Scenario> scenarios_from_workloads(const Catalog& catalog, const std::vector<Workload>& workloads,
                                               const std::string& provider_hint, Period period, bool by_workload,
                                               std::optional<Decimal> max_output);

CompareResult run_compare(const Catalog& catalog, const std::vector<Scenario>& scenarios,
                          const CompareOptions& options);

std::string render_compare(const CompareResult& result, const RenderOptions& options);
// One group's priced alternatives, in rank order (baseline first), for --chart and HTML.
BarChart compare_chart(const CompareResult& result, const std::string& group);

// Glob match with '*' and '?', case-insensitive.
bool glob_match(std::string_view pattern, std::string_view text);

} // namespace llmcost
