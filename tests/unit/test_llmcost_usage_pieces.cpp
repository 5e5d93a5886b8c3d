// Readers fed piece by piece (as BlockReader does) must read exactly what
// they read from the whole text. Regressions found by fuzz_csv / fuzz_jsonl
// (fuzz/crashes/).

#include "llmcost/usage_csv.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace llmcost;

namespace {

// What a reader sent, one line per record or rejection.
class ListSink : public RecordSink
{
public:
  std::vector<std::string> seen;

  void record(const UsageRecord& r) override
  {
    seen.push_back(std::to_string(r.where.line) + " " + std::string(r.model) + " in=" +
                   std::to_string(r.counts[Counter::input]) + " out=" + std::to_string(r.counts[Counter::output]));
  }
  void reject(const Location& where, const std::string& category, const std::string&) override
  {
    seen.push_back(where.to_string() + " rejected: " + category);
  }
  void record_once(const std::string&, const UsageRecord& r) override { record(r); }
  void skip(const std::string& reason) override { seen.push_back("skip " + reason); }
  std::uint64_t records_read() const override { return seen.size(); }
};

// Feeds `text` in blocks of `block` bytes, carrying the unconsumed rest.
std::vector<std::string> csv_in_pieces(const std::string& text, std::size_t block)
{
  ListSink sink;
  const ColumnMap no_map;
  UsageCsvReader reader("t.csv", no_map, sink);
  std::string rest;
  std::size_t next = 0;
  std::size_t line = 1;
  while (true) {
    const std::size_t take = std::min(block, text.size() - next);
    rest += text.substr(next, take);
    next += take;
    const bool at_end = next == text.size();
    std::size_t newlines = 0;
    const std::size_t used = reader.feed(rest, line, at_end, &newlines);
    // The reader counts the newlines it took (the block reader trusts it).
    REQUIRE(newlines ==
            static_cast<std::size_t>(std::count(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(used), '\n')));
    line += newlines;
    rest.erase(0, used);
    if (at_end) {
      break;
    }
  }
  reader.finish();
  return sink.seen;
}

std::vector<std::string> csv_whole(const std::string& text)
{
  ListSink sink;
  read_usage_csv(text, "t.csv", ColumnMap{}, sink);
  return sink.seen;
}

} // namespace

TEST_CASE("usage CSV: the delimiter comes from the header, after blank lines, whole or in pieces")
{
  // fuzz/crashes/csv/blank-line-before-header-min.csv: read whole, the
  // delimiter was detected on the blank first line (','), so the ';' header
  // was one column named "model;input_tokens;output_tokens".
  const std::string text = "\n\r\nmodel;input_tokens;output_tokens\nkimi-k2.6;10;20\nkimi-k2.6;1;2\n";
  const std::vector<std::string> expected = {"4 kimi-k2.6 in=10 out=20", "5 kimi-k2.6 in=1 out=2"};
  CHECK(csv_whole(text) == expected);
  for (std::size_t block = 1; block <= text.size(); ++block) {
    CAPTURE(block);
    CHECK(csv_in_pieces(text, block) == expected);
  }
}
