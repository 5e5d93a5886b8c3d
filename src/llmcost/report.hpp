#pragma once
// What a command computed, before any formatting: grouped rows, exact totals,
// record accounting and the notes a reader needs. Renderers turn it into text.

#include "llmcost/date.hpp"
#include "llmcost/pricing.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace llmcost {

struct ReportRow
{
  std::vector<std::string> keys; // parallel to Report::key_names
  Usage usage;
  Cost cost;
  unsigned notes = 0; // PricingNote bits
  // Levers the row was priced with, shown on it in every format:
  Decimal batch_requests;   // requests charged at batch prices
  bool cache_lever = false; // a planned cache-hit rate or cached tokens per request

  bool has_levers() const { return !batch_requests.is_zero() || cache_lever; }
  // Requests charged at batch prices, as a share of the row's (0 when none).
  Decimal batch_share() const;
  // Cached input as a share of all input (0 when there is no input).
  Decimal cache_hit_rate() const;
};

// The row's levers as text ("batch 100%, cache 30%"); empty when none.
std::string levers_text(const ReportRow& row);

struct Rejection
{
  std::string where; // file:line
  std::string reason;
};

struct RecordCounts
{
  std::uint64_t read = 0;
  std::uint64_t priced = 0;
  std::uint64_t rejected = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t filtered = 0;                         // outside --since/--until
  std::map<std::string, std::uint64_t> skipped_lines; // lines without usage, by reason (not records)
  std::map<std::string, std::uint64_t> rejected_by_reason;
  std::vector<Rejection> first_rejections; // in input order, capped by the caller

  // Adds the tallies of what followed (a forked reader's); the first
  // rejections are the caller's to add, with their lines moved.
  void add_tallies(const RecordCounts& later);
};

// Request ids repeated in tabular exports (rows kept: each is a billed line).
struct RepeatedRequestIds
{
  bool checked = true;            // every row with an id was checked (none: true)
  std::uint64_t rows_with_id = 0; // rows of tabular exports that carry a request id
  std::uint64_t limit = 0;        // the check's row limit (when not checked)
  std::uint64_t repeated = 0;     // rows whose id an earlier row had
  struct Row
  {
    std::string where; // file:line
    std::string request_id;
  };
  std::vector<Row> first; // in input order, capped like the rejections
};

// The note on request ids repeated in tabular exports, or on their not
// being checked (empty when none repeat, or no row has an id).
std::string repeated_request_ids_note(const RepeatedRequestIds& repeats);

struct Report
{
  std::string currency = "USD";
  std::string period;                 // "month" etc. for planned workloads; empty for usage
  std::vector<std::string> key_names; // e.g. workload, provider, model
  std::vector<ReportRow> rows;
  Usage total_usage;
  Cost total_cost;          // the exact sum of the rows
  bool has_records = false; // usage input was read (records counts apply)
  RecordCounts records;
  RepeatedRequestIds repeated_request_ids;
  std::map<std::string, std::string> prices_used; // "provider/model" -> its prices, as described
  std::optional<Day> first_day;                   // dated usage: the observed window (UTC days)
  std::optional<Day> last_day;
  std::vector<std::string> notes; // footnotes, deduplicated, in order of first use

  void add_note(const std::string& note);
  // Sets the totals to the exact sums of the rows.
  void add_up_rows();
};

} // namespace llmcost
