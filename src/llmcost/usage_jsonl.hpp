#pragma once
// Token traces in JSON: one object per line (JSONL), or concatenated
// pretty-printed objects (the OpenTelemetry console exporter). Recognised per
// object: OpenAI-compatible chat completions (Kyma, Moonshot; streamed chunks
// with usage in choices[0].usage), the Responses API, batch output lines,
// Anthropic Messages responses, Claude Code session logs and OpenTelemetry
// GenAI spans.

#include "llmcost/trace_source.hpp"
#include "llmcost/usage.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

struct CodexContext;

// Reads JSON objects from `text`, which starts on line `first_line` of `file`
// (a piece of a larger file ends on a line boundary). `by_line`: one object
// per line (JSONL); otherwise objects may span lines (pretty-printed) and the
// text must hold whole objects. A BOM is dropped only at the start of a file
// (line 1 and `start_of_file`; a piece read in parallel starts on its line 1).
// `codex`: a Codex rollout's context, kept by the caller across the pieces
// of one file read in order. Returns the newlines in `text`, counted as it was read.
std::size_t read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink,
                             std::size_t first_line = 1, std::optional<bool> by_line = std::nullopt,
                             bool start_of_file = true, std::optional<TraceSource> source = std::nullopt,
                             CodexContext* codex = nullptr);

// True when the text is JSONL: one of its first lines is a whole object.
bool is_json_lines(std::string_view start);

// What the first objects of a JSON input hold, for the message when none of
// them was usage the readers know.
struct JsonInputSummary
{
  std::size_t objects = 0;            // whole values read from the start
  std::vector<std::string> keys;      // top-level member names, in order of first use (at most 16)
  std::string usage_like;             // a member name at any depth that looks like token usage
  std::vector<std::string> top_types; // distinct "type" / "object" values of the first objects
};
JsonInputSummary summarise_json_start(std::string_view start);

// True when a member name looks like token usage ("usage", "usageDetails",
// "prompt_tokens", "promptTokens", "token_usage").
bool looks_like_usage_name(std::string_view name);

// True when the text starts (after whitespace and a BOM) with '{'.
bool looks_like_json_objects(std::string_view text);

} // namespace llmcost
