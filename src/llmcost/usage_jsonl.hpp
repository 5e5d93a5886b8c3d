#pragma once
// Token traces in JSON: one object per line (JSONL), or concatenated
// pretty-printed objects (the OpenTelemetry console exporter). Recognised per
// object: OpenAI-compatible chat completions (Kyma, Moonshot; streamed chunks
// with usage in choices[0].usage), the Responses API, batch output lines,
// Anthropic Messages responses, Claude Code session logs and OpenTelemetry
// GenAI spans.

#include "llmcost/usage.hpp"

#include <string>
#include <string_view>

namespace llmcost {

void read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink);

// True when the text starts (after whitespace and a BOM) with '{'.
bool looks_like_json_objects(std::string_view text);

} // namespace llmcost
