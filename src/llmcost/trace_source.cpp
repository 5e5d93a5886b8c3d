#include "llmcost/trace_source.hpp"

#include "llmcost/codex_sessions.hpp"
#include "llmcost/kimi_sessions.hpp"

namespace llmcost {

std::string_view describe(TraceSource source)
{
  switch (source) {
  case TraceSource::kimi:
    return "Kimi CLI wire.jsonl";
  case TraceSource::kimi_code:
    return "Kimi Code wire.jsonl";
  case TraceSource::claude:
    return "Claude Code session log";
  case TraceSource::codex:
    return "Codex CLI rollout-*.jsonl";
  }
  return {};
}

bool is_line_of(TraceSource source, JsonValue object)
{
  if (!object.is(JsonType::object)) {
    return false;
  }
  const JsonValue type = object["type"];
  switch (source) {
  case TraceSource::kimi:
    return is_kimi_wire_message(object["message"]) || (type.text() == "metadata" && object["protocol_version"]);
  case TraceSource::kimi_code:
    return type.text() == k_kimi_code_usage_type || is_kimi_code_record(type.text(), object) ||
           ((type.text() == "metadata" || type.text() == "forked") && object["time"].present()) ||
           (type.text() == "metadata" && object["protocol_version"] && object["created_at"]);
  case TraceSource::claude:
    return object["sessionId"].is(JsonType::string) || (type.text() == "summary" && object["leafUuid"]);
  case TraceSource::codex:
    return is_codex_line(type.text(), object);
  }
  return false;
}

} // namespace llmcost
