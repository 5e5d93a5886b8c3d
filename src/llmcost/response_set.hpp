#pragma once
// The responses a run has counted, so that the same response logged twice
// (a stream's last chunk and its trailing usage chunk, a proxy's copy and an
// SDK's, a file copied into two folders) is priced once, and two different
// usages under one response id are caught rather than both billed.
//
// A trace run holds one entry per response, so the bytes per entry decide
// its memory: an entry is 16 bytes, a 96-bit fingerprint of the response id
// (from two independent 64-bit hashes) and a 32-bit hash of its usage (model,
// token counts, billed amount), not their text. Two different ids share a
// fingerprint with a chance of about n^2 / 2^97 for n responses (6e-12 at a
// billion), far below any other failure of a run; a 64-bit one would not be
// (3e-4 at a hundred million). The usage hash only tells the copies of one
// id apart: two usages under one id are taken for one with a chance of
// 2^-32 (and are then counted once, as before this check existed).
//
// Open addressing with linear probing; the slot is taken from the top bits
// of the fingerprint, so walking a table in slot order visits fingerprints
// in rising order and a lookup of those in another table walks it forward
// too (joining a forked reader's set is a near-sequential pass).

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace llmcost {

struct Fingerprint
{
  std::uint64_t high = 0;
  std::uint64_t low = 0; // never 0 in a stored entry (0, 0 marks an empty slot)

  bool operator==(const Fingerprint&) const = default;
};

// Builds a fingerprint from a key's parts, without writing the key out.
// Each part is framed (a text by its length), so ("ab", "c") and ("a", "bc")
// differ.
class FingerprintBuilder
{
public:
  FingerprintBuilder& add(std::string_view text)
  {
    // Whole words, the last one overlapping the one before (the length,
    // added first, tells the overlap apart): no loop over bytes.
    const std::size_t n = text.size();
    const char* p = text.data();
    add(static_cast<std::uint64_t>(n));
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8) {
        add(word<std::uint64_t>(p + i));
      }
      add(word<std::uint64_t>(p + n - 8));
    } else if (n >= 4) {
      add(word<std::uint32_t>(p) | static_cast<std::uint64_t>(word<std::uint32_t>(p + n - 4)) << 32);
    } else if (n > 0) {
      add(static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
          static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
          static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
    }
    return *this;
  }
  FingerprintBuilder& add(std::uint64_t value)
  {
    // Two different multiply-rotate steps, mixed again in done(): a
    // collision of one state says nothing of the other.
    m_a = std::rotl((m_a ^ value) * 0x9E3779B97F4A7C15ULL, 31);
    m_b = std::rotl((m_b + value) * 0xD6E8FEB86659FD93ULL, 27) ^ (m_b >> 33);
    return *this;
  }
  Fingerprint done() const;

private:
  template <typename Word> static Word word(const char* p)
  {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }

  std::uint64_t m_a = 0x243F6A8885A308D3ULL; // two independent states (digits of pi and e)
  std::uint64_t m_b = 0xB7E151628AED2A6AULL;
};

Fingerprint fingerprint(std::string_view key);

// Memory for a large table in whole huge pages where the system offers them
// (Linux, transparent huge pages on request): a set of a million responses
// is tens of MiB probed at random, and with 4 KiB pages the page faults and
// TLB misses were a third of its cost. Small tables use the heap. Memory
// read or written in order is better in ordinary pages: a huge page is
// zeroed whole, and compacted for, when first touched.
void* allocate_table(std::size_t bytes, bool huge_pages);
void free_table(void* table, std::size_t bytes) noexcept;

template <typename T> struct TableAllocator
{
  using value_type = T;
  // The page kind goes with the memory when a table is moved or swapped.
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using propagate_on_container_copy_assignment = std::true_type;
  TableAllocator() = default;
  explicit TableAllocator(bool huge)
    : huge_pages(huge)
  {
  }
  template <typename U>
  TableAllocator(const TableAllocator<U>& other)
    : huge_pages(other.huge_pages)
  {
  }
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_table(n * sizeof(T), huge_pages)); }
  void deallocate(T* p, std::size_t n) noexcept { free_table(p, n * sizeof(T)); }
  template <typename U> bool operator==(const TableAllocator<U>& other) const { return huge_pages == other.huge_pages; }

  bool huge_pages = true; // probed at random; false: read and written in order
};

// A response as the set keeps it: 16 bytes.
struct ResponseKey
{
  std::uint64_t id_high = 0; // the id's fingerprint: 64 bits here, 32 in id_low
  std::uint32_t id_low = 0;  // never 0 in a stored entry (0, 0 marks an empty slot)
  std::uint32_t usage = 0;

  ResponseKey() = default;
  ResponseKey(const Fingerprint& id, std::uint64_t usage_hash)
    : id_high(id.high)
    , id_low(static_cast<std::uint32_t>(id.low) | 1U) // the low bit given up for the empty mark
    , usage(static_cast<std::uint32_t>(usage_hash ^ (usage_hash >> 32)))
  {
  }
  bool same_id(const ResponseKey& other) const { return id_high == other.id_high && id_low == other.id_low; }
  bool empty() const { return id_low == 0; }
};

class ResponseSet
{
public:
  enum class Seen {
    first,       // a new response id (now in the set)
    again,       // the same id with the same usage: a copy
    conflicting, // the same id with other usage
  };
  Seen insert(const ResponseKey& key);
  // True when the set holds `key`'s id (whatever its usage).
  bool contains(const ResponseKey& key) const;
  // Takes `key`'s id out of the set (nothing when it is not there).
  void erase(const ResponseKey& key);
  // Starts fetching the slot where a response with this id would be, ahead
  // of an insert.
  void prefetch(const Fingerprint& id) const
  {
    if (!m_slots.empty()) {
      __builtin_prefetch(&m_slots[static_cast<std::size_t>(id.high >> m_shift)], 1);
    }
  }
  // Room for `count` entries in all. Call before inserting another set's
  // entries: they come in rising order, and a table grown on the way would
  // take them all into its low slots, which then fill up.
  void reserve(std::size_t count);
  // Puts the sets of a file's forks here, each in one ascending pass. False
  // when an id is in two of them (or already here): the set is then left
  // as it was.
  bool insert_all(const std::vector<const ResponseSet*>& sets);
  // Takes the ids of `sets` out (undoes insert_all).
  void erase_all(const std::vector<const ResponseSet*>& sets);
  std::size_t size() const { return m_size; }
  // Calls `use` with every entry, in slot order.
  template <typename Use> void for_each(Use use) const
  {
    for (const ResponseKey& slot : m_slots) {
      if (!slot.empty()) {
        use(slot);
      }
    }
  }

private:
  std::size_t slot_of(const ResponseKey& key) const { return static_cast<std::size_t>(key.id_high >> m_shift); }
  bool full_after_one_more() const { return (m_size + 1) * 10 > m_slots.size() * 7; } // load 0.7
  void resize(std::size_t capacity);

  std::vector<ResponseKey, TableAllocator<ResponseKey>> m_slots;
  unsigned m_shift = 64; // 64 - log2(capacity)
  std::size_t m_size = 0;
};

// The ids of a ResponseSet once no more are added (a forked reader's, its
// piece read): sorted into a table 90% full, 12 bytes an entry (the usage
// hash is not kept), so about 13 bytes an id against a growing set's 23 to
// 46. Ordered linear probing without wrapping: an entry sits at its home
// (from the top bits, scaled to any capacity) or just after the entries
// before it, so a lookup stops at the first larger id.
class SealedIdSet
{
  struct Entry;

public:
  // Ids appended as they are read, with no lookup a row (a forked reader's,
  // where a repeat within its piece is rare and is found when it is sealed).
  class Collector
  {
  public:
    void add(const ResponseKey& key);
    std::size_t size() const { return m_ids.size(); }

  private:
    friend class SealedIdSet;
    std::vector<Entry, TableAllocator<Entry>> m_ids{TableAllocator<Entry>(false)};
  };

  SealedIdSet() = default;
  // Takes the ids of `set`, which is left empty (its memory freed first).
  explicit SealedIdSet(ResponseSet&& set);
  // Takes the ids collected (sorted by a counting sort on their top bits:
  // fingerprints are uniform); `repeated` tells whether an id came twice.
  SealedIdSet(Collector&& ids, bool& repeated);
  // The ids of both, which are left empty.
  static SealedIdSet merge(SealedIdSet&& a, SealedIdSet&& b);

  bool contains(const ResponseKey& key) const;
  // Starts fetching where `id` would be, ahead of contains().
  void prefetch(const Fingerprint& id) const
  {
    if (m_size != 0) {
      __builtin_prefetch(&m_slots[home(id.high)]);
    }
  }
  std::size_t size() const { return m_size; }
  // True when an id is in two of `sets`. Each set is swept once, in rising
  // order, through a bitmap of the ids' top bits; only an id whose bit an
  // earlier set has set is looked up in those sets.
  static bool any_shared(const std::vector<const SealedIdSet*>& sets);
  // Calls `use(key)` with every id (usage hash 0), in rising order.
  template <typename Use> void for_each(Use use) const
  {
    for (const Entry& e : m_slots) {
      if (e.low != 0) {
        ResponseKey key;
        key.id_high = e.high;
        key.id_low = e.low;
        use(key);
      }
    }
  }

private:
  struct __attribute__((packed)) Entry
  {
    bool operator<(const Entry& other) const { return high != other.high ? high < other.high : low < other.low; }
    bool operator==(const Entry& other) const { return high == other.high && low == other.low; }
    std::uint64_t high = 0;
    std::uint32_t low = 0; // 0: empty
  };
  static_assert(sizeof(Entry) == 12);
  struct Buffers
  {
    std::vector<Entry, TableAllocator<Entry>> collected{TableAllocator<Entry>(false)};
    std::vector<Entry, TableAllocator<Entry>> sorted{TableAllocator<Entry>(false)};
    std::vector<std::uint32_t> starts;
    std::vector<std::uint32_t> next;
  };
  static Buffers& thread_buffers();
  // Lays out ids given in rising order.
  void build(std::span<const Entry> sorted);
  std::size_t home(std::uint64_t high) const; // high * capacity / 2^64

  // m_capacity homes, then the entries pushed past the last. A fork's set
  // is only swept in order (ordinary pages); others are probed at random.
  std::vector<Entry, TableAllocator<Entry>> m_slots;
  std::size_t m_capacity = 0;
  std::size_t m_size = 0;
};

} // namespace llmcost
