#pragma once
// Shared by fuzz_csv and fuzz_jsonl: feeds one input to a reader twice, once
// into a UsageAggregator (`llmcost estimate FILE --allow-rejects`) and once
// into a Reconciler (`llmcost reconcile FILE --allow-rejects --by ...`), then
// finishes and renders both, as the CLI does.

#include "fuzz_common.hpp"

#include "llmcost/aggregator.hpp"
#include "llmcost/catalog.hpp"
#include "llmcost/reconcile.hpp"
#include "llmcost/render.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace llmcost_fuzz {

inline const llmcost::Catalog& bundled()
{
  static const llmcost::Catalog catalog = llmcost::Catalog::bundled();
  return catalog;
}

inline void check_counts(const llmcost::RecordCounts& c)
{
  if (c.priced + c.rejected + c.duplicates + c.filtered > c.read) {
    defect("record accounting: priced + rejected + duplicates + filtered > read",
           std::to_string(c.priced) + "+" + std::to_string(c.rejected) + "+" + std::to_string(c.duplicates) + "+" +
               std::to_string(c.filtered) + " > " + std::to_string(c.read));
  }
}

// `read(sink)` runs the reader over the input.
template <typename Read> void run_usage(Read&& read)
{
  using namespace llmcost;
  expect_clean([&] {
    AggregateOptions options;
    options.strict = false;
    options.show_rejects = 3;
    UsageAggregator aggregator(bundled(), options);
    read(aggregator);
    const Report report = aggregator.finish();
    check_counts(report.records);
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json, OutputFormat::csv}) {
      RenderOptions render;
      render.format = format;
      (void)render_report(report, render);
    }
    (void)render_record_summary(report);
  });
  expect_clean([&] {
    ReconcileOptions options;
    options.strict = false;
    options.group_by = {"provider", "model", "project", "key", "session", "day", "week", "month"};
    options.tz_offset_seconds = 5 * 3600 + 1800;
    options.tolerance_pct = Decimal::from_int(1);
    Reconciler reconciler(bundled(), options);
    read(reconciler);
    const ReconcileResult result = reconciler.finish();
    check_counts(result.records);
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json, OutputFormat::csv}) {
      RenderOptions render;
      render.format = format;
      (void)render_reconcile(result, render, 5);
    }
  });
}

// Writes down everything a reader sends, in order, to compare two ways of
// reading the same text exactly.
class TraceSink : public llmcost::RecordSink
{
public:
  std::vector<std::string> events;

  void record(const llmcost::UsageRecord& r) override { events.push_back("record " + describe(r)); }
  void reject(const llmcost::Location& where, const std::string& category, const std::string& detail) override
  {
    events.push_back("reject " + where.to_string() + " " + category + ": " + detail);
  }
  void record_once(const std::string& key, const llmcost::UsageRecord& r) override
  {
    events.push_back("record_once " + key + " " + describe(r));
  }
  void skip(const std::string& reason) override { events.push_back("skip " + reason); }
  std::uint64_t records_read() const override { return events.size(); }

private:
  static std::string describe(const llmcost::UsageRecord& r)
  {
    std::string out = std::string(r.where.file) + ":" + std::to_string(r.where.line);
    out += " t=" + (r.time ? std::to_string(*r.time) : std::string("-"));
    for (const std::string_view field : {r.provider, r.model, r.request_id, r.project, r.key, r.session}) {
      out += " [" + std::string(field) + "]";
    }
    for (const llmcost::Counter counter : llmcost::k_all_counters) {
      out += " " + std::to_string(r.counts[counter]);
    }
    out += r.batch ? " batch" : " -";
    out += " billed=" + (r.billed ? llmcost::int128_to_string(r.billed->raw()) : std::string("-"));
    out += "/" + std::to_string(r.billed_places);
    return out;
  }
};

// Runs `read(sink)` into a TraceSink; an expected failure (llmcost::Error,
// std::overflow_error) ends the trace with its message.
template <typename Read> std::vector<std::string> trace(Read&& read)
{
  TraceSink sink;
  try {
    read(sink);
  } catch (const llmcost::Error& e) {
    sink.events.push_back(std::string("error ") + e.what());
  } catch (const std::overflow_error& e) {
    sink.events.push_back(std::string("overflow ") + e.what());
  }
  return sink.events;
}

// Piece sizes from 1 to about a quarter of the text, drawn from a generator
// seeded by the text itself (the same input always cuts the same way).
class PieceSizes
{
public:
  explicit PieceSizes(std::string_view text)
    : m_limit(std::max<std::size_t>(1, text.size() / 4))
  {
    for (const char c : text) {
      m_state = (m_state ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    }
  }
  std::size_t next()
  {
    m_state ^= m_state << 13;
    m_state ^= m_state >> 7;
    m_state ^= m_state << 17;
    return 1 + static_cast<std::size_t>(m_state % m_limit);
  }

private:
  std::size_t m_limit;
  std::uint64_t m_state = 0xCBF29CE484222325ULL;
};

// Feeds `text` to `parse(piece, first_line, at_end)` as BlockReader does,
// but in random-sized blocks: each round appends a block to the unconsumed
// rest; `parse` returns the bytes of whole records it took. Every piece is an
// exactly sized heap copy, so that AddressSanitizer sees a read past its end.
template <typename Parse> void feed_in_pieces(std::string_view text, Parse&& parse)
{
  PieceSizes sizes(text);
  std::string rest;
  std::size_t next = 0;
  std::size_t line = 1;
  while (true) {
    const std::size_t block = std::min(sizes.next(), text.size() - next);
    rest.append(text.substr(next, block));
    next += block;
    const bool at_end = next == text.size();
    const std::unique_ptr<char[]> copy(new char[std::max<std::size_t>(1, rest.size())]);
    if (!rest.empty()) {
      std::memcpy(copy.get(), rest.data(), rest.size());
    }
    // parse returns the bytes it took and the newlines it counted in them.
    const auto [taken, newlines] = parse(std::string_view(copy.get(), rest.size()), line, at_end);
    const std::size_t used = std::min<std::size_t>(taken, rest.size());
    const auto counted =
        static_cast<std::size_t>(std::count(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(used), '\n'));
    if (used == taken && newlines != counted) {
      std::fprintf(stderr, "a reader counted %zu newlines in %zu bytes that hold %zu\n", newlines, used, counted);
      std::abort();
    }
    line += counted;
    rest.erase(0, used);
    if (at_end) {
      return;
    }
  }
}

// Both traces must be the same, event for event.
inline void expect_same_trace(const char* what, const std::vector<std::string>& whole,
                              const std::vector<std::string>& pieces)
{
  const std::size_t common = std::min(whole.size(), pieces.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (whole[i] != pieces[i]) {
      defect(what, "event " + std::to_string(i) + ": whole text: " + whole[i] + " | in pieces: " + pieces[i]);
    }
  }
  if (whole.size() != pieces.size()) {
    defect(what, std::to_string(whole.size()) + " events from the whole text, " + std::to_string(pieces.size()) +
                     " in pieces; first extra: " + (whole.size() > common ? whole[common] : pieces[common]));
  }
}

} // namespace llmcost_fuzz
