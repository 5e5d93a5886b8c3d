#pragma once
// Small helpers around nlohmann::json shared by the card and workload loaders.

#include "llmcost/error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

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

// nlohmann's parse_error message without its "[json.exception...]" prefix.
std::string describe_parse_error(const nlohmann::json::parse_error& error);

} // namespace llmcost
