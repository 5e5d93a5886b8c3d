#include "llmcost/kimi_sessions.hpp"

#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"

#include <algorithm>

namespace llmcost {

bool is_kimi_wire_message(JsonValue message)
{
  return message.is(JsonType::object) && message["type"].is(JsonType::string) && message["payload"].present();
}

bool is_kimi_context_gauge(std::string_view name)
{
  return name == "context_usage" || name == "context_tokens" || name == "max_context_tokens";
}

KimiWireEvent kimi_wire_event(JsonValue message)
{
  KimiWireEvent event{message["type"].text(), message["payload"], false};
  // A SubagentEvent's payload.event is another {"type", "payload"}; nesting
  // is bounded by the tape's depth limit.
  while (event.type == "SubagentEvent") {
    const JsonValue inner = event.payload["event"];
    if (!inner.is(JsonType::object) || !inner["type"].is(JsonType::string)) {
      break;
    }
    event = KimiWireEvent{inner["type"].text(), inner["payload"], true};
  }
  return event;
}

bool is_kimi_code_record(std::string_view type, JsonValue object)
{
  if (type.find('.') == std::string_view::npos) {
    return false;
  }
  // OpenAI's stream events have dotted types too, and no "time".
  const std::string_view time = object["time"].digits_only();
  return time.size() >= 12 && time.size() <= 16;
}

std::optional<std::int64_t> kimi_wire_time(JsonValue timestamp)
{
  if (!timestamp.is(JsonType::number)) {
    return std::nullopt;
  }
  // Fractions of a second do not move the day.
  const std::string_view text = timestamp.text();
  return parse_timestamp(text.substr(0, text.find('.')));
}

std::string kimi_unknown_usage_members(JsonValue usage, const std::array<std::string_view, 4>& fields)
{
  std::string unknown;
  usage.for_each_member([&](std::string_view name, JsonValue value) {
    if (std::find(fields.begin(), fields.end(), name) == fields.end() && value.present()) {
      unknown += (unknown.empty() ? "" : ", ") + elide(std::string(name), 40);
    }
  });
  return unknown;
}

} // namespace llmcost
