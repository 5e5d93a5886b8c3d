#pragma once
// Usage CSV exports (provider exports, the benchmark generator, OpenRouter,
// OpenAI cost, Anthropic console usage, LiteLLM spend logs): header names are
// matched case-insensitively through a table of aliases; --map adds more.

#include "llmcost/usage.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmcost {

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
};

std::optional<UsageField> parse_usage_field(std::string_view name);
std::string_view to_string(UsageField field);

// "column=field" pairs from --map.
using ColumnMap = std::vector<std::pair<std::string, UsageField>>;
ColumnMap parse_column_maps(const std::vector<std::string>& specs);

// Reads a whole CSV text, sending every data row to `sink` as a record or a
// rejection. Throws Error for problems that make the file unreadable (no
// model column, unterminated quote, duplicate mapped column).
void read_usage_csv(std::string_view text, const std::string& file, const ColumnMap& extra, RecordSink& sink);

} // namespace llmcost
