#pragma once
// Token traces in JSON: one object per line (JSONL), or concatenated
// pretty-printed objects (the OpenTelemetry console exporter). Recognised per
// object: OpenAI-compatible chat completions (Kyma, Moonshot; streamed chunks
// with usage in choices[0].usage), the Responses API, batch output lines,
// Anthropic Messages responses, Claude Code session logs and OpenTelemetry
// GenAI spans.

#include "llmcost/usage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace llmcost {

// Reads JSON objects from `text`, which starts on line `first_line` of `file`
// (a piece of a larger file ends on a line boundary). `by_line`: one object
// per line (JSONL); otherwise objects may span lines (pretty-printed) and the
// text must hold whole objects. A BOM is dropped only at the start of a file
// (line 1 and `start_of_file`; a piece read in parallel starts on its line 1).
// Returns the newlines in `text`, counted as it was read.
std::size_t read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink,
                             std::size_t first_line = 1, std::optional<bool> by_line = std::nullopt,
                             bool start_of_file = true);

// True when the text is JSONL: one of its first lines is a whole object.
bool is_json_lines(std::string_view start);

// True when the text starts (after whitespace and a BOM) with '{'.
bool looks_like_json_objects(std::string_view text);

} // namespace llmcost
