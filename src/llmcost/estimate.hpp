#pragma once
// `estimate`: price planned workloads and recorded usage, grouped.

#include "llmcost/catalog.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/report.hpp"
#include "llmcost/workload.hpp"

#include <optional>
#include <string>
#include <vector>

namespace llmcost {

struct EstimateRequest
{
  std::vector<Workload> workloads;
  std::vector<std::string> group_by; // empty: the default for the input
  std::string provider_hint;         // --provider
  std::optional<Period> period;      // report workloads per this period
};

Report estimate_workloads(const Catalog& catalog, const EstimateRequest& request);

// One workload's usage on one resolved model, split into its standard and
// batch parts (either may be absent). Shared with compare and budget.
struct WorkloadPart
{
  bool batch = false;
  Usage usage;
  std::string media_tier;
};
std::vector<WorkloadPart> workload_parts(const Workload& workload, const Model& model, Period report_period,
                                         std::vector<std::string>& notes);

// Human text for a line's pricing notes.
// "warning: ROUTE/M is retired since DATE (SOURCE); its successor: S" for
// planning on a retired or deprecated model; empty for a current one.
std::string lifecycle_warning(const Card& card, const Model& model);

std::vector<std::string> describe_notes(unsigned notes, const Card& card, const Model& model);
// Adds a priced quantity to a row of `report` (its usage, cost and pricing
// notes); `priced` must have a cost.
void add_priced(Report& report, ReportRow& row, const Usage& usage, const Priced& priced, const PriceRequest& request);

} // namespace llmcost
