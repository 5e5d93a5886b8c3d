#pragma once
// One JSON object of a trace (an API response, a stream chunk, a batch
// output line, a Claude Code log line, an OpenTelemetry span) read into
// usage records: each shape the readers know has its read_<shape> in
// trace_reader.cpp and a line in TraceShapes::read's dispatch.

#include "llmcost/json_scan.hpp"
#include "llmcost/trace_source.hpp"
#include "llmcost/usage.hpp"

#include <memory>
#include <optional>

namespace llmcost {

struct CodexContext;

namespace detail {
class TraceShapes;
}

class TraceReader
{
public:
  // With a `source`, only lines that tool writes are read; others are rejected.
  // `codex` carries a Codex rollout's model and session across the reads of
  // one file's blocks (else each reader starts afresh).
  explicit TraceReader(RecordSink& sink, std::optional<TraceSource> source = std::nullopt,
                       CodexContext* codex = nullptr);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  // Prices, rejects or skips (counted) the object on the sink.
  void read(JsonValue object, const SourceLine& where);

private:
  std::unique_ptr<detail::TraceShapes> m_shapes;
  RecordSink& m_sink;
  std::optional<TraceSource> m_source;
};

} // namespace llmcost
