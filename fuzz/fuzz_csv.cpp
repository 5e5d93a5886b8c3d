// Fuzzes usage CSV exports: llmcost::read_usage_csv(text, file, extra, sink)
// into a UsageAggregator and a Reconciler (see fuzz_usage.hpp). Two runs per
// input: without --map, and with a few --map columns. llmcost::Error and
// std::overflow_error are expected failures; anything else is a defect.

#include "fuzz_usage.hpp"

#include "llmcost/usage_csv.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
  return 0;
}
