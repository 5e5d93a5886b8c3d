#pragma once
// Recorded usage: one normalised record per request (or per usage line of an
// export), whatever format it came from, and the aggregator that prices them
// into a Report. Readers produce records; the aggregator accounts for every
// one: read = priced + rejected + duplicates.

#include "llmcost/catalog.hpp"
#include "llmcost/date.hpp"
#include "llmcost/error.hpp"
#include "llmcost/report.hpp"
#include "llmcost/response_set.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace llmcost {

// Where a record came from, without copying the file name per record.
struct SourceLine
{
  std::string_view file;
  std::size_t line = 0;

  Location location() const { return Location{std::string(file), line, 0}; }
};

struct UsageRecord
{
  SourceLine where;                 // file and line of the record
  std::optional<std::int64_t> time; // Unix seconds (UTC)
  std::string_view provider;        // route, when the input names it
  std::string_view model;
  std::string_view request_id;
  std::string_view project;
  std::string_view key;
  std::string_view session;
  std::uint64_t requests = 1;
  std::uint64_t input = 0;        // uncached input (cache writes included)
  std::uint64_t cached_input = 0; // cache hits
  std::uint64_t cache_write = 0;  // of input
  std::uint64_t output = 0;       // reasoning included
  std::uint64_t reasoning = 0;    // of output
  std::uint64_t web_search_calls = 0;
  bool batch = false;
  std::optional<Decimal> billed;
  int billed_places = -1; // decimals the billed amount was written with (its precision)
};

// Decimals a number is written with: "0.00215000" -> 8, "9.84e-05" -> 7, "12" -> 0.
int written_decimal_places(std::string_view number);
// A billed amount (exponent allowed, as parse_scientific) and the decimals it
// is written with; one pass for the plain form read on every usage row.
std::optional<Decimal> parse_billed_amount(std::string_view text, int& places);

// Receives what readers produce.
class RecordSink
{
public:
  virtual ~RecordSink() = default;
  virtual void record(const UsageRecord& record) = 0;
  // A record that could not be read or priced. `category` is a short, stable
  // name counted in the summary ("bad field", "unknown model"); `detail` says
  // exactly what was found and what was expected.
  virtual void reject(const Location& where, const std::string& category, const std::string& detail) = 0;
  // A record that may appear more than once (Claude Code writes one line per
  // content block; OpenTelemetry exporters print spans twice): only the
  // fullest copy per `key` is priced, the others count as duplicates.
  virtual void record_once(const std::string& key, const UsageRecord& record) = 0;
  // A response from a trace (an API response, a stream's usage chunk, a
  // batch output line) under a key of its id and usage: the same response
  // logged again counts once, as a duplicate; the same id with other usage
  // is rejected. Sinks that list every record may treat it as record_once.
  virtual void record_response(const ResponseKey& key, const UsageRecord& record)
  {
    record_once(fmt::format("response:{:016x}{:08x}:{:08x}", key.id_high, key.id_low, key.usage), record);
  }
  // A hint, as soon as a reader knows a response's id: record_response
  // with that id follows.
  virtual void prefetch_response(const Fingerprint& /*id*/) {}
  // A row of a tabular export (a provider's CSV): a billed line, kept and
  // priced even when its request id repeats an earlier row's (the provider
  // billed it twice, or two exports overlap); a sink may report repeats.
  virtual void record_billed_line(const UsageRecord& line) { record(line); }
  // A line that carries no usage of its own (a user turn, a stream chunk, an
  // agent span repeating its children's usage): counted, never priced.
  virtual void skip(const std::string& reason) = 0;

  // Records seen so far (read = priced + rejected + duplicates + filtered):
  // an input that adds none was not understood, or holds no usage.
  virtual std::uint64_t records_read() const = 0;
  // Something about the inputs the report must say (a header-only export,
  // files without usage); kept in order, once each.
  void note(const std::string& text)
  {
    if (std::find(m_input_notes.begin(), m_input_notes.end(), text) == m_input_notes.end()) {
      m_input_notes.push_back(text);
    }
  }
  const std::vector<std::string>& input_notes() const { return m_input_notes; }

  // Parallel reading: a fresh sink with the same settings for one piece of
  // the input (its lines numbered from 1), or null when this sink must see
  // records one by one in order (strict runs, per-record listings).
  virtual std::unique_ptr<RecordSink> fork() const { return nullptr; }
  // Before the forks of one file are joined (in order): false when that
  // would count a response twice that a single pass counts once, and the
  // file is then read again in one pass. A sink may take what it needs of
  // the forks here; refusing, it is left as it was.
  virtual bool admit(const std::vector<RecordSink*>& /*later*/) { return true; }
  // Adds what a forked sink saw on the input that follows everything this one
  // has seen; its line numbers move down by `line_offset`.
  virtual void join(RecordSink& /*later*/, std::size_t /*line_offset*/) {}

private:
  std::vector<std::string> m_input_notes;
};

// Resolves the (provider, model) of records to one route's model, caching
// the answer per pair. A provider value that is not a loaded route ("openai",
// "Moonshot AI") does not choose the route; it is remembered for a note.
class RecordResolver
{
public:
  struct Result
  {
    std::optional<ResolvedModel> model;
    std::string category; // set when model is absent
    std::string problem;
  };

  RecordResolver(const Catalog& catalog, std::string provider_hint);
  const Result& resolve(std::string_view provider, std::string_view model);
  // Notes for the report (providers that were not routes).
  std::vector<std::string> notes() const;
  // Takes the providers another resolver ignored (after this one's).
  void merge_notes(const RecordResolver& later);

private:
  using Names = std::pair<std::string_view, std::string_view>;
  struct NamesHash
  {
    using is_transparent = void;
    std::size_t operator()(const Names& n) const noexcept;
    std::size_t operator()(const std::pair<std::string, std::string>& n) const noexcept
    {
      return (*this)(Names(n.first, n.second));
    }
  };
  struct NamesEqual
  {
    using is_transparent = void;
    template <typename A, typename B> bool operator()(const A& a, const B& b) const noexcept
    {
      return std::string_view(a.first) == std::string_view(b.first) &&
             std::string_view(a.second) == std::string_view(b.second);
    }
  };

  void ignore_provider(std::string_view provider);
  Result lookup(std::string_view provider, std::string_view model);

  // A small direct-mapped cache in front of the map: a usage file names a
  // handful of models, and hashing both names per record was a tenth of the
  // reading time.
  struct Recent
  {
    std::string provider;
    std::string model;
    const Result* result = nullptr;
  };
  static std::size_t recent_slot(std::string_view provider, std::string_view model);
  std::array<Recent, 64> m_recent;

  const Catalog& m_catalog;
  std::string m_provider_hint;
  std::unordered_map<std::pair<std::string, std::string>, Result, NamesHash, NamesEqual> m_cache;
  std::vector<std::string> m_ignored_providers;
};

// Why a record cannot be priced on a model as it is (category, detail), or
// empty strings: a media model, batch on a route without batch pricing, web
// search calls where the route has no search price.
std::pair<std::string, std::string> unpriceable_reason(const UsageRecord& record, const ResolvedModel& model);
// True when the route or the model has a price for web search calls.
bool prices_web_search(const ResolvedModel& model);

// A response id read again with other usage: the rejection's category and detail.
inline const std::string k_conflicting_response = "conflicting copies of a response";
std::string conflicting_response_detail(const UsageRecord& record);

// A record's quantities as an additive Usage.
Usage usage_of(const UsageRecord& record);

// Holds records that may repeat (see RecordSink::record_once) until the end
// of input, keeping the fullest copy per key with its own copies of strings.
// A Claude Code tree keeps every message until the end, so the bytes per
// record decide the memory of the run: a kept record is a compact row (names
// as small numbers, counts, where) plus its key's text, found through an open
// table of row numbers; keys compare exactly, never by hash alone.
class RecordDeduplicator
{
public:
  RecordDeduplicator();
  ~RecordDeduplicator();
  RecordDeduplicator(RecordDeduplicator&&) noexcept;
  RecordDeduplicator& operator=(RecordDeduplicator&&) noexcept;

  // True when `key` is new; otherwise a duplicate (the fuller copy is kept).
  bool offer(std::string_view key, const UsageRecord& record);
  // Offers what `later` kept, from input that follows this one's (its lines
  // moved down by `line_offset`), then empties it; returns the duplicates.
  std::uint64_t absorb(RecordDeduplicator& later, std::size_t line_offset);
  // Calls `use` with every kept record, in file and line order, then forgets them.
  template <typename Use> void drain(Use use)
  {
    for (const std::uint32_t i : drain_order()) {
      use(expand(i));
    }
    clear();
  }

private:
  struct Kept;
  struct Storage;

  std::vector<std::uint32_t> drain_order() const;
  UsageRecord expand(std::uint32_t index) const;
  void clear();

  std::unique_ptr<Storage> m_storage;
};

struct AggregateOptions
{
  std::vector<std::string> group_by; // empty: provider, model
  std::string provider_hint;
  std::optional<Day> since;           // inclusive, in the --tz day
  std::optional<Day> until;           // inclusive, in the --tz day
  std::int32_t tz_offset_seconds = 0; // days, weeks and months are cut at this UTC offset
  bool strict = false;                // first rejection throws
  std::size_t show_rejects = 5;
  // Rows of tabular exports checked for repeated request ids: the check
  // holds 16 bytes per id, so by default it runs when the whole run has at
  // most this many rows with an id (and says so when it has more).
  std::uint64_t check_request_ids = k_check_request_ids_default;
  static constexpr std::uint64_t k_check_request_ids_default = 524288;
  static constexpr std::uint64_t k_check_request_ids_all = UINT64_MAX;
};

class UsageAggregator : public RecordSink
{
public:
  UsageAggregator(const Catalog& catalog, AggregateOptions options);
  ~UsageAggregator() override;
  UsageAggregator(const UsageAggregator&) = delete;
  UsageAggregator& operator=(const UsageAggregator&) = delete;

  void record(const UsageRecord& record) override;
  void reject(const Location& where, const std::string& category, const std::string& detail) override;
  void record_once(const std::string& key, const UsageRecord& record) override;
  void record_response(const ResponseKey& key, const UsageRecord& record) override;
  void prefetch_response(const Fingerprint& id) override { m_responses.prefetch(id); }
  void record_billed_line(const UsageRecord& record) override;
  void skip(const std::string& reason) override;
  std::uint64_t records_read() const override { return m_counts.read; }
  std::unique_ptr<RecordSink> fork() const override;
  bool admit(const std::vector<RecordSink*>& later) override;
  void join(RecordSink& later, std::size_t line_offset) override;

  // Prices what was kept for de-duplication, then everything, into a report.
  Report finish();
  const RecordCounts& counts() const { return m_counts; }

private:
  // Up to this many --by dimensions (there are 9; a dimension may repeat).
  static constexpr std::size_t k_max_dimensions = 12;

  // A group is priced once, so records are summed per pricing unit (model,
  // prices in effect, batch) within each combination of --by values. Values
  // are small integers here: interned text for project/key/session, a day
  // number for day/week/month; provider and model follow from the model.
  struct GroupKey
  {
    const Card* card = nullptr;
    const Model* model = nullptr;
    const PriceSet* prices = nullptr;
    bool batch = false;
    std::uint8_t dimensions = 0; // values in use
    std::array<std::int64_t, k_max_dimensions> values{};

    bool operator==(const GroupKey& other) const; // compares the values in use only
  };
  struct GroupKeyHash
  {
    std::size_t operator()(const GroupKey& key) const noexcept;
  };
  struct Accumulator
  {
    uint128 requests = 0;
    uint128 input = 0;
    uint128 cached_input = 0;
    uint128 cache_write = 0;
    uint128 output = 0;
    uint128 reasoning = 0;
    uint128 web_search_calls = 0;

    void add(const Accumulator& other);
  };
  enum class Dimension { provider, model, project, key, session, day, week, month, other };
  struct PendingRejection
  {
    Location where;
    std::string detail;
  };

  void process(const UsageRecord& record); // price or reject; `read` already counted
  void note_priced_day(Day utc_day);       // widens the observed window
  void count_rejection(const Location& where, const std::string& category, const std::string& detail);
  std::int64_t intern(std::string_view text);
  std::int64_t day_value(Dimension dimension, std::optional<Day> local_day);
  std::vector<std::string> key_texts(const GroupKey& key) const;

  const Catalog& m_catalog;
  AggregateOptions m_options;
  std::vector<Dimension> m_dimensions;
  RecordCounts m_counts;
  std::vector<PendingRejection> m_first_rejections; // formatted at the end, once lines are final
  RecordResolver m_resolver;
  std::unordered_map<GroupKey, Accumulator, GroupKeyHash> m_groups;
  // A direct-mapped cache in front of m_groups (its nodes never move): a
  // usage file has a handful of groups, and the map's lookup was a quarter
  // of pricing a record.
  struct RecentGroup
  {
    std::size_t hash = 0;
    const GroupKey* key = nullptr;
    Accumulator* accumulator = nullptr;
  };
  std::array<RecentGroup, 64> m_recent_groups{};
  Accumulator& group(const GroupKey& key);
  // In front of the resolver, the price lookup and group() when the group
  // follows from the model alone (--by provider, model): where the last
  // record with the same provider and model text and batch flag, priced on
  // the same UTC day, was summed.
  struct RecentRecord
  {
    std::string provider;
    std::string model;
    bool batch = false;
    bool web_search_priced = false; // the route or model has a price for web search calls
    std::int64_t utc_day = 0;       // k_undated for a record without a time
    Accumulator* accumulator = nullptr;
  };
  static constexpr std::int64_t k_undated = INT64_MIN;
  std::array<RecentRecord, 128> m_recent_records;
  bool m_group_follows_model = false;
  std::unordered_map<std::string_view, std::int64_t> m_interned_ids;
  std::vector<std::unique_ptr<std::string>> m_interned; // id -> text (stable addresses)
  std::optional<Day> m_first_day;                       // observed window of priced records (UTC)
  std::optional<Day> m_last_day;
  RecordDeduplicator m_deduplicator;
  ResponseSet m_responses;
  // Request ids of tabular rows (billed lines: repeats are kept, reported).
  struct RequestIdCheck
  {
    ResponseSet ids;
    bool checking = true;            // false once the run passed the limit (ids then freed)
    std::uint64_t rows_with_id = 0;  // this sink's rows
    std::uint64_t unshared = 0;      // rows checked, not yet added to `run_rows`
    std::uint64_t shared = 0;        // rows this sink added to `run_rows`
    std::uint64_t run_rows_seen = 0; // `run_rows` when last added to
    std::uint64_t repeated = 0;      // rows whose id an earlier row had
    std::vector<PendingRejection> first_repeats;
    // Rows with an id in the whole run, forks included, so that every
    // sink stops checking (and frees its ids) once the run passes the limit.
    std::shared_ptr<std::atomic<std::uint64_t>> run_rows = std::make_shared<std::atomic<std::uint64_t>>(0);
  };
  RequestIdCheck m_request_ids;
  void check_request_id(const UsageRecord& record);
  void stop_checking_request_ids();
  // Consecutive records are often dated the same day: remember the last answer.
  Day m_cached_day = 0;
  std::int64_t m_cached_week = 0;
  std::int64_t m_cached_month = 0;
  bool m_have_cached_day = false;
};

// Unix seconds of a timestamp: ISO 8601 ("2026-01-05T10:00:00Z",
// "2026-01-05 10:00:00.123+02:00", "2026-01-05"; no zone means UTC), or Unix
// seconds / milliseconds (12 digits or more).
std::optional<std::int64_t> parse_timestamp(std::string_view text);
// The day a Unix time falls on at a UTC offset.
Day day_at_offset(std::int64_t unix_seconds, std::int32_t offset_seconds);
// The record's day at a UTC offset, when it is dated.
std::optional<Day> local_day_of(const UsageRecord& record, std::int32_t offset_seconds);
// True for a dated record outside [since, until] (inclusive bounds, either optional).
bool outside_window(std::optional<Day> day, std::optional<Day> since, std::optional<Day> until);
// "UTC", "Z", "+05:30", "-08:00", "+0530": seconds east of UTC.
std::optional<std::int32_t> parse_utc_offset(std::string_view text);

// The value of one --by dimension for a record priced on `model` (null when
// the record's model could not be resolved: its own provider and model text).
std::string group_value(const std::string& dim, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day);

// Group key text for a day: "2026-01-05", ISO week "2026-W02", month "2026-01".
std::string week_key(Day day);
std::string month_key(Day day);

} // namespace llmcost
