#pragma once
// OpenAI Codex CLI session logs (openai/codex, codex-rs rollout recorder):
// ${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-*.jsonl, each line
// {"timestamp": ISO 8601, "type", "payload"}. Usage is in event_msg lines
// whose payload is a token_count: info.last_token_usage (this model call)
// and info.total_token_usage (the session's running total); the model is
// in the turn_context lines before them, so a file is read in order.

#include "llmcost/json_scan.hpp"

#include <array>
#include <string>
#include <string_view>

namespace llmcost {

// What a rollout file's earlier lines say of the lines after them.
struct CodexContext
{
  std::string model;   // the last turn_context's model
  std::string session; // session_meta's id
  std::string origin;  // the session this one was forked or spawned from, else its own id
};

// True for a line of a rollout file: a known line type with a payload.
bool is_codex_line(std::string_view type, JsonValue object);

// True when a file's start is a rollout's: its first line is a
// session_meta. Such a file is read whole, in order (see CodexContext).
bool is_codex_rollout(std::string_view start);

// Takes what a session_meta or turn_context line says into `context`.
void note_codex_context(std::string_view type, JsonValue payload, CodexContext& context);

// The fields of a token usage object (codex-rs protocol TokenUsage), in the
// order input (cached included), cached input, output (reasoning
// included), reasoning output, total.
inline constexpr std::array<std::string_view, 5> k_codex_token_fields = {
    "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens"};

// The members of a usage object that are not token fields, joined for a
// message, or empty: a count under another name would go unpriced.
std::string codex_unknown_usage_members(JsonValue usage);

} // namespace llmcost
