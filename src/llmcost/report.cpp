#include "llmcost/report.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llmcost {

void Report::add_note(const std::string& note)
{
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
    notes.push_back(note);
  }
}

void Report::add_up_rows()
{
  total_usage = {};
  total_cost = {};
  for (const auto& row : rows) {
    total_usage += row.usage;
    total_cost += row.cost;
  }
}

std::string repeated_request_ids_note(const RepeatedRequestIds& repeats)
{
  if (repeats.rows_with_id == 0) {
    return {};
  }
  if (!repeats.checked) {
    if (repeats.limit == 0) {
      return "request ids were not checked for repeats (--check-ids off)";
    }
    return fmt::format("request ids were not checked for repeats: {} rows carry one, and the check stops past {} "
                       "(it keeps 16 bytes an id); --check-ids all checks every row",
                       repeats.rows_with_id, repeats.limit);
  }
  if (repeats.repeated == 0) {
    return {};
  }
  std::vector<std::string> where;
  for (const auto& first : repeats.first) {
    where.push_back(fmt::format("{} ({})", first.where, elide(first.request_id, 60)));
  }
  return fmt::format("{} row{} repeat{} the request id of an earlier row, and {} priced: each row of an export is a "
                     "billed line (two overlapping exports count twice; `llmcost reconcile` flags repeats): {}{}",
                     repeats.repeated, repeats.repeated == 1 ? "" : "s", repeats.repeated == 1 ? "s" : "",
                     repeats.repeated == 1 ? "it is" : "they are", fmt::join(where, ", "),
                     repeats.repeated > repeats.first.size() ? ", ..." : "");
}

} // namespace llmcost
