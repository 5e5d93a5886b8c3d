#pragma once
// The JSON exports of LLM proxies and observability tools, one object at a
// time: LiteLLM spend-log rows (/spend/logs), Langfuse observations (one, or
// a {"data":[...],"meta":...} page), Helicone request rows (its export tool's
// JSON/JSONL), OpenAI Usage API pages (/v1/organization/usage/completions)
// and OpenRouter generations (/api/v1/generation). The trace reader asks
// these shapes first for an object without "choices" (see TraceShapes::read).

#include "llmcost/json_scan.hpp"
#include "llmcost/usage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmcost {

// Where an export's records go: the trace reader counts them as it counts a
// response (once per id and usage when `id_kind` is not empty), or rejects
// one with `problem` (not empty) under `category`.
class ExportEmitter
{
public:
  virtual void emit_export(UsageRecord& record, const std::string& problem, const char* category,
                           std::string_view id_kind) = 0;

protected:
  ~ExportEmitter() = default;
};

class ExportShapes
{
public:
  ExportShapes(RecordSink& sink, ExportEmitter& emitter)
    : m_sink(sink)
    , m_emitter(emitter)
  {
  }

  // True when `object` is one of the export shapes: its records were then
  // emitted, rejected or skipped (counted). False: not an export; nothing
  // was counted.
  bool read(JsonValue object, const SourceLine& where);

private:
  void read_langfuse(JsonValue object, const SourceLine& where);
  void read_openai_usage_page(JsonValue page, const SourceLine& where);
  void read_openrouter_generation(JsonValue data, const SourceLine& where);
  void emit(UsageRecord& r, std::string_view id_kind);
  void split_cached(UsageRecord& r, std::uint64_t input_total, std::uint64_t cached);
  void read_billed(UsageRecord& r, JsonValue amount, const char* name);

  RecordSink& m_sink;
  ExportEmitter& m_emitter;
  std::string m_problem; // the first problem of the record being read
  const char* m_category = "bad field";
  std::string m_skipped_type; // the last Langfuse type skipped, and its reason (made once per run)
  std::string m_skipped_reason;
};

// A JSON token count as the trace readers read it (digits, a quoted number,
// 12.0, 1.2e3); 0 and `problem` set (when empty) when it is not a whole
// number of zero or more. Absent or null is 0.
std::uint64_t json_count(JsonValue node, const char* name, std::string& problem);
// A time written as ISO 8601 or Unix seconds (number or string).
std::optional<std::int64_t> json_time(JsonValue node);

} // namespace llmcost
