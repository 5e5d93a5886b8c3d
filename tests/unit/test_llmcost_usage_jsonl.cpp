// The JSON trace reader finds the members it reads in one pass over each
// object: it must read exactly what looking each name up would (the last of
// repeated names, names compared unescaped, null as missing).

#include "llmcost/aggregator.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace llmcost;

namespace {

// What the reader sent, one line per record, rejection or skip.
class ListSink : public RecordSink
{
public:
  std::vector<std::string> seen;

  void record(const UsageRecord& r) override { seen.push_back(describe(r)); }
  void reject(const Location& where, const std::string& category, const std::string& detail) override
  {
    seen.push_back(where.to_string() + " rejected: " + category + ": " + detail);
  }
  void record_once(const std::string& key, const UsageRecord& r) override
  {
    seen.push_back("once " + key + " " + describe(r));
  }
  void record_response(const ResponseKey&, const UsageRecord& r) override { seen.push_back("response " + describe(r)); }
  void skip(const std::string& reason) override { seen.push_back("skip " + reason); }
  std::uint64_t records_read() const override { return seen.size(); }

private:
  static std::string describe(const UsageRecord& r)
  {
    return std::to_string(r.where.line) + " " + std::string(r.provider) + "/" + std::string(r.model) +
           " id=" + std::string(r.request_id) + " in=" + std::to_string(r.counts[Counter::input]) +
           " cached=" + std::to_string(r.counts[Counter::cached_input]) +
           " write=" + std::to_string(r.counts[Counter::cache_write]) +
           " out=" + std::to_string(r.counts[Counter::output]) +
           " reasoning=" + std::to_string(r.counts[Counter::reasoning]) +
           " time=" + (r.time ? std::to_string(*r.time) : "none") + (r.batch ? " batch" : "") +
           (r.billed ? " billed=" + r.billed->to_exact_string() : "");
  }
};

std::vector<std::string> read_lines(const std::string& text)
{
  ListSink sink;
  read_usage_jsonl(text, "t.jsonl", sink);
  return sink.seen;
}

} // namespace

TEST_SUITE("usage_jsonl")
{
  TEST_CASE("repeated member names: the last one is read, at every level")
  {
    const auto seen = read_lines(
        R"({"model":"a","id":"x","model":"kimi-k2.6","usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens":10}})"
        "\n"
        R"({"model":"kimi-k2.6","usage":{"prompt_tokens":1},"usage":{"prompt_tokens":7,"completion_tokens":3}})"
        "\n");
    const std::vector<std::string> expected = {
        "response 1 /kimi-k2.6 id=x in=10 cached=0 write=0 out=2 reasoning=0 time=none",
        "2 /kimi-k2.6 id= in=7 cached=0 write=0 out=3 reasoning=0 time=none"};
    CHECK(seen == expected);
  }

  TEST_CASE("a repeated name whose last value is null reads as missing")
  {
    const auto seen = read_lines(
        R"({"model":"kimi-k2.6","created":1769940000,"created":null,"usage":{"prompt_tokens":5,"completion_tokens":2,"completion_tokens":null}})"
        "\n"
        R"({"model":"kimi-k2.6","usage":{"prompt_tokens":5},"usage":null})"
        "\n");
    const std::vector<std::string> expected = {"1 /kimi-k2.6 id= in=5 cached=0 write=0 out=0 reasoning=0 time=none",
                                               "skip objects without usage (e.g. stream chunks)"};
    CHECK(seen == expected);
  }

  TEST_CASE("member names are compared unescaped")
  {
    const auto seen = read_lines(
        R"({"mod\u0065l":"kimi-k2.6","\u0075sage":{"prompt_tok\u0065ns":4,"completion_tokens":1},"provider":"x"})"
        "\n"
        // An escape that decodes to another name does not match.
        R"({"model\u0000":"kimi-k2.6","usage":{"prompt_tokens":4,"completion_tokens":1}})"
        "\n"
        R"({"type":"ass\u0069stant","sessionId":"s","requestId":"r","message":{"\u0069d":"m","model":"claude-x","usage":{"input_tokens":1,"output_tokens":2}}})"
        "\n");
    const std::vector<std::string> expected = {
        "1 x/kimi-k2.6 id= in=4 cached=0 write=0 out=1 reasoning=0 time=none",
        "t.jsonl:2:1 rejected: no model: usage without a model (expected a \"model\" field)",
        "once cc:m:r 3 /claude-x id=r in=1 cached=0 write=0 out=2 reasoning=0 time=none"};
    CHECK(seen == expected);
  }

  TEST_CASE("a usage shape the readers do not know is rejected, never read as zero tokens")
  {
    const auto seen = read_lines(
        // Known members that carry nothing to price: read as usual.
        R"({"model":"m","usage":{"queue_time":0.1,"prompt_tokens":5,"prompt_time":0.2,"completion_tokens":2,"total_tokens":7,"total_time":0.3}})"
        "\n"
        R"({"type":"message","model":"a","usage":{"input_tokens":1,"output_tokens":2,"speed":"fast","inference_geo":"us"}})"
        "\n"
        // None of the token fields: not zero tokens.
        R"({"model":"m","usage":{"input":100,"output":50}})"
        "\n"
        // A quantity under a name the readers do not know (DeepSeek's cache hits).
        R"({"model":"m","usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_cache_hit_tokens":8}})"
        "\n"
        // Usage-like members in a shape no reader knows (a spend row without
        // LiteLLM's spend, a Langfuse-like object without traceId/startTime).
        R"({"request_id":"r","model":"m","cost":0.1,"prompt_tokens":10,"completion_tokens":2})"
        "\n"
        R"({"id":"o","type":"GENERATION","model":"m","usageDetails":{"input":3,"output":1}})"
        "\n"
        // "usage": null (an OpenAI stream chunk) is no usage: skipped.
        R"({"id":"c","object":"chat.completion.chunk","model":"m","choices":[],"usage":null})"
        "\n");
    REQUIRE(seen.size() == 7);
    CHECK(seen[0] == "1 /m id= in=5 cached=0 write=0 out=2 reasoning=0 time=none");
    CHECK(seen[1] == "2 /a id= in=1 cached=0 write=0 out=2 reasoning=0 time=none");
    CHECK(seen[2] ==
          "t.jsonl:3:1 rejected: unknown usage shape: usage object with none of the token fields the readers "
          "know (it has: input, output; expected prompt_tokens/completion_tokens or "
          "input_tokens/output_tokens)");
    CHECK(seen[3].rfind("t.jsonl:4:1 rejected: unknown usage shape: usage object with fields the readers do not know: "
                        "prompt_cache_hit_tokens (",
                        0) == 0);
    CHECK(seen[4].rfind("t.jsonl:5:1 rejected: unknown usage shape: an object with \"prompt_tokens\"", 0) == 0);
    CHECK(seen[5].rfind("t.jsonl:6:1 rejected: unknown usage shape: an object with \"usageDetails\"", 0) == 0);
    CHECK(seen[6] == "skip objects without usage (e.g. stream chunks)");
  }

  TEST_CASE("export rows: LiteLLM cache reads from metadata.usage_object, Langfuse's disjoint buckets")
  {
    const auto seen = read_lines(
        R"({"request_id":"r1","model":"m","spend":0.1,"prompt_tokens":10,"completion_tokens":2,"startTime":"2026-03-12T09:30:01Z","metadata":{"usage_object":{"prompt_tokens_details":{"cached_tokens":4}}}})"
        "\n"
        R"({"id":"o1","traceId":"t","type":"GENERATION","startTime":"2026-03-14T08:15:02Z","model":"m","usageDetails":{"input":3,"input_cached_tokens":5,"cache_creation_input_tokens":2,"output":1,"output_reasoning":4,"total":15}})"
        "\n"
        R"({"id":"o2","traceId":"t","type":"EVENT","startTime":"2026-03-14T08:15:02Z"})"
        "\n"
        R"({"request_id":"r2","model":"m","spend":0.1,"prompt_tokens":3,"completion_tokens":2,"metadata":{"usage_object":{"cache_read_input_tokens":4}}})"
        "\n"
        // The metadata written as JSON text.
        R"({"request_id":"r3","model":"m","spend":0.1,"prompt_tokens":9,"completion_tokens":2,"metadata":"{\"usage_object\":{\"cache_read_input_tokens\":4}}"})"
        "\n");
    REQUIRE(seen.size() == 5);
    CHECK(seen[0].rfind("response 1 /m id=r1 in=6 cached=4 write=0 out=2", 0) == 0);
    CHECK(seen[1].rfind("response 2 /m id=o1 in=5 cached=5 write=2 out=5 reasoning=4", 0) == 0);
    CHECK(seen[2] == "skip Langfuse EVENT observations (only GENERATION observations are model calls)");
    CHECK(seen[3].rfind("t.jsonl:4:1 rejected: bad field: cached tokens 4 exceed input tokens 3", 0) == 0);
    CHECK(seen[4].rfind("response 5 /m id=r3 in=5 cached=4 write=0 out=2", 0) == 0);
  }

  TEST_CASE("a JSON array of objects is a list of records, each at the line and column where it starts")
  {
    const auto seen =
        read_lines("[\n  {\"id\":\"a\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}},\n"
                   "  {\"model\":\"m\",\n   \"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2}},\n"
                   "  {\"request_id\":\"r\",\"model\":\"m\",\"prompt_tokens\":3}\n]\n"
                   "[1,2]\n");
    REQUIRE(seen.size() == 4);
    CHECK(seen[0] == "response 2 /m id=a in=5 cached=0 write=0 out=1 reasoning=0 time=none");
    CHECK(seen[1] == "3 /m id= in=7 cached=0 write=0 out=2 reasoning=0 time=none");
    CHECK(seen[2].rfind("t.jsonl:5:3 rejected: unknown usage shape", 0) == 0);
    CHECK(seen[3] == "t.jsonl:7:1 rejected: not a JSON object: a JSON array where an object was expected (expected one "
                     "usage object per line)");
    // Columns count from the line's start: a line indented, a byte order mark.
    const auto indented =
        read_lines("\xEF\xBB\xBF{\"model\":\"m\",\"usage\":{\"input\":1}}\n  {\"model\":\"m\",\"usage\":}\n  [1]\n");
    REQUIRE(indented.size() == 3);
    CHECK(indented[0].rfind("t.jsonl:1:1 rejected: ", 0) == 0);
    CHECK(indented[1].rfind("t.jsonl:2:24 rejected: invalid JSON", 0) == 0);
    CHECK(indented[2].rfind("t.jsonl:3:3 rejected: not a JSON object", 0) == 0);
    CHECK(!is_json_lines("[{\"a\":1},\n{\"b\":2}]"));
    CHECK(looks_like_json_objects(" [\n {\"a\":1}]"));
    CHECK(!looks_like_json_objects("[1,2]"));
  }

  TEST_CASE("the first objects of an input are summarised for the nothing-read error")
  {
    const auto summary = summarise_json_start("{\"object\":\"page\",\"data\":[{\"object\":\"bucket\",\"results\":[{"
                                              "\"input_tokens\":5}]}],\"has_more\":false}\n"
                                              "{\"object\":\"page\",\"data\":[],\"next_page\":null}\n{\"cut");
    CHECK(summary.objects == 2);
    CHECK(summary.keys == std::vector<std::string>{"object", "data", "has_more", "next_page"});
    CHECK(summary.top_types == std::vector<std::string>{"page"});
    CHECK(summary.usage_like == "input_tokens");
    CHECK(summarise_json_start("{\"type\":\"user\",\"message\":{\"content\":\"hi\"}}\n").usage_like.empty());
  }

  TEST_CASE("every usage field is read: chat completions, Responses, Anthropic, batch")
  {
    const auto seen = read_lines(
        R"({"model":"m","created":1769940000,"usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":30},"cached_tokens":99,"completion_tokens_details":{"reasoning_tokens":20},"cost":0.0012}})"
        "\n"
        R"({"model":"m","usage":{"prompt_tokens":100,"completion_tokens":50,"cached_tokens":40}})"
        "\n"
        R"({"model":"m","created_at":1769940001,"usage":{"input_tokens":100,"output_tokens":50,"input_tokens_details":{"cached_tokens":10},"output_tokens_details":{"reasoning_tokens":5}}})"
        "\n"
        R"({"type":"message","id":"msg","model":"a","usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":4,"output_tokens":5}})"
        "\n"
        R"({"custom_id":"c1","response":{"status_code":200,"body":{"model":"m","usage":{"prompt_tokens":8,"completion_tokens":2}}}})"
        "\n"
        R"({"model":"m","choices":[{"usage":{"prompt_tokens":6,"completion_tokens":1}}]})"
        "\n");
    const std::vector<std::string> expected = {
        "1 /m id= in=70 cached=30 write=0 out=50 reasoning=20 time=1769940000 billed=0.0012",
        "2 /m id= in=60 cached=40 write=0 out=50 reasoning=0 time=none",
        "3 /m id= in=90 cached=10 write=0 out=50 reasoning=5 time=1769940001",
        "response 4 /a id=msg in=13 cached=4 write=3 out=5 reasoning=0 time=none",
        "5 /m id=c1 in=8 cached=0 write=0 out=2 reasoning=0 time=none batch",
        "6 /m id= in=6 cached=0 write=0 out=1 reasoning=0 time=none"};
    CHECK(seen == expected);
  }

  TEST_CASE("Claude Code lines: de-duplication keys, synthetic messages, skipped turns")
  {
    const auto seen = read_lines(
        R"({"type":"user","sessionId":"s","message":{"role":"user","content":"hi"}})"
        "\n"
        R"({"type":"assistant","sessionId":"s","message":{"model":"<synthetic>","usage":{"input_tokens":0}}})"
        "\n"
        R"({"type":"assistant","sessionId":"s","timestamp":"2026-02-01T10:00:00Z","message":{"id":"m1","model":"c","usage":{"input_tokens":1,"output_tokens":1}}})"
        "\n"
        R"({"type":"user","sessionId":"s","message":null})"
        "\n"
        R"({"type":"summary","summary":"x"})"
        "\n");
    const std::vector<std::string> expected = {"skip \"user\" lines",
                                               "skip Claude Code lines without usage (synthetic messages)",
                                               "3 /c id= in=1 cached=0 write=0 out=1 reasoning=0 time=1769940000",
                                               "skip \"user\" lines", "skip \"summary\" lines"};
    CHECK(seen == expected);
  }
}

TEST_SUITE("RecordDeduplicator")
{
  UsageRecord record_at(std::string_view file, std::size_t line, std::uint64_t input)
  {
    UsageRecord r;
    r.where = SourceLine{file, line};
    r.model = "claude-sonnet-4-6";
    r.counts[Counter::input] = input;
    return r;
  }

  std::vector<std::string> drained(RecordDeduplicator & dedup)
  {
    std::vector<std::string> out;
    dedup.drain([&](const UsageRecord& r) {
      out.push_back(std::string(r.where.file) + ":" + std::to_string(r.where.line) + " " + std::string(r.model) +
                    " id=" + std::string(r.request_id) + " session=" + std::string(r.session) + " in=" +
                    std::to_string(r.counts[Counter::input]) + " time=" + (r.time ? std::to_string(*r.time) : "none") +
                    (r.billed ? " billed=" + r.billed->to_exact_string() + "/" + std::to_string(r.billed_places) : ""));
    });
    return out;
  }

  TEST_CASE("keeps the earliest fullest copy per exact key, every field, in file and line order")
  {
    RecordDeduplicator dedup;
    UsageRecord first = record_at("b.jsonl", 3, 10);
    first.request_id = "req_1"; // the end of its key: shared, not copied
    first.session = "s1";
    first.time = 1769940000;
    CHECK(dedup.offer("cc:msg_1:req_1", first));
    UsageRecord fuller = record_at("b.jsonl", 5, 12);
    fuller.request_id = "req_1";
    fuller.session = "s1";
    CHECK_FALSE(dedup.offer("cc:msg_1:req_1", fuller));
    CHECK_FALSE(dedup.offer("cc:msg_1:req_1", record_at("b.jsonl", 6, 12))); // as full: not taken
    CHECK_FALSE(dedup.offer("cc:msg_1:req_1", record_at("b.jsonl", 7, 1)));
    UsageRecord billed = record_at("a.jsonl", 9, 1);
    billed.request_id = "other"; // not the end of its key
    billed.billed = Decimal::parse("0.0012");
    billed.billed_places = 4;
    billed.time = -86400; // before 1970: packed and unpacked with its sign
    billed.session = "s2";
    CHECK(dedup.offer("otel:span", billed));
    // Keys that differ only late, or are a prefix of another, stay apart.
    CHECK(dedup.offer("cc:msg_1:req_", record_at("a.jsonl", 2, 1)));
    CHECK(dedup.offer("cc:msg_1:req_2", record_at("a.jsonl", 1, 1)));
    const std::vector<std::string> expected = {
        "a.jsonl:1 claude-sonnet-4-6 id= session= in=1 time=none",
        "a.jsonl:2 claude-sonnet-4-6 id= session= in=1 time=none",
        "a.jsonl:9 claude-sonnet-4-6 id=other session=s2 in=1 time=-86400 billed=0.0012/4",
        "b.jsonl:5 claude-sonnet-4-6 id=req_1 session=s1 in=12 time=none"};
    CHECK(drained(dedup) == expected);
    CHECK(drained(dedup).empty()); // drained means forgotten
  }

  TEST_CASE("many keys: none merged, and absorbing a later piece moves its lines")
  {
    RecordDeduplicator early;
    RecordDeduplicator later;
    const std::string file = "t.jsonl";
    for (std::size_t i = 0; i < 20000; ++i) {
      CHECK(early.offer("k" + std::to_string(i), record_at(file, i + 1, 5)));
    }
    for (std::size_t i = 0; i < 10000; ++i) {
      // Keys 15000..24999: 5,000 seen early (fuller here for the even ones), 5,000 new.
      const std::size_t k = 15000 + i;
      CHECK(later.offer("k" + std::to_string(k), record_at(file, i + 1, k % 2 == 0 ? 6 : 5)));
    }
    CHECK(early.absorb(later, 20000) == 5000);
    const auto all = drained(early);
    REQUIRE(all.size() == 25000);
    CHECK(all[0] == "t.jsonl:1 claude-sonnet-4-6 id= session= in=5 time=none");
    CHECK(all[14999] == "t.jsonl:15000 claude-sonnet-4-6 id= session= in=5 time=none"); // k14999
    // k15001 (odd): the early copy is as full and stays; k15000 (even): the later, fuller one.
    CHECK(all[15000] == "t.jsonl:15002 claude-sonnet-4-6 id= session= in=5 time=none");
    CHECK(all[17500] == "t.jsonl:20001 claude-sonnet-4-6 id= session= in=6 time=none");
    CHECK(all.back() == "t.jsonl:30000 claude-sonnet-4-6 id= session= in=5 time=none");
  }
}

TEST_CASE("usage_jsonl: the newlines read are counted, so that pieces read apart keep their line numbers")
{
  const std::string line = R"({"model":"kimi-k2.6","usage":{"prompt_tokens":10,"completion_tokens":2}})";
  const std::vector<std::string> texts = {
      "",
      line,
      line + "\n",
      "\n\n" + line + "\n\n" + line + "\r\n",
      line + "\n{broken\n" + line + "\n",
      " \n\t\n",
      "{\n  \"model\": \"kimi-k2.6\",\n  \"usage\": {\"prompt_tokens\": 1}\n}\n{\"a\":\"x\\\ny\"}\n",
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    ListSink by_line;
    CHECK(read_usage_jsonl(text, "t.jsonl", by_line, 7, true) == newlines);
    ListSink by_depth;
    CHECK(read_usage_jsonl(text, "t.jsonl", by_depth, 7, false) == newlines);
  }
}
