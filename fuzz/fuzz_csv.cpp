// Fuzzes usage CSV exports: llmcost::read_usage_csv(text, file, extra, sink)
// into a UsageAggregator and a Reconciler (see fuzz_usage.hpp). Two runs per
// input: without --map, and with a few --map columns. llmcost::Error and
// std::overflow_error are expected failures; anything else is a defect.
// Then the same text goes through UsageCsvReader::feed in random-sized
// pieces, carrying the unconsumed rest as BlockReader does: the records,
// rejections and error must be exactly those of the whole text.

#include "fuzz_usage.hpp"

#include "llmcost/aggregator.hpp"
#include "llmcost/usage_csv.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace llmcost;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const ColumnMap no_map;
  static const ColumnMap maps =
      parse_column_maps({"tok_in=input_tokens", "tok_out=output_tokens", "usd=billed", "m=model"});
  const std::string file = "fuzz.csv";
  llmcost_fuzz::run_usage([&](RecordSink& sink) { read_usage_csv(text, file, no_map, sink); });
  llmcost_fuzz::run_usage([&](RecordSink& sink) { read_usage_csv(text, file, maps, sink); });
  for (const ColumnMap* map : {&no_map, &maps}) {
    llmcost_fuzz::expect_clean([&] {
      const auto whole = llmcost_fuzz::trace([&](RecordSink& sink) { read_usage_csv(text, file, *map, sink); });
      const auto pieces = llmcost_fuzz::trace([&](RecordSink& sink) {
        UsageCsvReader reader(file, *map, sink);
        llmcost_fuzz::feed_in_pieces(text, [&](std::string_view piece, std::size_t line, bool at_end) {
          std::size_t newlines = 0;
          const std::size_t taken = reader.feed(piece, line, at_end, &newlines);
          return std::pair{taken, newlines};
        });
        reader.finish();
      });
      llmcost_fuzz::expect_same_trace("CSV read in pieces differs from the whole text", whole, pieces);
    });
  }
  return 0;
}
