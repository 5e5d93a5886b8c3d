// Fuzzes workload specs: llmcost::load_workloads(text, file), then prices
// what loaded against the bundled rate cards (estimate_workloads) and renders
// the report in every format, as `llmcost estimate spec.json` does.
// llmcost::Error (bad input) and std::overflow_error (amount out of range)
// are expected failures; anything else escaping is a defect.

#include "fuzz_common.hpp"

#include "llmcost/catalog.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/render.hpp"
#include "llmcost/workload.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace llmcost;

namespace {

const Catalog& bundled()
{
  static const Catalog catalog = Catalog::bundled();
  return catalog;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)looks_like_workload_spec(text);
  llmcost_fuzz::expect_clean([&] {
    EstimateRequest request;
    request.workloads = load_workloads(text, "fuzz.json");
    for (const auto& w : request.workloads) {
      validate_workload(w); // load_workloads already did: must not throw now
      (void)w.cached_per_request();
    }
    // The input's last byte picks a report period and a grouping, so one
    // corpus covers the --period and --by paths too.
    const unsigned char knob = size > 0 ? data[size - 1] : 0;
    if (knob & 1U) {
      request.period = static_cast<Period>((knob >> 1) % 4);
    }
    if (knob & 8U) {
      request.group_by = {"provider", "model"};
    }
    const Report report = estimate_workloads(bundled(), request);
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json, OutputFormat::csv, OutputFormat::markdown}) {
      RenderOptions options;
      options.format = format;
      options.precision = 4;
      options.title = "estimate";
      (void)render_report(report, options);
    }
  });
  return 0;
}
