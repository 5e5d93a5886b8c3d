#pragma once
// Kimi session logs: what trace_reader's read_kimi_cli / read_kimi_code ask
// of a line. Kimi CLI (MoonshotAI/kimi-cli) writes
// sessions/<md5 of work dir>/<session>/wire.jsonl: a metadata line, then
// {"timestamp": <unix seconds, float>, "message": {"type", "payload"}}, its
// usage in StatusUpdate payloads (token_usage, message_id) and no model id.
// Kimi Code (MoonshotAI/kimi-code) writes {"type": "usage.record", "model",
// "usage": {inputOther, ...}, "usageScope", "time": <epoch ms>} lines.

#include "llmcost/json_scan.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace llmcost {

// True when a line's "message" is a Kimi CLI wire envelope ({"type", "payload"}).
bool is_kimi_wire_message(JsonValue message);

// True for the context gauges of a StatusUpdate (context_usage,
// context_tokens, max_context_tokens): how full the context is, not usage.
bool is_kimi_context_gauge(std::string_view name);

// A wire message unwrapped from the SubagentEvents around it (a subagent's
// events are logged inside its parent's log and again in its own).
struct KimiWireEvent
{
  std::string_view type; // the innermost message's type
  JsonValue payload;
  bool subagent = false;
};
KimiWireEvent kimi_wire_event(JsonValue message);

// Unix seconds of a wire line's "timestamp" (seconds with a fraction).
std::optional<std::int64_t> kimi_wire_time(JsonValue timestamp);

// The token fields of a usage object, in the order
// input_other, output, input_cache_read, input_cache_creation.
inline constexpr std::array<std::string_view, 4> k_kimi_cli_token_fields = {"input_other", "output", "input_cache_read",
                                                                            "input_cache_creation"};
inline constexpr std::array<std::string_view, 4> k_kimi_code_token_fields = {"inputOther", "output", "inputCacheRead",
                                                                             "inputCacheCreation"};

// The members of a usage object that are not among `fields`, joined for a
// message, or empty: a count under another name would go unpriced.
std::string kimi_unknown_usage_members(JsonValue usage, const std::array<std::string_view, 4>& fields);

// The line type of Kimi Code usage records.
inline constexpr std::string_view k_kimi_code_usage_type = "usage.record";

// True for a Kimi Code record (a dotted `type`, e.g. "turn.prompt",
// "llm.request", "context.update_token_count", and `time` in epoch
// milliseconds): its agent's wire.jsonl holds these, and only usage.record
// carries usage (llm.request's maxTokens, tokenCount are settings and gauges).
bool is_kimi_code_record(std::string_view type, JsonValue object);

} // namespace llmcost
