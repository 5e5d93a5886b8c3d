#pragma once
// RFC 4180 reader over an in-memory buffer: quoted fields, doubled quotes,
// embedded newlines, CRLF or LF, a leading UTF-8 BOM, and ',' ';' or tab as
// the delimiter. Fields are views into the buffer (or into a scratch buffer
// when a quoted field had to be unescaped), valid until the next record.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmcost/simd.hpp"

namespace llmcost {

class CsvReader
{
public:
  // `text` must outlive the reader. `delimiter` 0 = detect from the header.
  // `first_line` is the line `text` starts on (a piece of a larger file); a
  // UTF-8 BOM is dropped only at the start of a file (line 1, delimiter to detect). Unless `at_end`, `text` is followed
  // by more input, so a record that reaches its end is not whole yet.
  explicit CsvReader(std::string_view text, char delimiter = 0, std::size_t first_line = 1, bool at_end = true);

  // Reads the next record into `fields`. Returns false at the end of the
  // input, or before a record that is not whole yet (see consumed()).
  // Throws Error (with `file`) on an unterminated quote or a stray quote.
  bool next(std::vector<std::string_view>& fields, const std::string& file);

  // The next line, whole, without its line break (blank lines skipped), for
  // a caller that splits it itself (split_plain); false at the end of the
  // input or before a line that is not whole yet. take_line() then takes it;
  // otherwise next() reads it as CSV.
  bool peek_line(std::string_view& content);
  void take_line();

  // Bytes of `text` taken by the whole records read so far (and blank lines).
  std::size_t consumed() const { return m_pos; }
  // The line consumed() is on: every newline taken so far is counted.
  std::size_t line() const { return m_line; }

  // 1-based line on which the record last returned starts.
  std::size_t record_line() const { return m_record_line; }
  char delimiter() const { return m_delimiter; }

  // Where field `i` of the record next() last returned starts (its opening
  // quote when quoted): the 1-based line, and column in bytes. A field after
  // a line break inside quotes is on a later line than the record.
  struct Position
  {
    std::size_t line = 0;
    std::size_t column = 0;
  };
  Position field_position(std::size_t i) const;

private:
  bool next_quoted(std::vector<std::string_view>& fields, const std::string& file);

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  std::size_t m_record_line = 1;
  std::size_t m_peeked_end = 0;            // where the line peek_line() found ends
  std::size_t m_record_start = 0;          // offset of the record last read
  std::size_t m_origin = 0;                // where line 1's columns count from (after a BOM)
  std::vector<std::size_t> m_field_starts; // offset of each field of the record last read by next()
  char m_delimiter = ',';
  bool m_at_end = true;
  std::vector<std::string> m_scratch; // unescaped quoted fields of the current record
};

namespace csv_detail {
#if LLMCOST_HAVE_SSE2
using ByteSplat = __m128i; // one byte in every lane
inline ByteSplat splat(char byte)
{
  return _mm_set1_epi8(byte);
}

// Bit i set where p[i] == byte, for the 64 bytes at p.
inline std::uint64_t equal_mask64(const char* p, ByteSplat byte)
{
  std::uint64_t mask = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    mask |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, byte))))
            << (16 * k);
  }
  return mask;
}

// For the 64 bytes at p: bit i of `delimiters` set where p[i] is the
// delimiter, of `specials` where it is a quote or a '\r' (one load per 16 bytes).
inline void block_masks(const char* p, ByteSplat delimiter, ByteSplat quote, ByteSplat carriage_return,
                        std::uint64_t& delimiters, std::uint64_t& specials)
{
  std::uint64_t d = 0;
  std::uint64_t s = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    d |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, delimiter))))
         << (16 * k);
    const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, carriage_return));
    s |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(special))) << (16 * k);
  }
  delimiters = d;
  specials = s;
}
#else
// The same masks a byte at a time.
using ByteSplat = char;
inline ByteSplat splat(char byte)
{
  return byte;
}

inline std::uint64_t equal_mask64(const char* p, ByteSplat byte)
{
  std::uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    mask |= static_cast<std::uint64_t>(p[i] == byte) << i;
  }
  return mask;
}

inline void block_masks(const char* p, ByteSplat delimiter, ByteSplat quote, ByteSplat carriage_return,
                        std::uint64_t& delimiters, std::uint64_t& specials)
{
  delimiters = equal_mask64(p, delimiter);
  specials = equal_mask64(p, quote) | equal_mask64(p, carriage_return);
}
#endif
} // namespace csv_detail

// Calls `on_field(text, escaped)` for each field of `line` and returns true
// when the line is simple: fields split at delimiters, a quoted field (which
// may hold delimiters and doubled quotes) given as the text between its
// quotes, no '\r' anywhere. `escaped` is true when that text still holds
// doubled quotes (`a""b` for a"b): a caller that uses such a field unescapes
// it (or takes the line again on the general path); one that does not use it
// pays nothing. Returns false otherwise (a stray quote, an unterminated quoted
// field, a '\r'), possibly after some calls: the caller starts the line again
// on the general path. Reads up to 63 bytes past the line while they are
// before `limit` (the end of the buffer), else from a padded copy. 64 bytes
// at a time.
template <typename OnField>
bool split_plain(std::string_view line, const char* limit, char delimiter, OnField&& on_field)
{
  const csv_detail::ByteSplat delimiter_bytes = csv_detail::splat(delimiter);
  const csv_detail::ByteSplat quote_bytes = csv_detail::splat('"');
  const csv_detail::ByteSplat return_bytes = csv_detail::splat('\r');
  const char* end = line.data() + line.size();
  const char* field = line.data();
  std::uint64_t inside_before = 0; // all ones when a quoted field runs into this block
  std::size_t quotes = 0;
  std::size_t quotes_placed = 0; // those that open, close or are doubled inside a quoted field
  // A field is either unquoted or "..." whole, any quote inside it doubled;
  // the quote count settles the rest (no quote in an unquoted field).
  auto emit = [&](const char* stop) {
    if (stop > field && *field == '"') [[unlikely]] {
      if (stop - field < 2 || stop[-1] != '"') {
        return false;
      }
      const char* inner = field + 1;
      const char* inner_end = stop - 1;
      bool escaped = false;
      quotes_placed += 2;
      if (quotes > quotes_placed) {
        // Quotes inside (the line has more than placed so far): each one doubled.
        for (const char* p = inner; p < inner_end; ++p) {
          if (*p == '"') {
            if (p + 1 == inner_end || p[1] != '"') {
              return false;
            }
            ++p;
            quotes_placed += 2;
            escaped = true;
          }
        }
      }
      on_field(std::string_view(inner, static_cast<std::size_t>(inner_end - inner)), escaped);
      return true;
    }
    on_field(std::string_view(field, static_cast<std::size_t>(stop - field)), false);
    return true;
  };
  alignas(16) char padded[64];
  for (const char* block = line.data(); block < end; block += 64) {
    const char* p = block;
    const auto remaining = static_cast<std::size_t>(end - block);
    if (limit - block < 64) {
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, block, remaining < 64 ? remaining : 64);
      p = padded;
    }
    const std::uint64_t in_line = remaining >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << remaining) - 1;
    std::uint64_t delimiters = 0;
    std::uint64_t specials = 0;
    csv_detail::block_masks(p, delimiter_bytes, quote_bytes, return_bytes, delimiters, specials);
    delimiters &= in_line;
    if ((specials & in_line) == 0) [[likely]] {
      delimiters &= ~inside_before; // a quoted field may run through the whole block
    } else {
      if ((csv_detail::equal_mask64(p, return_bytes) & in_line) != 0) {
        return false;
      }
      const std::uint64_t quote_marks = csv_detail::equal_mask64(p, quote_bytes) & in_line;
      // Inside quotes: the prefix XOR of the quote marks, carried across blocks.
      std::uint64_t inside = quote_marks;
      for (int shift = 1; shift < 64; shift *= 2) {
        inside ^= inside << shift;
      }
      inside ^= inside_before;
      delimiters &= ~inside;
      inside_before = (inside >> 63) != 0 ? ~std::uint64_t{0} : 0;
      quotes += static_cast<std::size_t>(std::popcount(quote_marks));
    }
    for (; delimiters != 0; delimiters &= delimiters - 1) {
      const char* stop = block + std::countr_zero(delimiters);
      if (!emit(stop)) {
        return false;
      }
      field = stop + 1;
    }
  }
  return emit(end) && quotes == quotes_placed;
}

// The delimiter (',', ';' or '\t') that splits the first line into the most fields.
char detect_delimiter(std::string_view first_line);

} // namespace llmcost
