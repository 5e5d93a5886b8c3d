#pragma once
// --source: the tool whose logs the JSON inputs are, when a run should read
// those alone. Each line must then be one that tool writes; any other is
// rejected (never read by another reader, never skipped).

#include "llmcost/json_scan.hpp"
#include "llmcost/named_enum.hpp"

#include <optional>
#include <string_view>

namespace llmcost {

enum class TraceSource { kimi, kimi_code, claude, codex };

// The --source name; -Wswitch keeps this in step with the enum.
constexpr std::string_view to_string(TraceSource source)
{
  switch (source) {
  case TraceSource::kimi:
    return "kimi";
  case TraceSource::kimi_code:
    return "kimi-code";
  case TraceSource::claude:
    return "claude";
  case TraceSource::codex:
    return "codex";
  }
  return {}; // past the last source
}

// The --source name that forces none: each line's shape decides.
inline constexpr std::string_view k_detect_source = "auto";

inline constexpr auto k_trace_sources = all_named_values<TraceSource>();

constexpr std::optional<TraceSource> parse_trace_source(std::string_view text)
{
  return parse_named(k_trace_sources, text);
}

// The tool and its logs, for messages ("Kimi CLI wire.jsonl").
std::string_view describe(TraceSource source);

// True when `object` (a line of a log) is one `source` writes.
bool is_line_of(TraceSource source, JsonValue object);

} // namespace llmcost
