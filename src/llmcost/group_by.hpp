#pragma once
// The --by dimensions: what each one groups records by.

#include "llmcost/catalog.hpp"
#include "llmcost/date.hpp"
#include "llmcost/usage.hpp"

#include <optional>
#include <string>

namespace llmcost {

// The value of one --by dimension for a record priced on `model` (null when
// the record's model could not be resolved: its own provider and model text).
std::string group_value(const std::string& dim, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day);

} // namespace llmcost
