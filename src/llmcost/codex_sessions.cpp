#include "llmcost/codex_sessions.hpp"

#include "llmcost/json_members.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>

namespace llmcost {

namespace {

// RolloutItem's tags (codex-rs protocol).
constexpr std::array<std::string_view, 5> k_line_types = {"session_meta", "response_item", "event_msg", "turn_context",
                                                          "compacted"};

} // namespace

bool is_codex_line(std::string_view type, JsonValue object)
{
  return std::find(k_line_types.begin(), k_line_types.end(), type) != k_line_types.end() &&
         object["payload"].is(JsonType::object);
}

bool is_codex_rollout(std::string_view start)
{
  const std::string_view first = start.substr(0, start.find('\n'));
  return first.starts_with("{") && first.find("\"type\":\"session_meta\"") != std::string_view::npos &&
         first.find("\"payload\":") != std::string_view::npos;
}

void note_codex_context(std::string_view type, JsonValue payload, CodexContext& context)
{
  if (type == "turn_context") {
    if (const std::string_view model = text_at(payload, {"model"}); !model.empty()) {
      context.model = std::string(model);
    }
    return;
  }
  if (type != "session_meta") {
    return;
  }
  // A fork (forked_from_id) or a spawned subagent (its parent thread)
  // replays its parent's token_count lines, and may copy the parent's
  // session_meta: the session is the first id, the origin the last parent named.
  const std::string_view id = text_at(payload, {"id"});
  if (context.session.empty()) {
    context.session = std::string(id);
  }
  std::string_view parent = text_at(payload, {"forked_from_id"});
  if (parent.empty()) {
    parent = text_at(payload, {"source", "subagent", "thread_spawn", "parent_thread_id"});
  }
  if (!parent.empty()) {
    context.origin = std::string(parent);
  } else if (context.origin.empty()) {
    context.origin = std::string(id);
  }
}

std::string codex_unknown_usage_members(JsonValue usage)
{
  std::string unknown;
  usage.for_each_member([&](std::string_view name, JsonValue value) {
    if (std::find(k_codex_token_fields.begin(), k_codex_token_fields.end(), name) == k_codex_token_fields.end() &&
        value.present()) {
      unknown += (unknown.empty() ? "" : ", ") + elide(std::string(name), 40);
    }
  });
  return unknown;
}

} // namespace llmcost
