// Kimi session lines (kimi_sessions.hpp, read by trace_reader) and the
// resolver's model mapping (--assume-model, --model-alias).

#include "llmcost/aggregator.hpp"
#include "llmcost/record_resolver.hpp"
#include "llmcost/usage_jsonl.hpp"
#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace llmcost;

namespace {

ModelMapping assumed(const std::string& model)
{
  ModelMapping mapping;
  mapping.assumed_model = model;
  mapping.assumed_source = "--assume-model";
  return mapping;
}

ModelMapping aliased(const std::string& from, const std::string& to)
{
  ModelMapping mapping;
  mapping.aliases.emplace_back(from, to);
  return mapping;
}

Report read_lines(const std::string& text, ModelMapping mapping)
{
  AggregateOptions options;
  options.model_mapping = std::move(mapping);
  UsageAggregator aggregator(test::bundled(), options);
  read_usage_jsonl(text, "kimi.jsonl", aggregator);
  return aggregator.finish();
}

const std::string k_status =
    R"({"timestamp": 1780300804.02, "message": {"type": "StatusUpdate", "payload": {"context_usage": 0.02, )"
    R"("token_usage": {"input_other": 1200, "output": 300, "input_cache_read": 4800, "input_cache_creation": 0}, )"
    R"("message_id": "chatcmpl-a"}}})"
    "\n";
const std::string k_subagent_copy =
    R"({"timestamp": 1780300804.02, "message": {"type": "SubagentEvent", "payload": {"agent_id": "x", "event": )"
    R"({"type": "StatusUpdate", "payload": {"token_usage": {"input_other": 1200, "output": 300, )"
    R"("input_cache_read": 4800, "input_cache_creation": 0}, "message_id": "chatcmpl-a"}}}}})"
    "\n";

} // namespace

TEST_SUITE("kimi sessions")
{
  TEST_CASE("a Kimi CLI response counts once, wrapped in a SubagentEvent or not")
  {
    const Report report = read_lines(k_status + k_subagent_copy, assumed("moonshot/kimi-k2.6"));
    CHECK(report.records.priced == 1);
    CHECK(report.records.duplicates == 1);
    // 1,200 × 0.95 + 4,800 × 0.16 + 300 × 4.00 per 1M
    CHECK(report.total_cost.total() == *Decimal::parse("0.003108"));
  }

  TEST_CASE("without an assumed model a Kimi CLI record is rejected with the hint")
  {
    const Report report = read_lines(k_status, {});
    CHECK(report.records.priced == 0);
    REQUIRE(report.records.first_rejections.size() == 1);
    CHECK(report.records.first_rejections.front().reason.find("--assume-model") != std::string::npos);
  }

  TEST_CASE("a token_usage member the reader does not know is refused")
  {
    const std::string line =
        R"({"timestamp": 1780300804.02, "message": {"type": "StatusUpdate", "payload": {"token_usage": )"
        R"({"input_other": 1, "output": 2, "input_cache_hit": 3}, "message_id": "m"}}})"
        "\n";
    const Report report = read_lines(line, assumed("moonshot/kimi-k2.6"));
    CHECK(report.records.rejected == 1);
  }

  TEST_CASE("Kimi Code records: both scopes priced, a copied record once, aliases counted")
  {
    const std::string turn =
        R"({"type":"usage.record","model":"kimi-code/kimi-for-coding","usage":{"inputOther":3000,"output":500,)"
        R"("inputCacheRead":12000,"inputCacheCreation":0},"usageScope":"turn","time":1780300800000})"
        "\n";
    const std::string session =
        R"({"type":"usage.record","model":"kimi-code/kimi-for-coding","usage":{"inputOther":15000,"output":2000,)"
        R"("inputCacheRead":0,"inputCacheCreation":0},"usageScope":"session","time":1780300860000})"
        "\n";
    const Report report =
        read_lines(turn + session + turn, aliased("kimi-code/kimi-for-coding", "moonshot/kimi-k2.7-code"));
    CHECK(report.records.priced == 2);
    CHECK(report.records.duplicates == 1);
    const bool noted = std::any_of(report.notes.begin(), report.notes.end(), [](const std::string& note) {
      return note.find("kimi-code/kimi-for-coding") != std::string::npos && note.ends_with(": 2");
    });
    CHECK(noted);
  }
}
