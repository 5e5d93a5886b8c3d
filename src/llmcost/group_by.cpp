#include "llmcost/group_by.hpp"

namespace llmcost {

std::string group_value(const std::string& dim, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day)
{
  std::string value;
  if (dim == "provider") {
    value = model != nullptr ? model->card->provider : std::string(record.provider);
  } else if (dim == "model") {
    value = model != nullptr ? model->model->id : std::string(record.model);
  } else if (dim == "project" || dim == "workload") {
    value = record.project;
  } else if (dim == "key") {
    value = record.key;
  } else if (dim == "session") {
    value = record.session;
  } else if (local_day) {
    value = dim == "day" ? format_date(*local_day) : dim == "week" ? week_key(*local_day) : month_key(*local_day);
  }
  return value.empty() ? "(none)" : value;
}

} // namespace llmcost
