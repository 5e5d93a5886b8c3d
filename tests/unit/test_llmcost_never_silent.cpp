// What the readers do with what they do not understand: every CSV column is
// accounted for, and a response is counted once.

#include "llmcost/error.hpp"
#include "llmcost/response_set.hpp"
#include "llmcost/usage_csv.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace llmcost;

namespace {

class CountingSink : public RecordSink
{
public:
  std::vector<UsageRecord> records;
  std::vector<std::string> rejected;

  void record(const UsageRecord& r) override { records.push_back(r); }
  void reject(const Location& where, const std::string&, const std::string& detail) override
  {
    rejected.push_back(where.to_string() + ": " + detail);
  }
  void record_once(const std::string&, const UsageRecord& r) override { record(r); }
  void skip(const std::string&) override {}
  std::uint64_t records_read() const override { return records.size() + rejected.size(); }
};

// Reads a CSV; returns the reader's column report (the reader throws for a refused header).
std::vector<ColumnUse> columns_of(const std::string& text, const ColumnMap& maps, CountingSink& sink)
{
  UsageCsvReader reader("t.csv", maps, sink);
  reader.feed(text, 1, true);
  reader.finish();
  return reader.columns();
}

} // namespace

TEST_SUITE("never silent")
{
  TEST_CASE("a CSV column that looks like a quantity and maps to nothing stops the run, with the fix")
  {
    CountingSink sink;
    const ColumnMap none;
    CHECK_THROWS_WITH_AS(
        columns_of("model,input_tokens,output_tokens,tokens_cached_x,Amount (USD),note\n", none, sink),
        "t.csv:1:34: 2 columns are not understood and may carry part of the bill: \"tokens_cached_x\", "
        "\"Amount (USD)\" (expected --map COLUMN=FIELD for each (FIELD: input_tokens, "
        "cached_input_tokens, output_tokens, requests, billed, ...; see --explain), or --map "
        "COLUMN=ignore for one that carries nothing to price)",
        Error);
    // Mapped, or ignored by the user's word: read.
    const ColumnMap maps = parse_column_maps({"tokens_cached_x=cached_input_tokens", "amount_(usd)=ignore"});
    const auto columns = columns_of("model,input_tokens,output_tokens,tokens_cached_x,Amount (USD),note\n"
                                    "moonshot/kimi-k2.6,100,5,40,0.5,hello\n",
                                    maps, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].counts[Counter::input] == 60);
    CHECK(sink.records[0].counts[Counter::cached_input] == 40);
    CHECK(!sink.records[0].billed);
    REQUIRE(columns.size() == 6);
    CHECK(columns[3].source == ColumnSource::map);
    CHECK(columns[4].field == UsageField::ignore);
    CHECK(columns[5].source == ColumnSource::unknown); // a note: no quantity in its name, not read
  }

  TEST_CASE("known columns that carry nothing to price are not an error, and are said so")
  {
    CountingSink sink;
    const auto columns = columns_of("model,prompt_tokens,completion_tokens,total_tokens,cache_hit,request_tags\n"
                                    "moonshot/kimi-k2.6,100,5,105,False,[]\n",
                                    ColumnMap{}, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(columns[3].source == ColumnSource::known_unpriced);
    CHECK(columns[4].source == ColumnSource::known_unpriced);
  }

  TEST_CASE("aggregated rows: requests columns set the request count; a blank cell is one request")
  {
    CountingSink sink;
    columns_of("model,input_tokens,input_cached_tokens,output_tokens,num_model_requests\n"
               "moonshot/kimi-k2.6,1000,200,300,3.0\n"
               "moonshot/kimi-k2.6,1000,0,300,\n"
               "moonshot/kimi-k2.6,1000,0,300,2.5\n",
               ColumnMap{}, sink);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].counts[Counter::requests] == 3);
    CHECK(sink.records[0].counts[Counter::input] == 800);
    CHECK(sink.records[0].counts[Counter::cached_input] == 200);
    CHECK(sink.records[1].counts[Counter::requests] == 1);
    REQUIRE(sink.rejected.size() == 1);
    CHECK(sink.rejected[0].find("t.csv:4:31: field num_model_requests: \"2.5\" is not a whole number") == 0);
  }

  TEST_CASE("Helicone: cache reads are part of prompt_tokens")
  {
    CountingSink sink;
    columns_of("request_created_at,model,prompt_tokens,prompt_cache_read_tokens,completion_tokens\n"
               "2026-01-10T10:00:00Z,moonshot/kimi-k2.6,1000,800,300\n",
               ColumnMap{}, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].counts[Counter::input] == 200);
    CHECK(sink.records[0].counts[Counter::cached_input] == 800);
    CHECK(sink.records[0].time.has_value());
  }

  TEST_CASE("LiteLLM: cache reads are read from metadata.usage_object when no column says them")
  {
    CountingSink sink;
    columns_of("model,prompt_tokens,completion_tokens,metadata\n"
               "moonshot/kimi-k2.6,6120,615,\"{\"\"usage_object\"\": {\"\"prompt_tokens\"\": 6120, "
               "\"\"prompt_tokens_details\"\": {\"\"cached_tokens\"\": 5120}}}\"\n"
               "moonshot/kimi-k2.6,100,5,\"{\"\"user_api_key_alias\"\": \"\"team-a\"\"}\"\n"
               "moonshot/kimi-k2.6,100,5,not json\n"
               "moonshot/kimi-k2.6,100,5,\"{\"\"usage_object\"\": {\"\"cache_read_input_tokens\"\": -3}}\"\n",
               ColumnMap{}, sink);
    REQUIRE(sink.records.size() == 3);
    CHECK(sink.records[0].counts[Counter::input] == 1000);
    CHECK(sink.records[0].counts[Counter::cached_input] == 5120);
    CHECK(sink.records[1].counts[Counter::cached_input] == 0);
    CHECK(sink.records[2].counts[Counter::cached_input] == 0);
    REQUIRE(sink.rejected.size() == 1);
    CHECK(sink.rejected[0].find("t.csv:5:26: field metadata: the cached tokens in usage_object") == 0);
    // A cached column, when there is one, is what is read.
    CountingSink with_column;
    const auto columns = columns_of("model,prompt_tokens,cached_tokens,completion_tokens,metadata\n"
                                    "moonshot/kimi-k2.6,6120,100,615,\"{\"\"usage_object\"\": {\"\"prompt_tokens_"
                                    "details\"\": {\"\"cached_tokens\"\": 5120}}}\"\n",
                                    ColumnMap{}, with_column);
    REQUIRE(with_column.records.size() == 1);
    CHECK(with_column.records[0].counts[Counter::cached_input] == 100);
    CHECK(!columns[4].field);
  }

  TEST_CASE("the quantity test: names people give amounts and counts, not ids and labels")
  {
    for (const char* name : {"tokens_cached_x", "amount_(usd)", "n_prompt", "input_audio_tokens", "web_search_fee",
                             "credits_used", "reasoning_effort_tokens", "line_cost"}) {
      CAPTURE(name);
      CHECK(looks_like_quantity(name));
    }
    for (const char* name : {"note", "user", "request_id_2", "finish_reason", "latency_ms", "status", "team"}) {
      CAPTURE(name);
      CHECK(!looks_like_quantity(name));
    }
  }

  TEST_CASE("response fingerprints: parts are framed, and a set finds exactly what was put in")
  {
    CHECK(!(FingerprintBuilder().add("ab").add("c").done() == FingerprintBuilder().add("a").add("bc").done()));
    CHECK(!(FingerprintBuilder().add(std::uint64_t{1}).add(std::uint64_t{2}).done() ==
            FingerprintBuilder().add(std::uint64_t{2}).add(std::uint64_t{1}).done()));
    CHECK(FingerprintBuilder().add("id").add(std::uint64_t{7}).done() ==
          FingerprintBuilder().add("id").add(std::uint64_t{7}).done());

    std::mt19937_64 random(20261205);
    std::vector<ResponseKey> put;
    ResponseSet set;
    for (int i = 0; i < 50000; ++i) {
      const ResponseKey key(FingerprintBuilder().add("chatcmpl-" + std::to_string(random())).done(), random());
      put.push_back(key);
      CHECK(set.insert(key) == ResponseSet::Seen::first);
    }
    CHECK(set.size() == put.size());
    for (const auto& key : put) {
      CHECK(set.insert(key) == ResponseSet::Seen::again);
      ResponseKey other = key;
      ++other.usage;
      CHECK(set.insert(other) == ResponseSet::Seen::conflicting);
    }
    // Another set's entries come in rising order: reserved first, they all go in.
    ResponseSet joined;
    joined.insert(put[0]);
    joined.reserve(joined.size() + set.size());
    std::size_t added = 0;
    set.for_each([&](const ResponseKey& key) { added += joined.insert(key) == ResponseSet::Seen::first ? 1 : 0; });
    CHECK(added == put.size() - 1);
    // Erasing keeps every other entry findable (backward shift, wrapping
    // around the table's end included: the set is at most 0.7 full).
    for (std::size_t i = 0; i < put.size(); i += 3) {
      joined.erase(put[i]);
    }
    for (std::size_t i = 0; i < put.size(); ++i) {
      CHECK(joined.contains(put[i]) == (i % 3 != 0));
    }
    CHECK(joined.size() == put.size() - (put.size() + 2) / 3);
    CHECK(!joined.contains(ResponseKey(FingerprintBuilder().add("never put").done(), 0)));
  }

  TEST_CASE("sealed id sets find exactly what was put in, alone and merged, in rising order")
  {
    auto key = [](int i) { return ResponseKey(fingerprint("req_" + std::to_string(i)), 0); };
    ResponseSet first;
    ResponseSet second;
    for (int i = 0; i < 30000; ++i) {
      (i % 3 == 0 ? second : first).insert(key(i));
    }
    // Ids sharing their top 64 bits sit side by side, told apart by the rest.
    ResponseKey twin_a = key(0);
    twin_a.id_low = 3;
    ResponseKey twin_b = twin_a;
    twin_b.id_low = 5;
    first.insert(twin_a);
    second.insert(twin_b);
    SealedIdSet a(std::move(first));
    SealedIdSet b(std::move(second));
    CHECK(first.size() == 0);
    CHECK(a.size() == 20001);
    CHECK(b.size() == 10001);
    for (int i = 0; i < 30000; ++i) {
      CHECK(a.contains(key(i)) == (i % 3 != 0));
      CHECK(b.contains(key(i)) == (i % 3 == 0));
      CHECK(!a.contains(ResponseKey(fingerprint("other_" + std::to_string(i)), 0)));
    }
    CHECK(a.contains(twin_a));
    CHECK(!a.contains(twin_b));
    const SealedIdSet both = SealedIdSet::merge(std::move(a), std::move(b));
    CHECK(a.size() == 0);
    CHECK(both.size() == 30002);
    for (int i = 0; i < 30000; ++i) {
      CHECK(both.contains(key(i)));
    }
    CHECK(both.contains(twin_a));
    CHECK(both.contains(twin_b));
    std::uint64_t last_high = 0;
    std::uint32_t last_low = 0;
    std::size_t visited = 0;
    bool rising = true;
    both.for_each([&](const ResponseKey& id) {
      rising = rising && (visited == 0 || id.id_high > last_high || (id.id_high == last_high && id.id_low > last_low));
      last_high = id.id_high;
      last_low = id.id_low;
      ++visited;
    });
    CHECK(rising);
    CHECK(visited == 30002);
    CHECK(!SealedIdSet().contains(key(1)));

    // any_shared: ids in two sets are found, whichever sets they are in.
    auto sealed = [&](int from, int to) {
      ResponseSet set;
      for (int i = from; i < to; ++i) {
        set.insert(key(i));
      }
      return SealedIdSet(std::move(set));
    };
    const SealedIdSet s1 = sealed(0, 20000);
    const SealedIdSet s2 = sealed(20000, 40000);
    const SealedIdSet s3 = sealed(40000, 60000);
    const SealedIdSet s4 = sealed(19999, 20000); // one id of s1
    CHECK(!SealedIdSet::any_shared({&s1, &s2, &s3}));
    CHECK(SealedIdSet::any_shared({&s1, &s2, &s3, &s4}));
    CHECK(SealedIdSet::any_shared({&s4, &s2, &s1}));
    CHECK(!SealedIdSet::any_shared({&s4}));
  }

  TEST_CASE("ids collected as read seal to the same set, and an id collected twice is told")
  {
    auto key = [](int i) { return ResponseKey(fingerprint("req_" + std::to_string(i)), 0); };
    for (const int count : {0, 1, 2, 1000, 70000}) {
      CAPTURE(count);
      ResponseSet hashed;
      SealedIdSet::Collector collected;
      for (int i = 0; i < count; ++i) {
        hashed.insert(key(i));
        collected.add(key(i));
      }
      bool repeated = true;
      const SealedIdSet from_collector(std::move(collected), repeated);
      const SealedIdSet from_set(std::move(hashed));
      CHECK_FALSE(repeated);
      CHECK(collected.size() == 0);
      CHECK(from_collector.size() == from_set.size());
      std::vector<ResponseKey> a;
      std::vector<ResponseKey> b;
      from_collector.for_each([&](const ResponseKey& id) { a.push_back(id); });
      from_set.for_each([&](const ResponseKey& id) { b.push_back(id); });
      CHECK(a.size() == b.size());
      bool same = a.size() == b.size();
      for (std::size_t i = 0; same && i < a.size(); ++i) {
        same = a[i].same_id(b[i]);
      }
      CHECK(same);
      for (int i = 0; i < count; i += 97) {
        CHECK(from_collector.contains(key(i)));
      }
      CHECK(!from_collector.contains(key(count + 1)));
    }
    // A repeat anywhere (first and last, or side by side), and two ids
    // sharing their top 64 bits, which are not a repeat.
    for (const int last : {1, 4999}) {
      SealedIdSet::Collector collected;
      for (int i = 0; i < 5000; ++i) {
        collected.add(key(i));
      }
      collected.add(key(last == 1 ? 0 : last));
      bool repeated = false;
      const SealedIdSet ids(std::move(collected), repeated);
      CHECK(repeated);
    }
    SealedIdSet::Collector twins;
    ResponseKey twin_a = key(7);
    twin_a.id_low = 3;
    ResponseKey twin_b = twin_a;
    twin_b.id_low = 5;
    twins.add(twin_a);
    twins.add(twin_b);
    bool repeated = true;
    const SealedIdSet both(std::move(twins), repeated);
    CHECK_FALSE(repeated);
    CHECK(both.contains(twin_a));
    CHECK(both.contains(twin_b));
  }
}
