#pragma once
// Shared by fuzz_csv and fuzz_jsonl: feeds one input to a reader twice, once
// into a UsageAggregator (`llmcost estimate FILE --allow-rejects`) and once
// into a Reconciler (`llmcost reconcile FILE --allow-rejects --by ...`), then
// finishes and renders both, as the CLI does.

#include "fuzz_common.hpp"

#include "llmcost/catalog.hpp"
#include "llmcost/reconcile.hpp"
#include "llmcost/render.hpp"
#include "llmcost/usage.hpp"

#include <cstdint>

namespace llmcost_fuzz {

inline const llmcost::Catalog& bundled()
{
  static const llmcost::Catalog catalog = llmcost::Catalog::bundled();
  return catalog;
}

inline void check_counts(const llmcost::RecordCounts& c)
{
  if (c.priced + c.rejected + c.duplicates + c.filtered > c.read) {
    defect("record accounting: priced + rejected + duplicates + filtered > read",
           std::to_string(c.priced) + "+" + std::to_string(c.rejected) + "+" + std::to_string(c.duplicates) + "+" +
               std::to_string(c.filtered) + " > " + std::to_string(c.read));
  }
}

// `read(sink)` runs the reader over the input.
template <typename Read> void run_usage(Read&& read)
{
  using namespace llmcost;
  expect_clean([&] {
    AggregateOptions options;
    options.strict = false;
    options.show_rejects = 3;
    UsageAggregator aggregator(bundled(), options);
    read(aggregator);
    const Report report = aggregator.finish();
    check_counts(report.records);
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json, OutputFormat::csv}) {
      RenderOptions render;
      render.format = format;
      (void)render_report(report, render);
    }
    (void)render_record_summary(report);
  });
  expect_clean([&] {
    ReconcileOptions options;
    options.strict = false;
    options.group_by = {"provider", "model", "project", "key", "session", "day", "week", "month"};
    options.tz_offset_seconds = 5 * 3600 + 1800;
    options.tolerance_pct = Decimal::from_int(1);
    Reconciler reconciler(bundled(), options);
    read(reconciler);
    const ReconcileResult result = reconciler.finish();
    check_counts(result.records);
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json, OutputFormat::csv}) {
      RenderOptions render;
      render.format = format;
      (void)render_reconcile(result, render, 5);
    }
  });
}

} // namespace llmcost_fuzz
