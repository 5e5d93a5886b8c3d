#include "llmcost/usage_jsonl.hpp"

#include "llmcost/error.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace llmcost {

using nlohmann::json;

namespace {

// A JSON value's extent in the text, found without parsing it.
struct Span
{
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t line = 1;
};

// Splits the text into top-level JSON values. JSONL (the first value ends on
// its own line) is split at newlines, so a truncated or broken line is one bad
// record and never swallows the next; otherwise (pretty-printed objects, as
// the OpenTelemetry console exporter writes) by bracket depth, honouring
// strings and escapes.
class ValueSplitter
{
public:
  ValueSplitter(std::string_view text, std::size_t first_line, std::optional<bool> by_line, bool start_of_file)
    : m_text(text)
    , m_line(first_line)
  {
    if (first_line == 1 && start_of_file && m_text.substr(0, 3) == "\xEF\xBB\xBF") {
      m_pos = 3;
    }
    m_by_line = by_line ? *by_line : any_line_is_one_object(m_text.substr(m_pos));
  }

  // JSONL if one of the first lines is a whole object by itself; a
  // pretty-printed object never has a line that opens and closes it.
  static bool any_line_is_one_object(std::string_view text)
  {
    std::size_t pos = 0;
    for (int lines = 0; lines < 8 && pos < text.size(); ++lines) {
      const std::size_t newline = std::min(text.find('\n', pos), text.size());
      const std::string_view line = trim(text.substr(pos, newline - pos));
      pos = newline + 1;
      if (line.empty() || line.front() != '{') {
        continue;
      }
      int depth = 0;
      bool in_string = false;
      bool closed_at_end = false;
      for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_string) {
          if (c == '\\') {
            ++i;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
          closed_at_end = i + 1 == line.size();
          break;
        }
      }
      if (closed_at_end) {
        return true;
      }
    }
    return false;
  }

  bool next(Span& span) { return m_by_line ? next_by_line(span) : next_by_depth(span); }

private:
  void skip_blank()
  {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == '\n') {
        ++m_line;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        break;
      }
      ++m_pos;
    }
  }

  bool next_by_line(Span& span)
  {
    skip_blank();
    if (m_pos >= m_text.size()) {
      return false;
    }
    span.begin = m_pos;
    span.line = m_line;
    const std::size_t newline = m_text.find('\n', m_pos);
    span.end = newline == std::string_view::npos ? m_text.size() : newline;
    m_pos = span.end;
    return true;
  }

  bool next_by_depth(Span& span)
  {
    skip_blank();
    if (m_pos >= m_text.size()) {
      return false;
    }
    span.begin = m_pos;
    span.line = m_line;
    int depth = 0;
    bool in_string = false;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos++];
      if (c == '\n') {
        ++m_line;
        if (depth == 0) {
          break; // a scalar or garbage line ends at the newline
        }
      }
      if (in_string) {
        if (c == '\\') {
          ++m_pos;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth <= 0) {
          break;
        }
      }
    }
    span.end = m_pos;
    return true;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  bool m_by_line = true;
};

const json* at(const json& object, std::initializer_list<const char*> path)
{
  const json* node = &object;
  for (const char* key : path) {
    if (!node->is_object()) {
      return nullptr;
    }
    auto it = node->find(key);
    if (it == node->end() || it->is_null()) {
      return nullptr;
    }
    node = &*it;
  }
  return node;
}

std::string_view text_at(const json& object, std::initializer_list<const char*> path)
{
  const json* node = at(object, path);
  if (node == nullptr || !node->is_string()) {
    return {};
  }
  return node->get_ref<const std::string&>();
}

// Reads token counts and amounts, remembering the first problem.
struct FieldProblem
{
  std::string text;

  std::uint64_t count(const json& object, std::initializer_list<const char*> path, const char* name)
  {
    const json* node = at(object, path);
    if (node == nullptr) {
      return 0;
    }
    if (node->is_number_unsigned()) {
      const auto value = node->get<std::uint64_t>();
      if (value > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(name, node->dump(), "is too large");
        return 0;
      }
      return value;
    }
    if (node->is_number_integer()) {
      fail(name, node->dump(), "is negative");
      return 0;
    }
    if (node->is_string()) {
      // Non-integer numbers arrive as their text (see parse_json_exact).
      std::string why;
      auto value = Decimal::parse_scientific(node->get_ref<const std::string&>(), &why);
      if (value && value->is_integer() && !value->is_negative() && value->whole() <= INT64_MAX) {
        return static_cast<std::uint64_t>(value->whole());
      }
      fail(name, node->get_ref<const std::string&>(), "is not a whole number");
      return 0;
    }
    fail(name, node->dump(), "is not a number");
    return 0;
  }

  void fail(const char* name, const std::string& value, const char* what)
  {
    if (text.empty()) {
      text = fmt::format("field {}: {} {} (expected a whole number of zero or more)", name, value.substr(0, 40), what);
    }
  }
};

std::optional<std::int64_t> time_of_json(const json* node)
{
  if (node == nullptr) {
    return std::nullopt;
  }
  if (node->is_number_unsigned()) {
    return parse_timestamp(std::to_string(node->get<std::uint64_t>()));
  }
  if (node->is_string()) {
    return parse_timestamp(node->get_ref<const std::string&>());
  }
  return std::nullopt;
}

// Counts $web_search tool calls in the assistant message(s) of a chat completion.
std::uint64_t web_search_calls(const json& body)
{
  std::uint64_t calls = 0;
  const json* choices = at(body, {"choices"});
  if (choices == nullptr || !choices->is_array()) {
    return 0;
  }
  for (const auto& choice : *choices) {
    const json* tool_calls = at(choice, {"message", "tool_calls"});
    if (tool_calls == nullptr || !tool_calls->is_array()) {
      continue;
    }
    for (const auto& call : *tool_calls) {
      if (text_at(call, {"function", "name"}) == "$web_search") {
        ++calls;
      }
    }
  }
  return calls;
}

class TraceReader
{
public:
  explicit TraceReader(RecordSink& sink)
    : m_sink(sink)
  {
  }

  void read(const json& object, const Location& where)
  {
    if (!object.is_object()) {
      m_sink.reject(where, "not a JSON object",
                    fmt::format("a JSON {} where an object was expected (expected one "
                                "usage object per line)",
                                object.type_name()));
      return;
    }
    UsageRecord r;
    r.where = SourceLine{where.file, where.line};
    r.provider = text_at(object, {"provider"});
    FieldProblem problem;
    if (object.contains("custom_id") && object.contains("response")) {
      read_batch_line(object, r, problem);
    } else if (at(object, {"message"}) != nullptr &&
               (text_at(object, {"type"}) == "assistant" ||
                (at(object, {"message", "usage"}) != nullptr &&
                 (object.contains("sessionId") || object.contains("requestId"))))) {
      read_claude_code(object, r, problem);
    } else if (text_at(object, {"type"}) == "message" && at(object, {"usage"}) != nullptr) {
      read_anthropic(*at(object, {"usage"}), r, problem);
      r.model = text_at(object, {"model"});
      r.request_id = text_at(object, {"id"});
      finish(r, problem, "");
    } else if (const json* attributes = at(object, {"attributes"}); attributes != nullptr && attributes->is_object()) {
      read_otel_span(object, *attributes, r, problem);
    } else if (read_openai(object, r, problem)) {
      finish(r, problem, "");
    } else {
      m_sink.skip(object.contains("type") ? fmt::format("\"{}\" lines", text_at(object, {"type"}))
                                          : std::string("objects without usage (e.g. stream chunks)"));
    }
  }

private:
  void finish(UsageRecord& r, FieldProblem& problem, const std::string& dedupe_key)
  {
    if (!problem.text.empty()) {
      m_sink.reject(r.where.location(), "bad field", problem.text);
      return;
    }
    if (r.model.empty()) {
      m_sink.reject(r.where.location(), "no model", "usage without a model (expected a \"model\" field)");
      return;
    }
    if (dedupe_key.empty()) {
      m_sink.record(r);
    } else {
      m_sink.record_once(dedupe_key, r);
    }
  }

  // OpenAI convention: prompt tokens include cached ones.
  bool split_cached(UsageRecord& r, std::uint64_t input_total, std::uint64_t cached, FieldProblem& problem)
  {
    if (cached > input_total) {
      problem.text = fmt::format("cached tokens {} exceed input tokens {} (expected cached to be part of input)",
                                 cached, input_total);
      return false;
    }
    r.input = input_total - cached;
    r.cached_input = cached;
    return true;
  }

  bool read_openai(const json& body, UsageRecord& r, FieldProblem& problem)
  {
    const json* usage = at(body, {"usage"});
    if (usage == nullptr) {
      // Moonshot streams put the final usage inside the first choice.
      const json* choices = at(body, {"choices"});
      if (choices != nullptr && choices->is_array() && !choices->empty()) {
        usage = at((*choices)[0], {"usage"});
      }
    }
    if (usage == nullptr || !usage->is_object()) {
      return false;
    }
    r.model = text_at(body, {"model"});
    r.request_id = text_at(body, {"id"});
    r.time = time_of_json(at(body, {"created"}));
    if (!r.time) {
      r.time = time_of_json(at(body, {"created_at"}));
    }
    if (usage->contains("input_tokens") && !usage->contains("prompt_tokens")) {
      // Responses API.
      const std::uint64_t input = problem.count(*usage, {"input_tokens"}, "usage.input_tokens");
      const std::uint64_t cached =
          problem.count(*usage, {"input_tokens_details", "cached_tokens"}, "usage.input_tokens_details.cached_tokens");
      split_cached(r, input, cached, problem);
      r.output = problem.count(*usage, {"output_tokens"}, "usage.output_tokens");
      r.reasoning = problem.count(*usage, {"output_tokens_details", "reasoning_tokens"},
                                  "usage.output_tokens_details.reasoning_tokens");
    } else {
      const std::uint64_t input = problem.count(*usage, {"prompt_tokens"}, "usage.prompt_tokens");
      // Moonshot may report cached tokens at the top of usage; prefer the nested field.
      const std::uint64_t cached = at(*usage, {"prompt_tokens_details", "cached_tokens"}) != nullptr
                                       ? problem.count(*usage, {"prompt_tokens_details", "cached_tokens"},
                                                       "usage.prompt_tokens_details.cached_tokens")
                                       : problem.count(*usage, {"cached_tokens"}, "usage.cached_tokens");
      split_cached(r, input, cached, problem);
      r.output = problem.count(*usage, {"completion_tokens"}, "usage.completion_tokens");
      r.reasoning = problem.count(*usage, {"completion_tokens_details", "reasoning_tokens"},
                                  "usage.completion_tokens_details.reasoning_tokens");
    }
    if (r.reasoning > r.output && problem.text.empty()) {
      problem.text =
          fmt::format("reasoning tokens {} exceed output tokens {} (expected reasoning to be part of output)",
                      r.reasoning, r.output);
    }
    r.web_search_calls = web_search_calls(body);
    if (const json* cost = at(*usage, {"cost"})) {
      // Kyma's billed amount, exact from its text.
      std::string why;
      const std::string text = cost->is_string() ? cost->get<std::string>() : cost->dump();
      r.billed = Decimal::parse_scientific(text, &why);
      r.billed_places = written_decimal_places(text);
      if (!r.billed && problem.text.empty()) {
        problem.text =
            fmt::format("field usage.cost: {} is not an amount: {} (expected a decimal)", text.substr(0, 40), why);
      }
    }
    return true;
  }

  void read_anthropic(const json& usage, UsageRecord& r, FieldProblem& problem)
  {
    // Anthropic: input_tokens excludes cache reads and writes.
    const std::uint64_t fresh = problem.count(usage, {"input_tokens"}, "usage.input_tokens");
    r.cache_write = problem.count(usage, {"cache_creation_input_tokens"}, "usage.cache_creation_input_tokens");
    r.cached_input = problem.count(usage, {"cache_read_input_tokens"}, "usage.cache_read_input_tokens");
    r.input = fresh + r.cache_write;
    r.output = problem.count(usage, {"output_tokens"}, "usage.output_tokens");
  }

  void read_batch_line(const json& object, UsageRecord& r, FieldProblem& problem)
  {
    r.batch = true;
    r.request_id = text_at(object, {"custom_id"});
    const json* status = at(object, {"response", "status_code"});
    const json* body = at(object, {"response", "body"});
    const bool ok =
        status != nullptr && status->is_number() && status->get<int>() == 200 && at(object, {"error"}) == nullptr;
    if (!ok || body == nullptr || !read_openai(*body, r, problem)) {
      m_sink.reject(r.where.location(), "failed batch request",
                    fmt::format("batch request {} failed (status {}) and carries no usage; it is not billed",
                                r.request_id, status != nullptr ? status->dump() : "missing"));
      return;
    }
    r.request_id = text_at(object, {"custom_id"});
    finish(r, problem, "");
  }

  void read_claude_code(const json& object, UsageRecord& r, FieldProblem& problem)
  {
    const json& message = *at(object, {"message"});
    const json* usage = at(message, {"usage"});
    r.model = text_at(message, {"model"});
    if (usage == nullptr || r.model == "<synthetic>") {
      m_sink.skip("Claude Code lines without usage (synthetic messages)");
      return;
    }
    read_anthropic(*usage, r, problem);
    r.request_id = text_at(object, {"requestId"});
    r.session = text_at(object, {"sessionId"});
    r.time = time_of_json(at(object, {"timestamp"}));
    const std::string_view message_id = text_at(message, {"id"});
    const std::string key =
        message_id.empty() || r.request_id.empty() ? std::string() : fmt::format("cc:{}:{}", message_id, r.request_id);
    finish(r, problem, key);
  }

  void read_otel_span(const json& object, const json& attributes, UsageRecord& r, FieldProblem& problem)
  {
    const json* input = at(attributes, {"gen_ai.usage.input_tokens"});
    const json* output = at(attributes, {"gen_ai.usage.output_tokens"});
    if (input == nullptr && output == nullptr) {
      m_sink.skip("OpenTelemetry spans without usage (unfinished or not a model call)");
      return;
    }
    const std::string_view operation = text_at(attributes, {"gen_ai.operation.name"});
    if (operation != "chat" && operation != "text_completion" && operation != "generate_content") {
      m_sink.skip(fmt::format("OpenTelemetry \"{}\" spans (their usage repeats their children's)", operation));
      return;
    }
    r.model = text_at(attributes, {"gen_ai.response.model"});
    if (r.model.empty()) {
      r.model = text_at(attributes, {"gen_ai.request.model"});
    }
    r.provider = text_at(attributes, {"gen_ai.provider.name"});
    if (r.provider.empty()) {
      r.provider = text_at(attributes, {"gen_ai.system"});
    }
    // OpenTelemetry: input tokens include cache reads.
    const std::uint64_t input_total =
        problem.count(attributes, {"gen_ai.usage.input_tokens"}, "gen_ai.usage.input_tokens");
    const std::uint64_t cached =
        problem.count(attributes, {"gen_ai.usage.cache_read.input_tokens"}, "gen_ai.usage.cache_read.input_tokens");
    split_cached(r, input_total, cached, problem);
    r.output = problem.count(attributes, {"gen_ai.usage.output_tokens"}, "gen_ai.usage.output_tokens");
    r.request_id = text_at(attributes, {"gen_ai.response.id"});
    r.time = time_of_json(at(object, {"start_time"}));
    const std::string_view span_id = text_at(object, {"context", "span_id"});
    finish(r, problem, span_id.empty() ? std::string() : fmt::format("otel:{}", span_id));
  }

  RecordSink& m_sink;
};

} // namespace

bool looks_like_json_objects(std::string_view text)
{
  std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) {
    ++i;
  }
  return i < text.size() && text[i] == '{';
}

bool is_json_lines(std::string_view start)
{
  if (start.substr(0, 3) == "\xEF\xBB\xBF") {
    start.remove_prefix(3);
  }
  return ValueSplitter::any_line_is_one_object(start);
}

void read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink, std::size_t first_line,
                      std::optional<bool> by_line, bool start_of_file)
{
  ValueSplitter splitter(text, first_line, by_line, start_of_file);
  TraceReader reader(sink);
  Span span;
  while (splitter.next(span)) {
    const std::string_view value = text.substr(span.begin, span.end - span.begin);
    const Location where{file, span.line, 0};
    json object;
    try {
      object = parse_json_exact(value, file);
    } catch (const Error& error) {
      // Re-base the parser's location on the file.
      Location at = error.location();
      const std::string message = std::string(error.what()).substr(at.to_string().size() + 2);
      at.line = at.line == 0 ? span.line : at.line + span.line - 1;
      sink.reject(at, "invalid JSON", message);
      continue;
    }
    try {
      reader.read(object, where);
    } catch (const nlohmann::json::exception& error) {
      sink.reject(where, "bad field", std::string("a field has the wrong type: ") + error.what());
    }
  }
}

} // namespace llmcost
