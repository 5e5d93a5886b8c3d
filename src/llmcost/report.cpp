#include "llmcost/report.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost {

void RecordCounts::add_tallies(const RecordCounts& later)
{
  read += later.read;
  priced += later.priced;
  rejected += later.rejected;
  duplicates += later.duplicates;
  filtered += later.filtered;
  for (const auto& [reason, n] : later.skipped_lines) {
    skipped_lines[reason] += n;
  }
  for (const auto& [reason, n] : later.rejected_by_reason) {
    rejected_by_reason[reason] += n;
  }
}

void Report::add_note(const std::string& note)
{
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
    notes.push_back(note);
  }
}

namespace {

// part / whole (0 when whole is 0), rounded at 1e-12.
Decimal share_of(Decimal part, Decimal whole)
{
  return whole.is_zero() ? Decimal{} : Decimal::from_int(1).mul_div(part, whole);
}

// A share as a percentage to one decimal: "100%", "33.3%".
std::string percent_text(Decimal share)
{
  return share.mul_int(100).round(1).to_exact_string(0) + "%";
}

} // namespace

Decimal ReportRow::batch_share() const
{
  return share_of(batch_requests, usage.requests);
}

Decimal ReportRow::cache_hit_rate() const
{
  return share_of(usage.cached_input, usage.input + usage.cached_input);
}

std::string levers_text(const ReportRow& row)
{
  std::vector<std::string> parts;
  if (!row.batch_requests.is_zero()) {
    parts.push_back("batch " + percent_text(row.batch_share()));
  }
  if (row.cache_lever) {
    parts.push_back("cache " + percent_text(row.cache_hit_rate()));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
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
