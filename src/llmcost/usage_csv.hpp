#pragma once
// Usage CSV exports (provider exports, the benchmark generator, OpenRouter,
// OpenAI cost, Anthropic console usage, LiteLLM spend logs): header names are
// matched case-insensitively through a table of aliases; --map adds more.

#include "llmcost/json_scan.hpp"
#include "llmcost/usage.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmcost {

class CsvReader;

// Normalised record fields a column can feed.
enum class UsageField {
  timestamp,
  request_id,
  provider,
  model,
  project,
  key,
  session,
  requests,
  input_total,    // all input, cached included (OpenAI convention)
  input_uncached, // input excluding cache reads and writes (Anthropic convention)
  cached_input,
  cache_write,
  output,
  reasoning,
  batch,
  web_search_calls,
  billed,
  currency,
  ignore,     // --map COLUMN=ignore: read, and known to carry nothing to price
  usage_json, // a JSON object whose usage_object carries cache reads (LiteLLM's metadata)
};

std::optional<UsageField> parse_usage_field(std::string_view name);
// The header names read as `field` (normalised), in the order they are tried.
std::vector<std::string_view> column_aliases(UsageField field);
std::string_view to_string(UsageField field);

// "column=field" pairs from --map.
using ColumnMap = std::vector<std::pair<std::string, UsageField>>;
ColumnMap parse_column_maps(const std::vector<std::string>& specs);

// How the reader decided what a header column is (for --explain).
enum class ColumnSource {
  alias,            // a field, through the alias table
  map,              // a field (or ignore), through --map
  known_unpriced,   // a known column that carries nothing to price (a sum, a part, a flag, a label)
  cached_elsewhere, // a usage_json column left unread: a column gives the cache reads
  zero_or_refused,  // a count no card prices (audio tokens): a row where it is not zero is rejected
  langfuse_member,  // a member of the Langfuse observation its row is (read by the JSON readers)
  unknown,          // a name that carries no quantity or money: not read
};

// What the reader made of one header column.
struct ColumnUse
{
  std::string header; // as written
  std::optional<UsageField> field;
  ColumnSource source = ColumnSource::unknown;
};

// Normalised header names that look like a quantity or an amount: an
// unknown column with such a name could change the total, so it is an error.
bool looks_like_quantity(std::string_view normalised_header);

// Reads a usage CSV piece by piece (the first holds the header), sending every data row to `sink` as a record or a
// rejection. Throws Error for problems that make the file unreadable (no
// model column, unterminated quote, duplicate mapped column).
class UsageCsvReader
{
public:
  // `decimal_comma`: numbers are written 0,05 (a '.' in one is refused).
  UsageCsvReader(std::string file, const ColumnMap& extra, RecordSink& sink, bool decimal_comma = false);
  // Reads a later piece of the same file with `header`'s columns into `sink`
  // (parallel reading).
  UsageCsvReader(const UsageCsvReader& header, RecordSink& sink);
  // Reads the whole records at the start of `piece` (all of it `at_end`) and
  // returns the bytes they took; `newlines`, when given, gets the newlines in them.
  std::size_t feed(std::string_view piece, std::size_t first_line, bool at_end, std::size_t* newlines = nullptr);
  // Reads only the header from the start of the file; returns the bytes it
  // takes, or 0 when `start` does not hold it whole.
  std::size_t feed_header(std::string_view start, bool at_end);
  // Call at the end of the input: an empty file is an error.
  void finish() const;
  // Every header column and what it was taken as (after the header is read).
  const std::vector<ColumnUse>& columns() const { return m_columns; }

private:
  // The header or a row: the record `reader` last read into m_fields.
  void read_header(const CsvReader& reader);
  void read_row(const CsvReader& reader);
  // Where field `column` of that record starts (file, line, column).
  Location field_location(const CsvReader& reader, std::size_t column) const;
  // The checks across fields, then the record goes to the sink.
  void read_langfuse_row(const CsvReader& reader);
  void finish_row(UsageRecord& r, std::uint64_t input_total);

  std::string m_file;
  const ColumnMap& m_extra;
  RecordSink& m_sink;
  bool m_have_header = false;
  char m_delimiter = 0;
  std::vector<std::optional<UsageField>> m_column_field;
  // The mapped columns in order: a row reads only these.
  struct ColumnStep
  {
    std::size_t column;
    UsageField field;
  };
  std::vector<ColumnStep> m_plan;
  std::vector<std::string> m_headers;
  std::vector<ColumnUse> m_columns;
  std::vector<std::size_t> m_zero_or_refused; // columns a row must have zero in
  bool m_langfuse = false;                    // a Langfuse export: each row is an observation in JSON cells
  JsonTape m_cell_tape;                       // checks that a Langfuse cell is JSON text
  std::string m_row_json;                     // a Langfuse row as its JSON object
  bool m_input_includes_cached = false;
  bool m_decimal_comma = false;
  std::string m_number; // a number with its decimal comma made a point
  std::vector<std::string_view> m_fields;
};

// Convenience for a whole text in memory (tests, fuzzing).
void read_usage_csv(std::string_view text, const std::string& file, const ColumnMap& extra, RecordSink& sink);

} // namespace llmcost
