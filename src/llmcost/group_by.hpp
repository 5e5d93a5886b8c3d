#pragma once
// The --by dimensions: their names, which commands take them, and what each
// one groups records by. The one list that parsing, the messages, --help and
// the shell completions come from.

#include "llmcost/catalog.hpp"
#include "llmcost/date.hpp"
#include "llmcost/usage.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

// group_value and the aggregator switch over it without `default`, so
// -Wswitch names every place a new dimension needs.
enum class GroupDimension : std::uint8_t {
  provider,
  model,
  project, // the record's project; a planned workload's name
  key,
  session,
  day,
  week,
  month,
  total, // compare only: one group of everything
};

// Where a --by name groups (bits of GroupByName::uses).
enum GroupUse : unsigned {
  k_group_usage = 1U,     // recorded usage: estimate, budget, reconcile
  k_group_workloads = 2U, // planned workloads: estimate, budget
  k_group_compare = 4U,   // compare's --by (one name)
};

struct GroupByName
{
  std::string_view name;
  GroupDimension dimension;
  unsigned uses;
  // Over usage records another name for the dimension (--by workload is
  // the project column): not listed where only usage is grouped.
  bool usage_alias = false;
};

// In the order --help, the messages and the completions list them.
inline constexpr std::array k_group_by_names = {
    GroupByName{"model", GroupDimension::model, k_group_usage | k_group_workloads | k_group_compare},
    GroupByName{"provider", GroupDimension::provider, k_group_usage | k_group_workloads},
    GroupByName{"workload", GroupDimension::project, k_group_usage | k_group_workloads | k_group_compare, true},
    GroupByName{"project", GroupDimension::project, k_group_usage | k_group_compare},
    GroupByName{"key", GroupDimension::key, k_group_usage},
    GroupByName{"session", GroupDimension::session, k_group_usage},
    GroupByName{"day", GroupDimension::day, k_group_usage},
    GroupByName{"week", GroupDimension::week, k_group_usage},
    GroupByName{"month", GroupDimension::month, k_group_usage},
    GroupByName{"total", GroupDimension::total, k_group_compare},
};

// The names taken where any bit of `uses` is set, in table order; without
// `aliases`, not the usage aliases.
std::vector<std::string_view> group_by_names(unsigned uses, bool aliases = true);

// "a, b or c", each item after `prefix`.
std::string or_list(const std::vector<std::string_view>& items, std::string_view prefix = "");

// The dimension `name` (lower case) names where any bit of `uses` is set.
std::optional<GroupDimension> find_group_dimension(std::string_view name, unsigned uses);

// The dimension of a name parse_group_by returned; throws Error as it does
// for any other.
GroupDimension group_dimension(std::string_view name);

// Dimensions keyed by a record's local date, and their names.
bool is_period(GroupDimension dimension);
std::vector<std::string_view> period_group_names();

// The --by list of estimate, budget and reconcile: comma-separated names,
// lower-cased, each once, in the order given. Throws Error for an unknown
// name or an empty list.
std::vector<std::string> parse_group_by(const std::string& text);

// The value of one --by dimension for a record priced on `model` (null when
// the record's model could not be resolved: its own provider and model text).
std::string group_value(GroupDimension dimension, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day);

} // namespace llmcost
