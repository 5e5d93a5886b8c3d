#include "llmcost/csv.hpp"

#include "llmcost/error.hpp"
#include "llmcost/simd.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace llmcost {

char detect_delimiter(std::string_view first_line)
{
  std::size_t counts[3] = {0, 0, 0};
  const char candidates[3] = {',', ';', '\t'};
  bool quoted = false;
  for (char c : first_line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      for (int i = 0; i < 3; ++i) {
        if (c == candidates[i]) {
          ++counts[i];
        }
      }
    }
  }
  int best = 0;
  for (int i = 1; i < 3; ++i) {
    if (counts[i] > counts[best]) {
      best = i;
    }
  }
  return candidates[best];
}

namespace {

// The first delimiter or '\r' in [from, end), or end; sixteen bytes at a time
// with SSE2, else eight, marking equal bytes exactly (no carries between bytes).
const char* find_delimiter_or_cr(const char* from, const char* end, char delimiter)
{
  constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
  constexpr std::uint64_t k_low7 = 0x7F7F7F7F7F7F7F7FULL;
  const std::uint64_t delimiters = k_ones * static_cast<unsigned char>(delimiter);
  const std::uint64_t returns = k_ones * static_cast<unsigned char>('\r');
  auto zero_bytes = [](std::uint64_t x) { return ~(((x & k_low7) + k_low7) | x | k_low7); };
  const char* p = from;
#if LLMCOST_HAVE_SSE2
  const __m128i delimiter_bytes = _mm_set1_epi8(delimiter);
  const __m128i return_bytes = _mm_set1_epi8('\r');
  for (; end - p >= 16; p += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, delimiter_bytes), _mm_cmpeq_epi8(chunk, return_bytes))));
    if (mask != 0) {
      return p + std::countr_zero(mask);
    }
  }
#endif
  for (; end - p >= 8; p += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    const std::uint64_t marks = zero_bytes(word ^ delimiters) | zero_bytes(word ^ returns);
    if (marks != 0) {
      return p + std::countr_zero(marks) / 8;
    }
  }
  for (; p < end; ++p) {
    if (*p == delimiter || *p == '\r') {
      return p;
    }
  }
  return end;
}

// The first '\n' in [from, end), or null. Inline, 32 bytes at a time with
// SSE2: lines are a hundred bytes or so, and a memchr call cost more.
inline const char* find_newline(const char* from, const char* end)
{
  const char* p = from;
#if LLMCOST_HAVE_SSE2
  const __m128i newline = _mm_set1_epi8('\n');
  auto mask16 = [&](const char* at) {
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), newline)));
  };
  for (; end - p >= 32; p += 32) {
    const __m128i low = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), newline);
    const __m128i high = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), newline);
    if (_mm_movemask_epi8(_mm_or_si128(low, high)) != 0) {
      const auto mask =
          static_cast<unsigned>(_mm_movemask_epi8(low)) | (static_cast<unsigned>(_mm_movemask_epi8(high)) << 16);
      return p + std::countr_zero(mask);
    }
  }
  if (end - p >= 16) {
    if (const unsigned mask = mask16(p); mask != 0) {
      return p + std::countr_zero(mask);
    }
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '\n') {
      return p;
    }
  }
  return nullptr;
}

} // namespace

CsvReader::CsvReader(std::string_view text, char delimiter, std::size_t first_line, bool at_end)
  : m_text(text)
  , m_line(first_line)
  , m_record_line(first_line)
  , m_at_end(at_end)
{
  if (first_line == 1 && delimiter == 0 && m_text.substr(0, 3) == "\xEF\xBB\xBF") {
    m_pos = 3;
    m_origin = 3;
  }
  if (delimiter != 0) {
    m_delimiter = delimiter;
  } else {
    // From the header: next() skips blank lines before it, and so must this
    // (else "\nmodel;tokens" splits at ',' read whole but at ';' when the
    // blank line comes in a piece of its own).
    std::string_view rest = m_text.substr(m_pos);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of("\r\n")));
    m_delimiter = detect_delimiter(rest.substr(0, rest.find('\n')));
  }
}

bool CsvReader::peek_line(std::string_view& content)
{
  // Skip blank lines between records.
  while (m_pos < m_text.size() && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r')) {
    if (m_text[m_pos] == '\n') {
      ++m_line;
    } else if (!m_at_end && m_pos + 1 == m_text.size()) {
      return false; // a '\r' whose '\n' may come next
    }
    ++m_pos;
  }
  if (m_pos >= m_text.size()) {
    return false;
  }
  const char* begin = m_text.data() + m_pos;
  const char* end_of_text = m_text.data() + m_text.size();
  const char* newline = find_newline(begin, end_of_text);
  if (newline == nullptr && !m_at_end) {
    return false; // not whole yet
  }
  m_peeked_end = newline != nullptr ? static_cast<std::size_t>(newline + 1 - m_text.data()) : m_text.size();
  const char* line_end = newline != nullptr ? newline : end_of_text;
  const char* content_end = line_end > begin && line_end[-1] == '\r' ? line_end - 1 : line_end;
  content = std::string_view(begin, static_cast<std::size_t>(content_end - begin));
  m_record_line = m_line;
  m_record_start = m_pos;
  return true;
}

CsvReader::Position CsvReader::field_position(std::size_t i) const
{
  const std::size_t start = m_field_starts.at(i);
  const std::string_view before = m_text.substr(m_record_start, start - m_record_start);
  const auto breaks = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  // The field's line starts after the last line break before it; a piece of
  // a file starts on a line of its own.
  const std::size_t last_break = m_text.substr(0, start).rfind('\n');
  const std::size_t line_start = last_break == std::string_view::npos ? m_origin : last_break + 1;
  return Position{m_record_line + breaks, start - line_start + 1};
}

void CsvReader::take_line()
{
  if (m_peeked_end > 0 && m_text[m_peeked_end - 1] == '\n') {
    ++m_line;
  }
  m_pos = m_peeked_end;
}

bool CsvReader::next(std::vector<std::string_view>& fields, const std::string& file)
{
  fields.clear();
  m_field_starts.clear();
  std::string_view content;
  if (!peek_line(content)) {
    return false;
  }
  const auto offset = [&](const char* p) { return static_cast<std::size_t>(p - m_text.data()); };
  // Fast path: a simple line splits at delimiters, no copies (a field with
  // doubled quotes is unescaped on the general path).
  bool escaped = false;
  if (split_plain(content, m_text.data() + m_text.size(), m_delimiter,
                  [&](std::string_view field, bool field_escaped) {
                    fields.push_back(field);
                    // A quoted field's text starts after its quote; an
                    // unquoted one's never follows a quote.
                    const std::size_t at = offset(field.data());
                    m_field_starts.push_back(at > m_record_start && m_text[at - 1] == '"' ? at - 1 : at);
                    escaped |= field_escaped;
                  }) &&
      !escaped) {
    take_line();
    return true;
  }
  fields.clear();
  m_field_starts.clear();
  const char* content_end = content.data() + content.size();
  for (const char* field = content.data();;) {
    if (field < content_end && *field == '"') {
      // A quoted field without doubled quotes or line breaks is a view too.
      const auto* close =
          static_cast<const char*>(std::memchr(field + 1, '"', static_cast<std::size_t>(content_end - field - 1)));
      if (close == nullptr || (close + 1 < content_end && close[1] != m_delimiter)) {
        return next_quoted(fields, file);
      }
      fields.emplace_back(field + 1, static_cast<std::size_t>(close - field - 1));
      m_field_starts.push_back(offset(field));
      if (close + 1 == content_end) {
        break;
      }
      field = close + 2;
      continue;
    }
    const char* stop = find_delimiter_or_cr(field, content_end, m_delimiter);
    if (stop < content_end && *stop == '\r') {
      return next_quoted(fields, file); // a lone CR ends a record mid-line
    }
    fields.emplace_back(field, static_cast<std::size_t>(stop - field));
    m_field_starts.push_back(offset(field));
    if (stop == content_end) {
      break;
    }
    field = stop + 1;
  }
  take_line();
  return true;
}

bool CsvReader::next_quoted(std::vector<std::string_view>& fields, const std::string& file)
{
  fields.clear();
  m_field_starts.clear();
  m_scratch.clear();
  const std::size_t record_start = m_pos;
  const std::size_t start_line = m_line;
  m_record_line = m_line;
  m_record_start = m_pos;
  // The column of an offset on the current line (a quoted field may have
  // taken the record onto later lines).
  const auto column_at = [&](std::size_t at) {
    const std::size_t last_break = m_text.substr(0, at).rfind('\n');
    return at - (last_break == std::string_view::npos ? m_origin : last_break + 1) + 1;
  };
  const std::size_t size = m_text.size();
  auto not_whole = [&] {
    // The record runs past the text: wait for more input.
    m_pos = record_start;
    m_line = start_line;
    fields.clear();
    m_field_starts.clear();
    return false;
  };
  while (true) {
    m_field_starts.push_back(m_pos);
    if (m_pos < size && m_text[m_pos] == '"') {
      // Quoted field.
      const std::size_t open_line = m_line;
      const std::size_t open_column = column_at(m_pos);
      ++m_pos;
      std::string value;
      bool closed = false;
      std::size_t run_start = m_pos;
      while (m_pos < size) {
        const char c = m_text[m_pos];
        if (c == '"') {
          value.append(m_text.substr(run_start, m_pos - run_start));
          if (m_pos + 1 < size && m_text[m_pos + 1] == '"') {
            value += '"';
            m_pos += 2;
            run_start = m_pos;
            continue;
          }
          if (m_pos + 1 == size && !m_at_end) {
            return not_whole(); // a doubled quote may be split across pieces
          }
          ++m_pos;
          closed = true;
          break;
        }
        if (c == '\n') {
          ++m_line;
        }
        ++m_pos;
      }
      if (!closed) {
        if (!m_at_end) {
          return not_whole();
        }
        throw Error(Location{file, open_line, open_column}, "unterminated quoted field",
                    "a closing \" before the end of the file");
      }
      m_scratch.push_back(std::move(value));
      if (m_pos < size && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n' && m_text[m_pos] != '\r') {
        throw Error(Location{file, m_line, column_at(m_pos)}, "text after a closing quote",
                    "a delimiter or the end of the line after a quoted field");
      }
      fields.emplace_back(); // filled in from m_scratch below
    } else {
      const std::size_t start = m_pos;
      while (m_pos < size && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n' && m_text[m_pos] != '\r') {
        ++m_pos;
      }
      fields.push_back(m_text.substr(start, m_pos - start));
    }
    if (m_pos < size && m_text[m_pos] == m_delimiter) {
      ++m_pos;
      continue;
    }
    // End of record.
    if (m_pos >= size && !m_at_end) {
      return not_whole();
    }
    if (m_pos < size && m_text[m_pos] == '\r') {
      ++m_pos;
      if (m_pos >= size && !m_at_end) {
        return not_whole();
      }
    }
    if (m_pos < size && m_text[m_pos] == '\n') {
      ++m_pos;
      ++m_line;
    }
    break;
  }
  // Point the quoted fields at their unescaped copies (m_scratch no longer grows).
  std::size_t q = 0;
  for (auto& field : fields) {
    if (field.data() == nullptr) {
      field = m_scratch[q++];
    }
  }
  return true;
}

} // namespace llmcost
