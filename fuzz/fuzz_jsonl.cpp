// Fuzzes JSON token traces: llmcost::read_usage_jsonl(text, file, sink)
// (JSONL, or concatenated pretty-printed objects) into a UsageAggregator and
// a Reconciler (see fuzz_usage.hpp). llmcost::Error and std::overflow_error
// are expected failures; anything else is a defect.

#include "fuzz_usage.hpp"

#include "llmcost/usage_jsonl.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace llmcost;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)looks_like_json_objects(text);
  const std::string file = "fuzz.jsonl";
  llmcost_fuzz::run_usage([&](RecordSink& sink) { read_usage_jsonl(text, file, sink); });
  return 0;
}
