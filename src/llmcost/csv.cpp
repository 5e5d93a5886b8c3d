#include "llmcost/csv.hpp"

#include "llmcost/error.hpp"

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

CsvReader::CsvReader(std::string_view text, char delimiter, std::size_t first_line)
  : m_text(text)
  , m_line(first_line)
  , m_record_line(first_line)
{
  if (first_line == 1 && m_text.substr(0, 3) == "\xEF\xBB\xBF") {
    m_text.remove_prefix(3);
    m_had_bom = true;
  }
  if (delimiter != 0) {
    m_delimiter = delimiter;
  } else {
    m_delimiter = detect_delimiter(m_text.substr(0, m_text.find('\n')));
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields, const std::string& file)
{
  fields.clear();
  m_scratch.clear();
  // Skip blank lines between records.
  while (m_pos < m_text.size() && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r')) {
    if (m_text[m_pos] == '\n') {
      ++m_line;
    }
    ++m_pos;
  }
  if (m_pos >= m_text.size()) {
    return false;
  }
  m_record_line = m_line;
  const std::size_t size = m_text.size();
  while (true) {
    if (m_pos < size && m_text[m_pos] == '"') {
      // Quoted field.
      const std::size_t open_line = m_line;
      const std::size_t open_col = m_pos;
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
        (void)open_col;
        throw Error(Location{file, open_line, 0}, "unterminated quoted field",
                    "a closing \" before the end of the file");
      }
      m_scratch.push_back(std::move(value));
      if (m_pos < size && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n' && m_text[m_pos] != '\r') {
        throw Error(Location{file, m_line, 0}, "text after a closing quote",
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
    if (m_pos < size && m_text[m_pos] == '\r') {
      ++m_pos;
    }
    if (m_pos < size && m_text[m_pos] == '\n') {
      ++m_pos;
      ++m_line;
    }
    break;
  }
  // Point the quoted fields at their unescaped copies (m_scratch no longer grows).
  std::size_t q = 0;
  std::size_t pos = 0;
  (void)pos;
  for (auto& field : fields) {
    if (field.data() == nullptr) {
      field = m_scratch[q++];
    }
  }
  return true;
}

} // namespace llmcost
