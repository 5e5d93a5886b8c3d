#include "llmcost/response_set.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <new>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <cstring>

namespace llmcost {

namespace {

// SplitMix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x)
{
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

} // namespace

namespace {

constexpr std::size_t k_huge_page = std::size_t{2} << 20;

} // namespace

void* allocate_table(std::size_t bytes, bool huge_pages)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= k_huge_page) {
    // Mapped here, not by malloc: a freed table goes back to the system at
    // once (malloc keeps freed blocks below its moving mmap threshold, and a
    // run that seals and frees a table per piece grew by their sum).
    const std::size_t rounded = (bytes + k_huge_page - 1) / k_huge_page * k_huge_page;
    void* mapped = ::mmap(nullptr, rounded + k_huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      throw std::bad_alloc();
    }
    // Aligned to a huge page, the excess before and after given back.
    const auto start = reinterpret_cast<std::uintptr_t>(mapped);
    const std::uintptr_t aligned = (start + k_huge_page - 1) / k_huge_page * k_huge_page;
    if (aligned > start) {
      ::munmap(mapped, aligned - start);
    }
    const std::uintptr_t end = start + rounded + k_huge_page;
    if (end > aligned + rounded) {
      ::munmap(reinterpret_cast<void*>(aligned + rounded), end - (aligned + rounded));
    }
    void* table = reinterpret_cast<void*>(aligned);
    if (huge_pages) {
      ::madvise(table, rounded, MADV_HUGEPAGE); // a hint: without it, ordinary pages
    }
    return table;
  }
#endif
  return ::operator new(bytes);
}

void free_table(void* table, std::size_t bytes) noexcept
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= k_huge_page) {
    ::munmap(table, (bytes + k_huge_page - 1) / k_huge_page * k_huge_page);
    return;
  }
#endif
  ::operator delete(table);
}

Fingerprint FingerprintBuilder::done() const
{
  Fingerprint fp{mix(m_a), mix(m_b ^ 0xA0761D6478BD642FULL)};
  if (fp.low == 0) {
    fp.low = 1; // 0 marks an empty slot; one value of 2^64 folded into another
  }
  return fp;
}

Fingerprint fingerprint(std::string_view key)
{
  return FingerprintBuilder().add(key).done();
}

bool ResponseSet::contains(const ResponseKey& key) const
{
  if (m_slots.empty()) {
    return false;
  }
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t s = slot_of(key);; s = (s + 1) & mask) {
    if (m_slots[s].same_id(key)) {
      return true;
    }
    if (m_slots[s].empty()) {
      return false;
    }
  }
}

ResponseSet::Seen ResponseSet::insert(const ResponseKey& key)
{
  if (m_slots.empty() || full_after_one_more()) {
    resize(m_slots.empty() ? 1024 : m_slots.size() * 2);
  }
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t s = slot_of(key);; s = (s + 1) & mask) {
    if (m_slots[s].same_id(key)) {
      return m_slots[s].usage == key.usage ? Seen::again : Seen::conflicting;
    }
    if (m_slots[s].empty()) {
      m_slots[s] = key;
      ++m_size;
      return Seen::first;
    }
  }
}

void ResponseSet::erase(const ResponseKey& key)
{
  if (m_slots.empty()) {
    return;
  }
  const std::size_t mask = m_slots.size() - 1;
  std::size_t hole = slot_of(key);
  while (!m_slots[hole].same_id(key)) {
    if (m_slots[hole].empty()) {
      return;
    }
    hole = (hole + 1) & mask;
  }
  // Backward shift: each entry after the hole, up to the next empty slot,
  // moves into it when its home is not between the hole and where it is.
  for (std::size_t next = (hole + 1) & mask; !m_slots[next].empty(); next = (next + 1) & mask) {
    const std::size_t home = slot_of(m_slots[next]);
    const bool home_in_between = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (!home_in_between) {
      m_slots[hole] = m_slots[next];
      hole = next;
    }
  }
  m_slots[hole] = ResponseKey{};
  --m_size;
}

bool ResponseSet::insert_all(const std::vector<const ResponseSet*>& sets)
{
  std::size_t total = size();
  for (const ResponseSet* set : sets) {
    total += set->size();
  }
  reserve(total);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    std::size_t inserted = 0;
    bool seen = false;
    sets[i]->for_each([&](const ResponseKey& key) {
      if (!seen) {
        seen = insert(key) != Seen::first;
        inserted += seen ? 0 : 1;
      }
    });
    if (seen) {
      // Undo exactly what went in: all of the earlier sets, the first
      // `inserted` of this one (for_each visits in the same order).
      for (std::size_t j = 0; j <= i; ++j) {
        std::size_t visited = 0;
        sets[j]->for_each([&](const ResponseKey& key) {
          if (j < i || visited++ < inserted) {
            erase(key);
          }
        });
      }
      return false;
    }
  }
  return true;
}

void ResponseSet::erase_all(const std::vector<const ResponseSet*>& sets)
{
  for (const ResponseSet* set : sets) {
    set->for_each([&](const ResponseKey& key) { erase(key); });
  }
}

void ResponseSet::reserve(std::size_t count)
{
  std::size_t capacity = m_slots.empty() ? 1024 : m_slots.size();
  while (count * 10 > capacity * 7) {
    capacity *= 2;
  }
  if (capacity != m_slots.size()) {
    resize(capacity);
  }
}

void ResponseSet::resize(std::size_t capacity)
{
  auto old = std::move(m_slots);
  m_slots.assign(capacity, ResponseKey{});
  m_shift = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  m_size = 0;
  for (const ResponseKey& key : old) {
    if (!key.empty()) {
      insert(key);
    }
  }
}

SealedIdSet::SealedIdSet(ResponseSet&& set)
{
  std::vector<Entry, TableAllocator<Entry>> sorted;
  sorted.reserve(set.size());
  set.for_each([&](const ResponseKey& key) { sorted.push_back(Entry{key.id_high, key.id_low}); });
  set = ResponseSet{};
  // Nearly in order already (a ResponseSet's slots follow the top bits).
  std::sort(sorted.begin(), sorted.end());
  build(sorted);
}

// A reading thread seals one piece after another: its buffers are kept
// for the next piece, not mapped afresh (zeroing new pages cost a tenth of
// reconcile's time).
SealedIdSet::Buffers& SealedIdSet::thread_buffers()
{
  thread_local Buffers buffers;
  return buffers;
}

void SealedIdSet::Collector::add(const ResponseKey& key)
{
  if (m_ids.capacity() == 0) {
    m_ids.swap(thread_buffers().collected);
    m_ids.clear();
  }
  m_ids.push_back(Entry{key.id_high, key.id_low});
}

SealedIdSet::SealedIdSet(Collector&& ids, bool& repeated)
{
  Buffers& buffers = thread_buffers();
  std::vector<Entry, TableAllocator<Entry>>& collected = ids.m_ids;
  const std::size_t n = collected.size();
  unsigned bits = 1;
  while ((std::size_t{1} << bits) < n && bits < 30) {
    ++bits;
  }
  // About one id a bucket: count, place, then sort each bucket's few.
  std::vector<std::uint32_t>& starts = buffers.starts;
  starts.assign((std::size_t{1} << bits) + 1, 0);
  for (const Entry& e : collected) {
    ++starts[static_cast<std::size_t>(e.high >> (64 - bits)) + 1];
  }
  for (std::size_t b = 1; b < starts.size(); ++b) {
    starts[b] += starts[b - 1];
  }
  std::vector<Entry, TableAllocator<Entry>>& sorted = buffers.sorted;
  sorted.resize(n);
  {
    std::vector<std::uint32_t>& next = buffers.next;
    next.assign(starts.begin(), starts.end() - 1);
    for (const Entry& e : collected) {
      sorted[next[static_cast<std::size_t>(e.high >> (64 - bits))]++] = e;
    }
  }
  collected.clear();
  buffers.collected.swap(collected);
  m_slots = std::vector<Entry, TableAllocator<Entry>>(TableAllocator<Entry>(false));
  repeated = false;
  for (std::size_t b = 0; b + 1 < starts.size(); ++b) {
    auto first = sorted.begin() + static_cast<std::ptrdiff_t>(starts[b]);
    auto last = sorted.begin() + static_cast<std::ptrdiff_t>(starts[b + 1]);
    if (last - first > 1) {
      std::sort(first, last);
      repeated = repeated || std::adjacent_find(first, last) != last;
    }
  }
  build(sorted);
}

SealedIdSet SealedIdSet::merge(SealedIdSet&& a, SealedIdSet&& b)
{
  std::vector<Entry, TableAllocator<Entry>> sorted;
  sorted.reserve(a.size() + b.size());
  a.for_each([&](const ResponseKey& key) { sorted.push_back(Entry{key.id_high, key.id_low}); });
  a = SealedIdSet{};
  const std::size_t middle = sorted.size();
  b.for_each([&](const ResponseKey& key) { sorted.push_back(Entry{key.id_high, key.id_low}); });
  b = SealedIdSet{};
  std::inplace_merge(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle), sorted.end());
  SealedIdSet merged;
  merged.build(sorted);
  return merged;
}

std::size_t SealedIdSet::home(std::uint64_t high) const
{
  __extension__ using wide = unsigned __int128;
  return static_cast<std::size_t>((static_cast<wide>(high) * m_capacity) >> 64);
}

void SealedIdSet::build(std::span<const Entry> sorted)
{
  m_size = sorted.size();
  m_capacity = std::max<std::size_t>(1, m_size + m_size / 9); // 90% full
  std::size_t end = 0;                                        // one past the last slot used
  for (const Entry& e : sorted) {
    end = std::max(home(e.high), end) + 1;
  }
  m_slots.assign(std::max(end, m_capacity), Entry{});
  std::size_t next = 0;
  for (const Entry& e : sorted) {
    next = std::max(home(e.high), next);
    m_slots[next++] = e;
  }
}

bool SealedIdSet::any_shared(const std::vector<const SealedIdSet*>& sets)
{
  std::size_t total = 0;
  for (const SealedIdSet* set : sets) {
    total += set->size();
  }
  if (sets.size() < 2 || total == 0) {
    return false;
  }
  // About 16 bits an id: a later id's bit is already set by chance at most
  // one time in 16.
  unsigned bits = 12;
  while ((std::uint64_t{1} << bits) < total * 16 && bits < 36) {
    ++bits;
  }
  std::vector<std::uint64_t, TableAllocator<std::uint64_t>> seen(std::size_t{1} << (bits - 6), 0);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    bool shared = false;
    sets[i]->for_each([&](const ResponseKey& key) {
      const std::uint64_t bit = key.id_high >> (64 - bits);
      std::uint64_t& word = seen[static_cast<std::size_t>(bit >> 6)];
      const std::uint64_t mask = std::uint64_t{1} << (bit & 63U);
      if ((word & mask) != 0 && !shared) {
        shared = std::any_of(sets.begin(), sets.begin() + static_cast<std::ptrdiff_t>(i),
                             [&](const SealedIdSet* earlier) { return earlier->contains(key); });
      }
      word |= mask;
    });
    if (shared) {
      return true;
    }
  }
  return false;
}

bool SealedIdSet::contains(const ResponseKey& key) const
{
  if (m_size == 0) {
    return false;
  }
  for (std::size_t s = home(key.id_high); s < m_slots.size(); ++s) {
    const Entry& e = m_slots[s];
    if (e.low == 0 || e.high > key.id_high || (e.high == key.id_high && e.low > key.id_low)) {
      return false; // empty, or past where it would be
    }
    if (e.high == key.id_high && e.low == key.id_low) {
      return true;
    }
  }
  return false;
}

} // namespace llmcost
