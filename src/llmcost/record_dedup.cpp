#include "llmcost/record_dedup.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace llmcost {

// A kept record: its key and a packed row of small numbers (varints: where,
// names as interned ids, counts), some 24 + 90 bytes where a UsageRecord
// takes 256. No default member values: a block of them is allocated without
// touching its pages, and find_or_add()/offer() set every field.
struct RecordDeduplicator::Kept
{
  const char* key;
  const unsigned char* row; // see RecordDeduplicator::offer
  std::uint32_t key_size;
};

namespace {

// A kept record's row, unpacked.
struct KeptRow
{
  bool has_time = false;
  bool batch = false;
  bool request_id_ends_key = false; // the request id is the end of the key ("cc:MESSAGE:REQUEST")
  std::uint64_t line = 0;
  std::int64_t time = 0;
  std::array<std::uint32_t, 6> names{}; // file, provider, model, project, key, session (0: empty)
  Counts<std::uint64_t> counts;
  std::uint64_t billed = 0;    // 1 + index of the billed amount, or 0
  std::string_view request_id; // when not the end of the key
  std::uint64_t request_id_size = 0;
};

constexpr unsigned k_row_has_time = 1;
constexpr unsigned k_row_batch = 2;
constexpr unsigned k_row_request_id_ends_key = 4;

// Writes `value` at `out` (ten bytes at most), returns the end.
char* put_varint(char* out, std::uint64_t value)
{
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}

std::uint64_t get_varint(const unsigned char*& at)
{
  std::uint64_t value = 0;
  for (unsigned shift = 0;; shift += 7) {
    const unsigned byte = *at++;
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) {
      return value;
    }
  }
}

KeptRow unpack_row(const unsigned char* at)
{
  KeptRow row;
  const std::uint64_t flags = get_varint(at);
  row.has_time = (flags & k_row_has_time) != 0;
  row.batch = (flags & k_row_batch) != 0;
  row.request_id_ends_key = (flags & k_row_request_id_ends_key) != 0;
  row.line = get_varint(at);
  if (row.has_time) {
    const std::uint64_t zigzag = get_varint(at);
    row.time = static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
  }
  for (auto& name : row.names) {
    name = static_cast<std::uint32_t>(get_varint(at));
  }
  // Unrolled, as the seven statements it replaced were: every kept record
  // is unpacked when a copy of it is offered (GCC leaves it a loop at -O3).
#pragma GCC unroll 7
  for (auto& count : row.counts.values) {
    count = get_varint(at);
  }
  row.billed = get_varint(at);
  row.request_id_size = get_varint(at);
  if (!row.request_id_ends_key) {
    row.request_id = std::string_view(reinterpret_cast<const char*>(at), row.request_id_size);
  }
  return row;
}

} // namespace

struct RecordDeduplicator::Storage
{
  static_assert(sizeof(void*) != 8 || sizeof(Kept) <= 24);
  static constexpr std::size_t k_block = 4096; // kept records per block: no copying as they grow

  std::vector<std::unique_ptr<Kept[]>> blocks;
  std::uint32_t count = 0;
  // Open addressing: (high 32 bits of the key's hash << 32) | (1 + record), 0 empty.
  std::vector<std::uint64_t> table;
  // Names that repeat (files, models, sessions), each stored once; id 0 is "".
  std::vector<std::string_view> names{std::string_view()};
  std::vector<std::uint32_t> name_table;     // open addressing: 1 + id, 0 empty
  std::array<std::uint32_t, 6> last_names{}; // the previous record's, checked first
  std::vector<std::pair<Decimal, int>> billed;
  // Text: keys, request ids and names, packed in chunks that never move.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::size_t chunk_left = 0;
  char* chunk_at = nullptr;

  Kept& at(std::uint32_t i) { return blocks[i / k_block][i % k_block]; }
  const Kept& at(std::uint32_t i) const { return blocks[i / k_block][i % k_block]; }

  static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  // `text`, then `more`, copied one after the other; null when both are empty.
  const char* store(std::string_view text, std::string_view more = {})
  {
    const std::size_t bytes = text.size() + more.size();
    if (bytes == 0) {
      return nullptr;
    }
    if (bytes > chunk_left) {
      // Small at first: a fork reading one small file keeps few records.
      const std::size_t grown = (std::size_t{16} << 10) << std::min<std::size_t>(chunks.size(), 6); // up to 1 MiB
      const std::size_t size = std::max(bytes, grown);
      chunks.emplace_back(new char[size]);
      chunk_at = chunks.back().get();
      chunk_left = size;
    }
    char* stored = chunk_at;
    std::memcpy(stored, text.data(), text.size());
    if (!more.empty()) {
      std::memcpy(stored + text.size(), more.data(), more.size());
    }
    chunk_at += bytes;
    chunk_left -= bytes;
    return stored;
  }

  std::uint32_t intern(std::string_view text, std::size_t field)
  {
    if (text.empty()) {
      return 0;
    }
    if (names[last_names[field]] == text) {
      return last_names[field];
    }
    if (name_table.size() < 2 * names.size() + 2) {
      rehash_names(std::max<std::size_t>(64, name_table.size() * 2));
    }
    const std::size_t mask = name_table.size() - 1;
    for (std::size_t slot = hash(text) & mask;; slot = (slot + 1) & mask) {
      const std::uint32_t entry = name_table[slot];
      if (entry == 0) {
        const auto id = static_cast<std::uint32_t>(names.size());
        names.emplace_back(store(text), text.size());
        name_table[slot] = id + 1;
        return last_names[field] = id;
      }
      if (names[entry - 1] == text) {
        return last_names[field] = entry - 1;
      }
    }
  }

  void rehash_names(std::size_t size)
  {
    name_table.assign(size, 0);
    for (std::uint32_t id = 1; id < names.size(); ++id) {
      std::size_t slot = hash(names[id]) & (size - 1);
      while (name_table[slot] != 0) {
        slot = (slot + 1) & (size - 1);
      }
      name_table[slot] = id + 1;
    }
  }

  void rehash(std::size_t size)
  {
    table.assign(size, 0);
    for (std::uint32_t i = 0; i < count; ++i) {
      const Kept& kept = at(i);
      const std::uint64_t h = hash(std::string_view(kept.key, kept.key_size));
      std::size_t slot = h & (size - 1);
      while (table[slot] != 0) {
        slot = (slot + 1) & (size - 1);
      }
      table[slot] = (h >> 32 << 32) | (i + 1);
    }
  }

  // The record kept under `key`, or a new empty one (`added`).
  Kept& find_or_add(std::string_view key, bool& added)
  {
    if (table.size() < 2 * std::size_t{count} + 2) {
      rehash(std::max<std::size_t>(1024, table.size() * 2));
    }
    const std::uint64_t h = hash(key);
    const std::uint64_t tag = h >> 32 << 32;
    const std::size_t mask = table.size() - 1;
    for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
      const std::uint64_t entry = table[slot];
      if (entry == 0) {
        if (count % k_block == 0) {
          blocks.emplace_back(new Kept[k_block]);
        }
        const std::uint32_t i = count++;
        table[slot] = tag | (i + 1);
        Kept& kept = at(i);
        kept.key = store(key);
        kept.key_size = static_cast<std::uint32_t>(key.size());
        added = true;
        return kept;
      }
      if ((entry & 0xFFFFFFFF00000000ULL) == tag) {
        Kept& kept = at(static_cast<std::uint32_t>(entry & 0xFFFFFFFFULL) - 1);
        if (std::string_view(kept.key, kept.key_size) == key) { // exact: a hash is never enough
          added = false;
          return kept;
        }
      }
    }
  }
};

RecordDeduplicator::RecordDeduplicator()
  : m_storage(std::make_unique<Storage>())
{
}
RecordDeduplicator::~RecordDeduplicator() = default;
RecordDeduplicator::RecordDeduplicator(RecordDeduplicator&&) noexcept = default;
RecordDeduplicator& RecordDeduplicator::operator=(RecordDeduplicator&&) noexcept = default;

void RecordDeduplicator::clear()
{
  m_storage = std::make_unique<Storage>();
}

namespace {

// How full a copy is (copies differ in what they had counted when logged).
std::uint64_t record_size(const Counts<std::uint64_t>& c)
{
  return c[Counter::input] + c[Counter::cached_input] + c[Counter::output] + c[Counter::web_search_calls];
}

} // namespace

bool RecordDeduplicator::offer(std::string_view key, const UsageRecord& record)
{
  Storage& s = *m_storage;
  bool added = false;
  Kept& kept = s.find_or_add(key, added);
  if (!added) {
    const KeptRow row = unpack_row(kept.row);
    if (record_size(record.counts) <= record_size(row.counts)) {
      return false; // the copy kept is as full: the earliest fullest copy wins
    }
  }
  const bool request_id_ends_key = std::string_view(kept.key, kept.key_size).ends_with(record.request_id);
  // Flags, line, time, 6 names, the counts, billed, request id size.
  std::array<char, (11 + k_counters) * 10> packed;
  char* at = packed.data();
  at = put_varint(at, (record.time ? k_row_has_time : 0) | (record.batch ? k_row_batch : 0) |
                          (request_id_ends_key ? k_row_request_id_ends_key : 0));
  at = put_varint(at, record.where.line);
  if (record.time) {
    const auto time = static_cast<std::uint64_t>(*record.time);
    at = put_varint(at, (time << 1) ^ (*record.time < 0 ? ~std::uint64_t{0} : 0)); // zigzag
  }
  at = put_varint(at, s.intern(record.where.file, 0));
  at = put_varint(at, s.intern(record.provider, 1));
  at = put_varint(at, s.intern(record.model, 2));
  at = put_varint(at, s.intern(record.project, 3));
  at = put_varint(at, s.intern(record.key, 4));
  at = put_varint(at, s.intern(record.session, 5));
  for (const std::uint64_t count : record.counts.values) {
    at = put_varint(at, count);
  }
  std::uint64_t billed = 0;
  if (record.billed) {
    s.billed.emplace_back(*record.billed, record.billed_places);
    billed = s.billed.size();
  }
  at = put_varint(at, billed);
  at = put_varint(at, record.request_id.size());
  const std::string_view row(packed.data(), static_cast<std::size_t>(at - packed.data()));
  kept.row = reinterpret_cast<const unsigned char*>(
      s.store(row, request_id_ends_key ? std::string_view() : record.request_id));
  return added;
}

UsageRecord RecordDeduplicator::expand(std::uint32_t index) const
{
  const Storage& s = *m_storage;
  const Kept& kept = s.at(index);
  const KeptRow row = unpack_row(kept.row);
  UsageRecord r;
  r.where = SourceLine{s.names[row.names[0]], static_cast<std::size_t>(row.line)};
  if (row.has_time) {
    r.time = row.time;
  }
  r.provider = s.names[row.names[1]];
  r.model = s.names[row.names[2]];
  r.project = s.names[row.names[3]];
  r.key = s.names[row.names[4]];
  r.session = s.names[row.names[5]];
  r.request_id = row.request_id_ends_key
                     ? std::string_view(kept.key + kept.key_size - row.request_id_size, row.request_id_size)
                     : row.request_id;
  r.counts = row.counts;
  r.batch = row.batch;
  if (row.billed != 0) {
    r.billed = s.billed[row.billed - 1].first;
    r.billed_places = s.billed[row.billed - 1].second;
  }
  return r;
}

std::vector<std::uint32_t> RecordDeduplicator::drain_order() const
{
  const Storage& s = *m_storage;
  // Files by name once, then records by (file's rank, line).
  std::vector<std::uint32_t> by_name(s.names.size());
  for (std::uint32_t id = 0; id < by_name.size(); ++id) {
    by_name[id] = id;
  }
  std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) { return s.names[a] < s.names[b]; });
  std::vector<std::uint32_t> rank(s.names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) {
    rank[by_name[r]] = r;
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> where(s.count); // (file's rank, line), unpacked once
  std::vector<std::uint32_t> order(s.count);
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    const KeptRow row = unpack_row(s.at(i).row);
    where[i] = {rank[row.names[0]], row.line};
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return where[a] < where[b]; });
  return order;
}

std::uint64_t RecordDeduplicator::absorb(RecordDeduplicator& later, std::size_t line_offset)
{
  // Each key appears once in `later`, and an equal copy never replaces the
  // one kept here: the earliest fullest copy wins, as in a single pass.
  std::uint64_t duplicates = 0;
  const Storage& from = *later.m_storage;
  for (std::uint32_t i = 0; i < from.count; ++i) {
    UsageRecord moved = later.expand(i);
    moved.where.line += line_offset;
    if (!offer(std::string_view(from.at(i).key, from.at(i).key_size), moved)) {
      ++duplicates;
    }
  }
  later.clear();
  return duplicates;
}

} // namespace llmcost
