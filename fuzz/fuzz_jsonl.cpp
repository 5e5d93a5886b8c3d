// Fuzzes JSON token traces: llmcost::read_usage_jsonl(text, file, sink)
// (JSONL, or concatenated pretty-printed objects) into a UsageAggregator and
// a Reconciler (see fuzz_usage.hpp). llmcost::Error and std::overflow_error
// are expected failures; anything else is a defect. Then the same text is
// read as ingest's BlockReader loop does, in random-sized blocks cut after
// their last newline (JSONL; pretty-printed objects are read whole): the
// records, rejections and skips must be exactly those of the whole text.

#include "fuzz_usage.hpp"

#include "llmcost/aggregator.hpp"
#include "llmcost/files.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace llmcost;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)looks_like_json_objects(text);
  const std::string file = "fuzz.jsonl";
  llmcost_fuzz::run_usage([&](RecordSink& sink) { read_usage_jsonl(text, file, sink); });
  llmcost_fuzz::expect_clean([&] {
    const auto whole = llmcost_fuzz::trace([&](RecordSink& sink) { read_usage_jsonl(text, file, sink); });
    const bool by_line = is_json_lines(text);
    const auto pieces = llmcost_fuzz::trace([&](RecordSink& sink) {
      llmcost_fuzz::feed_in_pieces(text, [&](std::string_view piece, std::size_t line, bool at_end) {
        const std::size_t take = at_end ? piece.size() : by_line ? cut_after_last_line(piece) : 0;
        std::size_t newlines = 0;
        if (take > 0) {
          newlines = read_usage_jsonl(piece.substr(0, take), file, sink, line, by_line, true);
        }
        return std::pair{take, newlines};
      });
    });
    llmcost_fuzz::expect_same_trace("JSONL read in pieces differs from the whole text", whole, pieces);
  });
  return 0;
}
