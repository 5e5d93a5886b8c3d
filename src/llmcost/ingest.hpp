#pragma once
// Reading usage files into a RecordSink, in parallel where the sink allows it:
// big CSV and JSONL files are cut into line-aligned pieces and small files are
// read whole, each on a worker with its own forked sink; the forks are joined
// in input order, so the result is the one a single pass gives, line numbers
// included. A piece that fails (a CSV quote spanning a cut, a bad file) is read
// again in order by the single-pass path, which reports the error exactly.

#include "llmcost/files.hpp"
#include "llmcost/trace_source.hpp"
#include "llmcost/usage.hpp"
#include "llmcost/usage_csv.hpp"

#include "llmcost/named_enum.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

// The kinds of input and their --input-format names: the one list that
// parsing and --help's choices come from.
enum class InputKind { workload, csv, jsonl };

// The kind's --input-format name; -Wswitch keeps this in step with the enum.
constexpr std::string_view to_string(InputKind kind)
{
  switch (kind) {
  case InputKind::workload:
    return "workload";
  case InputKind::csv:
    return "csv";
  case InputKind::jsonl:
    return "jsonl";
  }
  return {}; // past the last kind
}

// The --input-format name that forces no kind: each file's is detected.
inline constexpr std::string_view k_detect_input_kind = "auto";

// Every kind in enum order, the order --help lists them (after "auto").
inline constexpr auto k_input_kinds = all_named_values<InputKind>();

// The kind an --input-format name forces; none for "auto" (and for any
// other name, which the CLI refuses before asking).
constexpr std::optional<InputKind> parse_input_kind(std::string_view text)
{
  return parse_named(k_input_kinds, text);
}

// How an input is named in messages: "-" is "<stdin>".
std::string display_name(const std::string& path);

// The kind of an input: `forced`, else detected from its start.
InputKind detect_input_kind(std::optional<InputKind> forced, std::string_view start);

struct IngestOptions
{
  std::optional<InputKind> input_kind; // none: detected per file
  std::optional<TraceSource> source;   // --source: JSON inputs are this tool's logs alone
  ColumnMap maps;
  bool decimal_comma = false; // CSV numbers written with a decimal comma
  unsigned threads = 1;
  // Bytes read at a time (see k_default_block_size): a block that stays in
  // the CPU's cache between the copy from the page cache and the parse.
  std::size_t block_size = k_default_block_size;
  std::uint64_t min_piece = std::uint64_t{16} << 20; // smallest piece of a file worth a thread
  // A longer line is a rejected record, read past without being held (a
  // CSV header or a whole JSON document that long is an error).
  std::size_t max_line_bytes = k_default_max_line_bytes;
  // Told the bytes of each block read (from the reading threads), for a progress bar.
  std::function<void(std::uint64_t)> progress;
  // Which input (command-line argument) each file came from, parallel to
  // the files; empty: each file is its own input. Every input must yield a
  // usage record (or be a workload spec, or a CSV with a header and no
  // rows); a JSON file of a directory that yields none is noted, unless it
  // holds token usage in a shape no reader knows, which is an error.
  std::vector<std::size_t> input_of_file;
  std::vector<std::string> input_names;
  bool allow_empty = false; // inputs without usage are notes, not errors
  // Told each CSV's columns and what they were taken as (from the reading
  // threads; a file may be told twice).
  std::function<void(const std::string&, const std::vector<ColumnUse>&)> on_columns;
};

// Receives a workload spec found among the inputs (name, whole text).
using WorkloadHandler = std::function<void(const std::string&, const std::string&)>;

// Reads every file ("-" is standard input) into `sink`, in order. Returns true
// when any input was recorded usage rather than a workload spec.
bool ingest_usage(const std::vector<std::string>& files, const IngestOptions& options, RecordSink& sink,
                  const WorkloadHandler& on_workload);

} // namespace llmcost
