#pragma once
// The records that may repeat, kept compactly until the end of input.

#include "llmcost/usage.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace llmcost {

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

} // namespace llmcost
