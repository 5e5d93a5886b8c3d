#pragma once
// Small helpers around nlohmann::json shared by the card and workload loaders.

#include "llmcost/error.hpp"
#include "llmcost/text_sink.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

// Converts a byte offset into 1-based line and column.
Location location_of_offset(std::string_view text, std::size_t offset, const std::string& file);

// Parses JSON (comments allowed), keeping object keys in file order; throws
// Error naming file:line:col.
nlohmann::ordered_json parse_json_document(std::string_view text, const std::string& file);

// Parses one JSON document keeping every non-integer number as its original
// text (a JSON string), so amounts never pass through binary floating point.
// Throws Error naming file:line:col.
nlohmann::json parse_json_exact(std::string_view text, const std::string& file);

// Pretty-prints a JSON document for output (two-space indent, newline at the
// end). Bytes that are not UTF-8 (they can come from input files) are written
// as U+FFFD instead of failing the whole report (found by fuzzing).
template <typename Json> std::string dump_json(const Json& document)
{
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// Writes a JSON document with the same bytes as dump_json, a piece at a
// time, without building a tree: a report of a million rows took 4.5 GB as
// an nlohmann tree (bench/README.md). Calls nest as the document does:
//   w.begin_object(); w.name("rows").begin_array(); ...; w.end_array(); w.end_object(); w.finish();
class JsonWriter
{
public:
  explicit JsonWriter(const TextSink& sink)
    : m_out(sink)
  {
  }

  JsonWriter& name(std::string_view member); // the next value's member name (in an object)
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void string(std::string_view text);
  void number(std::uint64_t value);
  void boolean(bool value);
  void null();
  // After the last value: the final newline, and the rest to the sink.
  void finish();

private:
  void before_value(); // the separator and indentation an element needs
  void new_line(std::size_t depth);
  void quoted(std::string_view text);
  void close(char bracket);

  ChunkedText m_out;
  std::vector<bool> m_has_members; // per open object or array
  bool m_after_name = false;
};

// nlohmann's parse_error message without its "[json.exception...]" prefix.
std::string describe_parse_error(const nlohmann::json::parse_error& error);

} // namespace llmcost
