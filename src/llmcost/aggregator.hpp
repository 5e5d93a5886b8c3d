#pragma once
// The UsageAggregator: accounts for every record (read = priced + rejected +
// duplicates + filtered) and sums them per group, to price each group once.

#include "llmcost/catalog.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/record_dedup.hpp"
#include "llmcost/record_resolver.hpp"
#include "llmcost/report.hpp"
#include "llmcost/response_set.hpp"
#include "llmcost/usage.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace llmcost {

struct AggregateOptions
{
  std::vector<std::string> group_by; // empty: provider, model
  std::string provider_hint;
  ModelMapping model_mapping;         // --assume-model, --model-alias
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
  using Accumulator = Counts<uint128>; // a group's sums: no overflow from 2^64 records of 2^64 tokens
  using Dimension = GroupDimension;
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
  FirstPlaces m_first_rejections{m_options.show_rejects}; // formatted at the end, once lines are final
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
    std::uint64_t* outside_life = nullptr; // the lifecycle count this record adds to, if any
  };
  static constexpr std::int64_t k_undated = INT64_MIN;
  std::array<RecentRecord, 128> m_recent_records;
  bool m_group_follows_model = false;
  std::unordered_map<std::string_view, std::int64_t> m_interned_ids;
  std::vector<std::unique_ptr<std::string>> m_interned; // id -> text (stable addresses)
  // Records dated before a model's launch or on/after its retirement (priced
  // by the first or last period), by "provider/model": notes, never rejections.
  struct OutsideLife
  {
    const Model* model = nullptr;
    std::uint64_t before_launch = 0;
    std::uint64_t after_retirement = 0;
  };
  std::map<std::string, OutsideLife> m_outside_life;
  std::uint64_t* outside_life_count(const Card& card, const Model& model, Day utc_day);
  std::vector<std::string> lifecycle_notes() const;
  std::optional<Day> m_first_day; // observed window of priced records (UTC)
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
    FirstPlaces first_repeats{0};    // limit set by the constructor
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

} // namespace llmcost
