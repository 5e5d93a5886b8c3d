#pragma once
// Recorded usage: one normalised record per request (or per usage line of an
// export), whatever format it came from, and the RecordSink readers send
// records to (the aggregator, reconcile, compare: aggregator.hpp etc.).

#include "llmcost/catalog.hpp"
#include "llmcost/counters.hpp"
#include "llmcost/error.hpp"
#include "llmcost/report.hpp"
#include "llmcost/response_set.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <cstdint>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

// Where a record came from, without copying the file name per record.
struct SourceLine
{
  std::string_view file;
  std::size_t line = 0;
  std::uint32_t column = 0; // where the record starts, when not at the line's start (a JSON array's element)

  Location location() const { return Location{std::string(file), line, column}; }
};

// A record is one request unless its input says how many.
inline constexpr Counts<std::uint64_t> k_one_request = [] {
  Counts<std::uint64_t> c;
  c[Counter::requests] = 1;
  return c;
}();

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
  Counts<std::uint64_t> counts = k_one_request;
  bool batch = false;
  std::optional<Decimal> billed;
  int billed_places = -1; // decimals the billed amount was written with (its precision)
};

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
  // A hint from a tabular reader, as soon as a row's request id is read:
  // record_billed_line with that row follows.
  virtual void prefetch_request_id(std::string_view /*id*/) {}
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
  // Told on a fork once its piece is read, on the thread that read it: it
  // may compact what it keeps until it is joined.
  virtual void input_read() {}
  // Adds what a forked sink saw on the input that follows everything this one
  // has seen; its line numbers move down by `line_offset`.
  virtual void join(RecordSink& /*later*/, std::size_t /*line_offset*/) {}
  // A place a forked sink saw, numbered as in the whole file.
  static Location in_whole_file(Location where, std::size_t line_offset)
  {
    if (where.line != 0) {
      where.line += line_offset;
    }
    return where;
  }

private:
  std::vector<std::string> m_input_notes;
};

// The first few places a run reports (rejected records, repeated ids), kept
// with their locations until a fork's lines are moved to the whole file's.
class FirstPlaces
{
public:
  struct Place
  {
    Location where;
    std::string detail;
  };
  explicit FirstPlaces(std::size_t limit)
    : m_limit(limit)
  {
  }
  void add(const Location& where, std::string_view detail)
  {
    if (m_places.size() < m_limit) {
      m_places.push_back({where, std::string(detail)});
    }
  }
  // Appends what `later` kept (input that followed), lines moved down by `line_offset`.
  void join(FirstPlaces& later, std::size_t line_offset)
  {
    for (Place& place : later.m_places) {
      if (m_places.size() >= m_limit) {
        break;
      }
      m_places.push_back({RecordSink::in_whole_file(std::move(place.where), line_offset), std::move(place.detail)});
    }
    later.m_places.clear();
  }
  const std::vector<Place>& places() const { return m_places; }
  // The places as a report lists rejections ("FILE:LINE:COL", detail).
  std::vector<Rejection> rejections() const
  {
    std::vector<Rejection> out;
    for (const Place& place : m_places) {
      out.push_back({place.where.to_string(), place.detail});
    }
    return out;
  }

private:
  std::size_t m_limit;
  std::vector<Place> m_places;
};

// A response id read again with other usage: the rejection's category and detail.
inline const std::string k_conflicting_response = "conflicting copies of a response";
std::string conflicting_response_detail(const UsageRecord& record);

// A text field holding a NUL byte (a CSV cell, or a JSON string's \u0000)
// would be echoed into reports and exports: the record is rejected instead.
inline const std::string k_nul_byte = "NUL byte";
// The detail of that rejection for the first such field; none when no text
// field of the record holds a NUL byte.
std::optional<std::string> nul_byte_detail(const UsageRecord& record);

// Whole quantities (a record's, or a group's sums) as an additive Usage.
template <typename T> Usage usage_from_counts(const Counts<T>& counts)
{
  Usage u;
  counts.for_each([&](Counter c, T v) { u[c] = Decimal::from_raw(static_cast<int128>(v) * Decimal::k_scale); });
  return u;
}

// A record's quantities as an additive Usage.
Usage usage_of(const UsageRecord& record);

// The record's day at a UTC offset, when it is dated.
std::optional<Day> local_day_of(const UsageRecord& record, std::int32_t offset_seconds);

// Mixes a value into a hash (boost::hash_combine's step): enough for the
// names and groups of a run.
inline std::size_t hash_mix(std::size_t seed, std::size_t value)
{
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

// The first and last bytes of a name as one number, with fixed-size loads.
inline std::uint64_t edge_bytes(std::string_view text)
{
  if (text.size() >= 8) {
    const auto head = load_bytes<std::uint64_t>(text.data());
    const auto tail = load_bytes<std::uint64_t>(text.data() + text.size() - 8);
    return (head * 0xC2B2AE3D27D4EB4FULL) ^ tail;
  }
  if (text.size() >= 4) {
    const auto head = load_bytes<std::uint32_t>(text.data());
    const auto tail = load_bytes<std::uint32_t>(text.data() + text.size() - 4);
    return (static_cast<std::uint64_t>(head) << 32) | tail;
  }
  std::uint64_t word = 0;
  for (const char c : text) {
    word = (word << 8) | static_cast<unsigned char>(c);
  }
  return word;
}

// A hash of a (provider, model) pair of names, for small direct-mapped caches
// (take its top bits). Names differ mostly at the end ("kimi-k2.5",
// "kimi-k2.6"): it mixes both ends and both lengths.
inline std::uint64_t names_hash(std::string_view provider, std::string_view model)
{
  std::uint64_t h = (edge_bytes(model) + model.size()) * 0x9E3779B97F4A7C15ULL;
  h ^= (edge_bytes(provider) + (provider.size() << 32)) * 0x165667B19E3779F9ULL;
  return h * 0x9E3779B97F4A7C15ULL;
}

} // namespace llmcost
