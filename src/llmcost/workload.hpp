#pragma once
// Planned workloads: the workload spec file (SPEC.md "Inputs" 1) and the
// inline flags that describe one workload without a file.

#include "llmcost/decimal.hpp"
#include "llmcost/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

enum class Period { day, week, month, year };
std::string_view to_string(Period period);
std::optional<Period> parse_period(std::string_view text);
// requests per `from` converted to requests per `to` (365-day year, 12 equal months).
Decimal convert_period(Decimal quantity, Period from, Period to, bool* inexact = nullptr);

struct Workload
{
  std::string name;
  std::string model;    // as written: bare, alias or provider-qualified
  std::string provider; // optional "provider" field
  Location where;       // the workload's place in its file, for errors
  std::string pointer;  // JSON pointer of the workload ("/workloads/0")
  Period period = Period::month;
  Decimal requests;
  // Per request:
  Decimal input_tokens; // all input, cached part included
  std::optional<Decimal> cached_input_tokens;
  std::optional<Decimal> cache_hit_rate; // share of input, 0..1
  Decimal output_tokens;
  Decimal batch_share;
  Decimal web_search_calls;
  Decimal search_result_tokens; // per call, billed as input on the next call
  std::optional<Decimal> images;
  std::string image_quality;
  std::string image_size;
  std::optional<Decimal> video_seconds;
  std::optional<Decimal> audio_minutes;
  std::optional<Decimal> tts_characters;
  std::optional<Decimal> songs;
  std::optional<Decimal> music_seconds;
  std::optional<Decimal> voices;
  std::optional<Decimal> generations;
  Decimal peak_requests_per_minute;
  Decimal peak_tokens_per_minute;

  // Cached input tokens per request, from either form.
  Decimal cached_per_request() const;
};

// Parses a workload spec (JSON, comments allowed). Numbers are read from their
// text, never through binary floating point. Throws Error naming file, line
// and field on the first problem.
std::vector<Workload> load_workloads(std::string_view text, const std::string& file);

// True when the document looks like a workload spec (has "workloads").
bool looks_like_workload_spec(std::string_view text);

// Checks ranges and combinations (cached <= input, shares within 0..1, ...).
void validate_workload(const Workload& workload);

} // namespace llmcost
