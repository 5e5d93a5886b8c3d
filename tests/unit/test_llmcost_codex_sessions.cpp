// Codex CLI rollout lines (codex_sessions.hpp, read by trace_reader): the
// model from turn_context, re-emitted and replayed token_counts, and the
// context kept across the blocks of one file.

#include "llmcost/aggregator.hpp"
#include "llmcost/codex_sessions.hpp"
#include "llmcost/usage_jsonl.hpp"
#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace llmcost;

namespace {

AggregateOptions aliased_to_kimi()
{
  AggregateOptions options;
  options.model_mapping.aliases.emplace_back("gpt-5-codex", "moonshot/kimi-k2.6");
  return options;
}

std::string meta(const std::string& id, const std::string& extra = "")
{
  return R"({"timestamp":"2026-05-01T09:00:00.000Z","type":"session_meta","payload":{"id":")" + id + "\"" + extra +
         "}}\n";
}

const std::string k_context =
    R"({"timestamp":"2026-05-01T09:00:01.000Z","type":"turn_context","payload":{"cwd":"/w","model":"gpt-5-codex"}})"
    "\n";

std::string usage(int input, int cached, int output)
{
  return R"({"input_tokens":)" + std::to_string(input) + R"(,"cached_input_tokens":)" + std::to_string(cached) +
         R"(,"output_tokens":)" + std::to_string(output) + R"(,"reasoning_output_tokens":0,"total_tokens":)" +
         std::to_string(input + output) + "}";
}

std::string token_count(const std::string& last, const std::string& total)
{
  return R"({"timestamp":"2026-05-01T09:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{)"
         R"("total_token_usage":)" +
         total + R"(,"last_token_usage":)" + last + "}}}\n";
}

} // namespace

TEST_SUITE("codex sessions")
{
  TEST_CASE("a re-emitted token_count (same running total) counts once")
  {
    UsageAggregator aggregator(test::bundled(), aliased_to_kimi());
    const std::string call = token_count(usage(1000, 400, 100), usage(1000, 400, 100));
    read_usage_jsonl(meta("s1") + k_context + call + call, "r.jsonl", aggregator);
    const Report report = aggregator.finish();
    CHECK(report.records.priced == 1);
    CHECK(report.records.duplicates == 1);
    // 600 × 0.95 + 400 × 0.16 + 100 × 4.00, per 1M.
    CHECK(report.total_cost.total() == *Decimal::parse("0.001034"));
  }

  TEST_CASE("two sessions whose first calls have equal counts are two calls; a fork's replay is not")
  {
    UsageAggregator aggregator(test::bundled(), aliased_to_kimi());
    const std::string first = token_count(usage(1000, 400, 100), usage(1000, 400, 100));
    read_usage_jsonl(meta("s1") + k_context + first, "a.jsonl", aggregator);
    read_usage_jsonl(meta("s2") + k_context + first, "b.jsonl", aggregator);
    read_usage_jsonl(meta("s3", R"(,"forked_from_id":"s1")") + k_context + first, "c.jsonl", aggregator);
    const Report report = aggregator.finish();
    CHECK(report.records.priced == 2);
    CHECK(report.records.duplicates == 1);
  }

  TEST_CASE("the model and session carry across the blocks of one file")
  {
    UsageAggregator aggregator(test::bundled(), aliased_to_kimi());
    CodexContext context;
    read_usage_jsonl(meta("s1") + k_context, "r.jsonl", aggregator, 1, true, true, std::nullopt, &context);
    read_usage_jsonl(token_count(usage(1000, 400, 100), usage(1000, 400, 100)), "r.jsonl", aggregator, 3, true, false,
                     std::nullopt, &context);
    const Report report = aggregator.finish();
    CHECK(report.records.priced == 1);
    CHECK(report.records.rejected == 0);
  }

  TEST_CASE("a token_count before any turn_context has no model and is refused with the hint")
  {
    UsageAggregator aggregator(test::bundled(), aliased_to_kimi());
    read_usage_jsonl(meta("s1") + token_count(usage(1000, 400, 100), usage(1000, 400, 100)), "r.jsonl", aggregator);
    const Report report = aggregator.finish();
    CHECK(report.records.priced == 0);
    REQUIRE(report.records.first_rejections.size() == 1);
    CHECK(report.records.first_rejections.front().reason.find("--assume-model") != std::string::npos);
  }

  TEST_CASE("a rollout's start is told from other JSON lines")
  {
    CHECK(is_codex_rollout(meta("s1") + k_context));
    CHECK_FALSE(is_codex_rollout(k_context + meta("s1")));
    CHECK_FALSE(is_codex_rollout(R"({"model":"gpt-4.1","usage":{"prompt_tokens":1}})"));
  }
}
