#include "llmcost/group_by.hpp"

#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost {

namespace {

// What estimate, budget and reconcile take (reconcile's exports have no
// planned workloads, and take --by workload as the project column).
constexpr unsigned k_group_parsed = k_group_usage | k_group_workloads;

[[noreturn]] void unknown_dimension(std::string_view name)
{
  throw Error(Location{}, fmt::format("--by: unknown dimension \"{}\"", name),
              fmt::format("a comma-separated list of {}", fmt::join(group_by_names(k_group_parsed), ", ")));
}

} // namespace

std::vector<std::string_view> group_by_names(unsigned uses, bool aliases)
{
  std::vector<std::string_view> names;
  for (const auto& entry : k_group_by_names) {
    if ((entry.uses & uses) != 0U && (aliases || !entry.usage_alias)) {
      names.push_back(entry.name);
    }
  }
  return names;
}

std::string or_list(const std::vector<std::string_view>& items, std::string_view prefix)
{
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i == 0 ? "" : i + 1 == items.size() ? " or " : ", ";
    out += prefix;
    out += items[i];
  }
  return out;
}

std::optional<GroupDimension> find_group_dimension(std::string_view name, unsigned uses)
{
  for (const auto& entry : k_group_by_names) {
    if (entry.name == name && (entry.uses & uses) != 0U) {
      return entry.dimension;
    }
  }
  return std::nullopt;
}

GroupDimension group_dimension(std::string_view name)
{
  const auto dimension = find_group_dimension(name, k_group_parsed);
  if (!dimension) {
    unknown_dimension(name);
  }
  return *dimension;
}

bool is_period(GroupDimension dimension)
{
  switch (dimension) {
  case GroupDimension::day:
  case GroupDimension::week:
  case GroupDimension::month:
    return true;
  case GroupDimension::provider:
  case GroupDimension::model:
  case GroupDimension::project:
  case GroupDimension::key:
  case GroupDimension::session:
  case GroupDimension::total:
    return false;
  }
  return false;
}

std::vector<std::string_view> period_group_names()
{
  std::vector<std::string_view> names;
  for (const auto& entry : k_group_by_names) {
    if (is_period(entry.dimension)) {
      names.push_back(entry.name);
    }
  }
  return names;
}

std::vector<std::string> parse_group_by(const std::string& text)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string dim = to_lower(trim(std::string_view(text).substr(start, comma - start)));
    if (!dim.empty()) {
      group_dimension(dim); // throws for an unknown name
      if (std::find(out.begin(), out.end(), dim) == out.end()) {
        out.push_back(dim);
      }
    }
    start = comma + 1;
  }
  if (out.empty()) {
    throw Error(Location{}, "--by: no dimension given",
                fmt::format("one or more of {}", fmt::join(group_by_names(k_group_parsed), ", ")));
  }
  return out;
}

std::string group_value(GroupDimension dimension, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day)
{
  std::string value;
  switch (dimension) {
  case GroupDimension::provider:
    value = model != nullptr ? model->card->provider : std::string(record.provider);
    break;
  case GroupDimension::model:
    value = model != nullptr ? model->model->id : std::string(record.model);
    break;
  case GroupDimension::project:
    value = record.project;
    break;
  case GroupDimension::key:
    value = record.key;
    break;
  case GroupDimension::session:
    value = record.session;
    break;
  case GroupDimension::day:
    value = local_day ? format_date(*local_day) : "";
    break;
  case GroupDimension::week:
    value = local_day ? week_key(*local_day) : "";
    break;
  case GroupDimension::month:
    value = local_day ? month_key(*local_day) : "";
    break;
  case GroupDimension::total:
    break; // compare's one group has no value of its own
  }
  return value.empty() ? "(none)" : value;
}

} // namespace llmcost
