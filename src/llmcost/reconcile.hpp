#pragma once
// `reconcile`: re-price every billed row of a usage export with the rate card
// in effect on its date, and explain each difference. Rounding of the billed
// column is not a discrepancy: a difference within half a unit of the billed
// amount's written precision is counted as rounding.

#include "llmcost/group_by.hpp"
#include "llmcost/record_dedup.hpp"
#include "llmcost/record_resolver.hpp"
#include "llmcost/usage.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace llmcost {

// An amount as an invoice writes it. Invoices are written in cents (or more
// decimals), so the export's exact billed sum is compared after rounding it
// half-up to `places`: max(2, the decimals written), so 7.6 is 7.60.
struct InvoiceAmount
{
  Decimal amount;
  int places = 2;
};

// The precision an invoice amount is compared at: max(2, its written decimals).
int invoice_places(std::string_view written);

struct ReconcileOptions
{
  std::vector<std::string> group_by; // empty: provider, model
  std::string provider_hint;
  ModelMapping model_mapping;           // --assume-model, --model-alias
  std::optional<int> billed_precision;  // decimals; default: as each amount is written
  Decimal tolerance;                    // absolute, per line and on the total
  std::optional<Decimal> tolerance_pct; // percent of expected, per line and on the total
  std::optional<InvoiceAmount> invoice_total;
  std::vector<std::pair<std::string, InvoiceAmount>> invoice_lines; // (model or line item, amount)
  Decimal invoice_tolerance; // absolute, on each invoice line and the invoice total (not --tolerance)
  bool strict = true;
  bool require_billed = false; // a row without a billed amount is an error, not an unchecked row
  std::size_t show_rejects = 5;
  std::int32_t tz_offset_seconds = 0;
  std::optional<Day> since;
  std::optional<Day> until;
  bool focus = false; // collect FOCUS charges
  // A one-pass read seals its growing id table at this many ids (see
  // Reconciler::add_sealed); smaller in tests.
  std::size_t seal_ids_every = std::size_t{1} << 22;
};

struct Discrepancy
{
  std::string file;
  std::size_t line = 0;
  std::string request_id;
  std::optional<std::int64_t> time; // Unix seconds (UTC), when the row is dated
  std::string provider;
  std::string model;
  // The row's usage, so a dispute can be filed from the discrepancy alone.
  std::uint64_t input_tokens = 0; // all input, cached included
  std::uint64_t cached_input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t web_search_calls = 0;
  bool batch = false;
  std::optional<Decimal> expected; // absent when the row cannot be priced
  Decimal billed;
  Decimal variance;   // billed - expected (expected 0 when absent)
  std::string cause;  // stable name, e.g. "cache discount not applied"
  std::string detail; // what exactly, e.g. "billed at kimi-k2.5's price"
  bool exceeds_tolerance = true;
};

// One FOCUS 1.2 charge: a model x token type x day (x batch) line. Variances
// are Adjustment lines, rounding apart from each cause of discrepancy
// (unpriced rows included), so BilledCost sums exactly to the billed total.
struct FocusCharge
{
  std::string day; // UTC, YYYY-MM-DD; empty for undated rows
  std::string provider;
  std::string provider_name;
  std::string model;
  std::string token_type; // input, cached_input, output, web_search, request_fee; rounding, discrepancy
  std::string cause;      // a discrepancy's cause ("cache discount not applied")
  bool batch = false;
  Decimal consumed;                  // tokens, calls or requests
  std::string consumed_unit;         // Tokens, Calls, Requests; empty for adjustments
  std::optional<Decimal> unit_price; // per pricing unit
  std::string pricing_unit;          // 1M Tokens, Call, Request
  Decimal list_cost;
  Decimal billed_cost;
};

// A line of the invoice (--invoice FILE): what the invoice charges for a
// model against what the export bills for it.
struct InvoiceLine
{
  std::string line;  // as written on the invoice
  std::string model; // provider/model it resolved to; empty when it did not
  Decimal invoiced;
  int places = 2;         // the invoice line's precision
  Decimal billed;         // the export's billed sum for that model, exact
  Decimal billed_rounded; // billed, rounded half-up to `places`: what `invoiced` is compared with
  Decimal variance() const { return invoiced - billed_rounded; }
};

struct ReconcileGroup
{
  std::vector<std::string> keys;
  std::uint64_t rows = 0;
  std::uint64_t discrepant = 0;
  Decimal billed;
  Decimal expected;
  Decimal variance() const { return billed - expected; }
};

struct CauseTotal
{
  std::uint64_t rows = 0;
  Decimal variance;
};

struct ReconcileResult
{
  std::string currency = "USD";
  std::vector<std::string> key_names;
  std::vector<ReconcileGroup> groups;
  Decimal billed_total;
  Decimal expected_total;
  Decimal rounding_total; // differences within the billed precision
  std::uint64_t rounded_rows = 0;
  std::uint64_t unbilled = 0;             // rows without a billed amount: read, not reconciled
  std::string first_unbilled;             // FILE:LINE of the first of them
  std::vector<Discrepancy> discrepancies; // input order
  std::map<std::string, CauseTotal> by_cause;
  RecordCounts records; // priced = matched (billed and expected agree within rounding)
  std::optional<Decimal> invoice_total;
  int invoice_places = 2;
  bool invoice_from_lines = false; // the total is the lines' sum, and invoice_billed is rounded line by line
  Decimal invoice_billed; // the billed total rounded as the invoice rounds: what invoice_total is compared with
  std::vector<InvoiceLine> invoice_lines;
  std::map<std::string, Decimal> billed_by_model; // "provider/model" -> billed
  std::vector<FocusCharge> focus;                 // with ReconcileOptions::focus
  std::vector<std::string> failures;              // why the check failed (empty: pass)
  std::vector<std::string> notes;

  Decimal variance() const { return billed_total - expected_total; }
};

class Reconciler : public RecordSink
{
public:
  Reconciler(const Catalog& catalog, ReconcileOptions options);

  void record(const UsageRecord& record) override;
  void prefetch_request_id(std::string_view id) override;
  void reject(const Location& where, const std::string& category, const std::string& detail) override;
  void record_once(const std::string& key, const UsageRecord& record) override;
  void skip(const std::string& reason) override;
  std::uint64_t records_read() const override { return m_result.records.read; }
  // Pieces of a file and many files are reconciled side by side; joined in
  // input order, the result is the one a single pass gives.
  std::unique_ptr<RecordSink> fork() const override;
  bool admit(const std::vector<RecordSink*>& later) override;
  void input_read() override;
  void join(RecordSink& later, std::size_t line_offset) override;

  ReconcileResult finish();
  // The fingerprints of the ids of rows flagged "duplicate request id",
  // for RepeatedIdCheck.
  const std::vector<ResponseKey>& repeated_id_prints() const { return m_repeated_prints; }

private:
  void check_invoice_lines();
  void count_rejection(const Location& where, const std::string& category, const std::string& detail);
  void add_to_group(const UsageRecord& record, const ResolvedModel* model, std::optional<Day> local_day, Decimal billed,
                    Decimal expected, bool discrepant);
  // The likeliest cause of a difference, tested against the cards.
  std::pair<std::string, std::string> explain(const UsageRecord& record, const ResolvedModel& model,
                                              const PriceSet& prices, Decimal billed, const Cost& expected,
                                              Decimal half_unit) const;
  bool within_tolerance(Decimal variance, Decimal expected) const;
  void add_focus(const UsageRecord& record, const ResolvedModel* model, const PriceSet* prices,
                 const std::optional<Cost>& expected, Decimal variance, const std::string& cause);

  const Catalog& m_catalog;
  ReconcileOptions m_options;
  RecordResolver m_resolver;
  ReconcileResult m_result;
  std::uint64_t m_billed_rows = 0; // in the window, with a billed amount
  // Where rows were first rejected or left unbilled: formatted at the end,
  // once a fork's line numbers are moved to the file's.
  FirstPlaces m_first_rejections{m_options.show_rejects};
  Location m_first_unbilled;
  // Request ids seen, as 96-bit fingerprints (see response_set.hpp for the
  // chance of two ids sharing one): those of rows read here, and sealed,
  // those of joined forks (each fork's piece, or a merge of a few).
  ResponseSet m_request_ids;
  std::vector<SealedIdSet> m_sealed_ids;
  // A fork only collects its piece's ids (no lookup a row); one of them
  // repeated within the piece sends the file to one pass, as one repeated
  // across pieces does (see admit).
  bool m_collect_ids = false;
  SealedIdSet::Collector m_piece_ids;
  bool m_repeat_in_piece = false;
  bool seen_request_id(const ResponseKey& id);
  // Merges the two smallest sealed sets while there are many.
  static constexpr std::size_t k_max_sealed = 8;
  void compact_sealed()
  {
    if (m_sealed_ids.size() > k_max_sealed) {
      merge_sealed();
    }
  }
  void merge_sealed();
  std::vector<ResponseKey> m_repeated_prints;
  std::string_view m_prefetched_id; // the last id prefetched, and its fingerprint
  Fingerprint m_prefetched_print;
  std::vector<GroupDimension> m_group_dimensions; // of m_options.group_by
  std::vector<std::string> m_group_keys;          // the row being added, reused
  std::map<std::vector<std::string>, ReconcileGroup> m_groups;
  // With --by provider and model only, a row's group follows from its model:
  // a model's group is found again without building its keys, in a small
  // direct-mapped cache by model (a file interleaves a handful of them).
  bool m_group_follows_model = false;
  struct ModelTotals
  {
    const ResolvedModel* model = nullptr;
    Decimal* billed = nullptr;       // in billed_by_model
    ReconcileGroup* group = nullptr; // when the group follows from the model
  };
  std::array<ModelTotals, 32> m_model_totals{}; // indexed by 5 bits
  // Price plans of the periods rows were priced on (see price_plan): a row
  // is priced with integer multiplies, not price_usage's general path.
  struct PlanSlot
  {
    const PriceSet* prices = nullptr;
    bool batch = false;
    std::optional<ChatPricePlan> plan; // none: price_usage decides
    // Without and with web search: pricing's rules for the period passed.
    std::array<bool, 2> period_priceable{};
  };
  std::array<PlanSlot, 128> m_price_plans{}; // homes: the top 7 bits of a hash
  PlanSlot& price_plan(const ResolvedModel& model, const PriceSet& prices, bool batch);
  std::map<std::tuple<std::string, std::string, std::string, std::string, bool>, FocusCharge> m_focus;
};

// Makes the duplicate-id check exact: the inputs are read again and the
// text of every id whose fingerprint a flagged row had is collected. Two
// different ids under one fingerprint (a chance of about n^2/2^96 for n
// ids) make the run fail, naming both, rather than flag a row wrongly.
class RepeatedIdCheck : public RecordSink
{
public:
  using Print = Fingerprint (*)(std::string_view);
  explicit RepeatedIdCheck(const std::vector<ResponseKey>& prints, Print print = fingerprint);

  void record(const UsageRecord& record) override;
  void reject(const Location&, const std::string&, const std::string&) override { ++m_read; }
  void record_once(const std::string&, const UsageRecord& record) override { this->record(record); }
  void skip(const std::string&) override {}
  std::uint64_t records_read() const override { return m_read; }
  std::unique_ptr<RecordSink> fork() const override;
  void join(RecordSink& later, std::size_t line_offset) override;

  // Throws Error when two different ids shared a flagged fingerprint.
  void confirm() const;

private:
  struct Texts
  {
    std::string first;
    Location first_at;
    std::optional<std::pair<std::string, Location>> other; // a different id under the same fingerprint
  };
  using Print96 = std::pair<std::uint64_t, std::uint32_t>; // a ResponseKey's id
  void add(const Print96& print, std::string_view text, const Location& where);

  Print m_print;
  ResponseSet m_wanted;
  std::map<Print96, Texts> m_texts;
  std::uint64_t m_read = 0;
};

} // namespace llmcost

#include "llmcost/render.hpp"

namespace llmcost {

// Reads an invoice CSV: a column naming the model or line item (model,
// line_item, description, sku) and an amount (amount, amount_value, total,
// cost, amount_usd). Throws Error naming file:line for anything else.
// `decimal_comma`: amounts are written 12,34 (see decimal_comma_to_point).
std::vector<std::pair<std::string, InvoiceAmount>> read_invoice_lines(std::string_view text, const std::string& file,
                                                                      bool decimal_comma = false);

// Table and Markdown show the `top` largest discrepancies; JSON and CSV carry
// all of them (CSV is the list of rows to dispute).
std::string render_reconcile(const ReconcileResult& result, const RenderOptions& options, std::size_t top);
// FOCUS 1.2 CSV: one row per model x token type x day, plus adjustments.
std::string render_focus(const ReconcileResult& result);
// Its header: every mandatory FOCUS 1.2 column and the conditional ones that
// apply, then x_ custom columns.
const std::vector<std::string>& focus_columns();

} // namespace llmcost
