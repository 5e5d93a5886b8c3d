#pragma once
// RFC 4180 reader over an in-memory buffer: quoted fields, doubled quotes,
// embedded newlines, CRLF or LF, a leading UTF-8 BOM, and ',' ';' or tab as
// the delimiter. Fields are views into the buffer (or into a scratch buffer
// when a quoted field had to be unescaped), valid until the next record.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

  // Bytes of `text` taken by the whole records read so far (and blank lines).
  std::size_t consumed() const { return m_pos; }

  // 1-based line on which the record last returned starts.
  std::size_t record_line() const { return m_record_line; }
  char delimiter() const { return m_delimiter; }
  bool had_bom() const { return m_had_bom; }

private:
  bool next_quoted(std::vector<std::string_view>& fields, const std::string& file);

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  std::size_t m_record_line = 1;
  char m_delimiter = ',';
  bool m_at_end = true;
  bool m_had_bom = false;
  std::vector<std::string> m_scratch; // unescaped quoted fields of the current record
};

// The delimiter (',', ';' or '\t') that splits the first line into the most fields.
char detect_delimiter(std::string_view first_line);

} // namespace llmcost
