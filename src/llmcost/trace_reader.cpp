#include "llmcost/trace_reader.hpp"

#include "llmcost/codex_sessions.hpp"
#include "llmcost/error.hpp"
#include "llmcost/export_reader.hpp"
#include "llmcost/json_members.hpp"
#include "llmcost/kimi_sessions.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <string>

namespace llmcost {

namespace {

// What a trace reader asks of a line's object (and of a batch line's response body).
enum class Top : std::uint8_t {
  provider,
  custom_id,
  response,
  message,
  type,
  session_id,
  request_id,
  usage,
  model,
  id,
  attributes,
  choices,
  created,
  created_at,
  error,
  timestamp,
  start_time,
  context,
  count_
};
constexpr auto k_top_names = std::to_array<MemberName<Top>>({
    {Top::provider, "provider"},
    {Top::custom_id, "custom_id"},
    {Top::response, "response"},
    {Top::message, "message"},
    {Top::type, "type"},
    {Top::session_id, "sessionId"},
    {Top::request_id, "requestId"},
    {Top::usage, "usage"},
    {Top::model, "model"},
    {Top::id, "id"},
    {Top::attributes, "attributes"},
    {Top::choices, "choices"},
    {Top::created, "created"},
    {Top::created_at, "created_at"},
    {Top::error, "error"},
    {Top::timestamp, "timestamp"},
    {Top::start_time, "start_time"},
    {Top::context, "context"},
});
static_assert(in_enum_order(k_top_names));
const MemberNames& top_names()
{
  static const MemberNames names(k_top_names);
  return names;
}
using TopMembers = Members<Top>;

// Of a usage object (OpenAI chat completions and Responses, Anthropic).
enum class Use : std::uint8_t {
  prompt_tokens,
  completion_tokens,
  prompt_tokens_details,
  cached_tokens,
  completion_tokens_details,
  input_tokens,
  output_tokens,
  input_tokens_details,
  output_tokens_details,
  cost,
  cache_creation_input_tokens,
  cache_read_input_tokens,
  // Known and not priced (see k_usage_members_not_priced), named here so
  // that the common lines have no other members to look at.
  total_tokens,
  service_tier,
  cache_creation,
  server_tool_use,
  count_
};
constexpr auto k_usage_names = std::to_array<MemberName<Use>>({
    {Use::prompt_tokens, "prompt_tokens"},
    {Use::completion_tokens, "completion_tokens"},
    {Use::prompt_tokens_details, "prompt_tokens_details"},
    {Use::cached_tokens, "cached_tokens"},
    {Use::completion_tokens_details, "completion_tokens_details"},
    {Use::input_tokens, "input_tokens"},
    {Use::output_tokens, "output_tokens"},
    {Use::input_tokens_details, "input_tokens_details"},
    {Use::output_tokens_details, "output_tokens_details"},
    {Use::cost, "cost"},
    {Use::cache_creation_input_tokens, "cache_creation_input_tokens"},
    {Use::cache_read_input_tokens, "cache_read_input_tokens"},
    {Use::total_tokens, "total_tokens"},
    {Use::service_tier, "service_tier"},
    {Use::cache_creation, "cache_creation"},
    {Use::server_tool_use, "server_tool_use"},
});
static_assert(in_enum_order(k_usage_names));
const MemberNames& usage_names()
{
  static const MemberNames names(k_usage_names);
  return names;
}
using UsageMembers = Members<Use>;

// Of a Claude Code message.
enum class Msg : std::uint8_t { usage, model, id, count_ };
constexpr auto k_message_names =
    std::to_array<MemberName<Msg>>({{Msg::usage, "usage"}, {Msg::model, "model"}, {Msg::id, "id"}});
static_assert(in_enum_order(k_message_names));
const MemberNames& message_names()
{
  static const MemberNames names(k_message_names);
  return names;
}
using MessageMembers = Members<Msg>;

// The member names of an object, joined for a message (at most `limit`).
std::string member_names(JsonValue object, std::size_t limit = 16)
{
  std::vector<std::string> names;
  std::size_t more = 0;
  object.for_each_member([&](std::string_view name, JsonValue) {
    if (names.size() < limit) {
      names.emplace_back(elide(std::string(name), 40));
    } else {
      ++more;
    }
  });
  if (names.empty()) {
    return "none";
  }
  return fmt::format("{}{}", fmt::join(names, ", "), more > 0 ? fmt::format(" and {} more", more) : "");
}

// Members of usage objects that carry nothing to price: sums of read
// fields, breakdowns of a read field, timings, labels.
constexpr std::array<std::string_view, 13> k_usage_members_not_priced = {
    "total_tokens",     // input + output, both read
    "service_tier",     // Anthropic: a label
    "cache_creation",   // Anthropic: the 5m / 1h split of cache_creation_input_tokens
    "server_tool_use",  // Anthropic: its own tools' requests (no card prices them on these routes)
    "inference_geo",    //
    "speed",            //
    "cost_details",     // OpenRouter: the parts of cost
    "is_byok",          //
    "queue_time",       // Groq: timings
    "prompt_time",      //
    "completion_time",  //
    "total_time",       //
    "num_sources_used", //
};

// Why a usage object cannot be read as it is, or empty: none of the token
// fields the reader knows, or a member that looks like a quantity it does
// not know (cache hits under another name would be billed at the input price).
std::string unknown_usage_shape(JsonValue usage, bool any_known)
{
  std::vector<std::string> unknown;
  usage.for_each_member([&](std::string_view name, JsonValue value) {
    if (usage_names().find(name) >= 0 || std::find(k_usage_members_not_priced.begin(), k_usage_members_not_priced.end(),
                                                   name) != k_usage_members_not_priced.end()) {
      return;
    }
    const bool quantity = has_word(name, "token") || has_word(name, "cache") || has_word(name, "cost") ||
                          has_word(name, "request") || (name.size() == 5 && has_word(name, "input")) ||
                          (name.size() == 6 && has_word(name, "output"));
    if (quantity && !value.is(JsonType::null)) {
      unknown.emplace_back(elide(std::string(name), 40));
    }
  });
  if (any_known && unknown.empty()) {
    return {};
  }
  if (!any_known) {
    return fmt::format("usage object with none of the token fields the readers know (it has: {}; expected "
                       "prompt_tokens/completion_tokens or input_tokens/output_tokens)",
                       member_names(usage));
  }
  return fmt::format("usage object with fields the readers do not know: {} (it has: {}); pricing without them "
                     "could bill cached or extra tokens at the wrong price",
                     fmt::join(unknown, ", "), member_names(usage));
}

// Reads token counts and amounts, remembering the first problem.
struct FieldProblem
{
  std::string text;
  const char* category = "bad field"; // not a std::string: built for every line

  // A usage object the readers do not fully know (see unknown_usage_shape).
  void check_shape(const UsageMembers& usage, bool any_known)
  {
    if ((!any_known || usage.has_other_members()) && text.empty()) [[unlikely]] {
      text = unknown_usage_shape(usage.object(), any_known);
      if (!text.empty()) {
        category = "unknown usage shape";
      }
    }
  }

  std::uint64_t count(JsonValue object, std::initializer_list<std::string_view> path, const char* name)
  {
    return count(object.at(path), name);
  }

  // `node` as JsonValue::at gives it: none when missing or null.
  [[gnu::always_inline]] std::uint64_t count(JsonValue node, const char* name)
  {
    // Most counts: the tape checked the digits, and 18 of them cannot overflow
    // (plain_digits would check them again: ~90 instructions a line more).
    if (const std::string_view digits = node.digits_only(); !digits.empty() && digits.size() <= 18) {
      std::uint64_t value = 0;
      for (const char c : digits) {
        value = value * 10 + static_cast<unsigned>(c - '0');
      }
      return value;
    }
    return count_otherwise(node, name);
  }

  // Absent, quoted, signed, with a point or an exponent, too long, or wrong.
  [[gnu::noinline]] std::uint64_t count_otherwise(JsonValue node, const char* name)
  {
    if (!node) {
      return 0;
    }
    if (!node.is(JsonType::number) && !node.is(JsonType::string)) {
      fail(name, node.raw(), "is not a number");
      return 0;
    }
    const std::string_view digits = node.text();
    if (node.is(JsonType::number) && !digits.empty() && digits[0] == '-' &&
        digits.find_first_of(".eE") == std::string_view::npos) {
      fail(name, node.raw(), "is negative");
      return 0;
    }
    // Numbers are text here (never a double): "12", "12.0", "1.2e3", or a
    // quoted number some exporters write.
    std::uint64_t value = 0;
    bool plain = !digits.empty() && digits.size() <= 19;
    for (const char c : digits) {
      if (static_cast<unsigned>(c - '0') > 9) {
        plain = false;
        break;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (plain) {
      if (value > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(name, node.raw(), "is too large");
        return 0;
      }
      return value;
    }
    std::string why;
    auto parsed = Decimal::parse_scientific(digits, &why);
    if (const auto count = parsed ? parsed->as_count() : std::nullopt) {
      return *count;
    }
    if (digits.find_first_of("0123456789") == std::string_view::npos) {
      fail(name, node.raw(), "is not a number");
      return 0;
    }
    const bool too_large =
        (parsed && parsed->whole() > INT64_MAX) || why.find("large") != std::string::npos ||
        (node.is(JsonType::number) && digits.find_first_not_of("-0123456789") == std::string_view::npos);
    fail(name, node.raw(), too_large ? "is too large" : "is not a whole number");
    return 0;
  }

  void fail(const char* name, std::string_view value, const char* what)
  {
    if (text.empty()) {
      text = fmt::format("field {}: {} {} (expected a whole number of zero or more)", name,
                         elide(std::string(value), 80), what);
    }
  }
};

std::optional<std::int64_t> time_of_json(JsonValue node)
{
  if (!node.is(JsonType::number) && !node.is(JsonType::string)) {
    return std::nullopt;
  }
  return parse_timestamp(node.text());
}

// Counts $web_search tool calls in the assistant message(s) of a chat completion.
std::uint64_t web_search_calls(JsonValue choices)
{
  std::uint64_t calls = 0;
  choices.for_each_element([&](JsonValue choice) {
    choice.at({"message", "tool_calls"}).for_each_element([&](JsonValue call) {
      if (text_at(call, {"function", "name"}) == "$web_search") {
        ++calls;
      }
    });
  });
  return calls;
}

} // namespace

std::uint64_t json_count(JsonValue node, const char* name, std::string& problem)
{
  FieldProblem field;
  const std::uint64_t count = field.count(node, name);
  if (problem.empty()) {
    problem = std::move(field.text);
  }
  return count;
}

std::optional<std::int64_t> json_time(JsonValue node)
{
  return time_of_json(node);
}

namespace detail {

class TraceShapes final : ExportEmitter
{
public:
  TraceShapes(RecordSink& sink, CodexContext* codex)
    : m_sink(sink)
    , m_codex(codex != nullptr ? codex : &m_own_codex)
    , m_exports(sink, *this)
  {
  }

  void read(JsonValue object, const SourceLine& where)
  {
    m_tape = object.tape();
    if (!object.is(JsonType::object)) {
      m_sink.reject(where.location(), "not a JSON object",
                    fmt::format("a JSON {} where an object was expected (expected one "
                                "usage object per line)",
                                to_string(object.type())));
      return;
    }
    m_response_started = false;
    const TopMembers top(top_names(), object);
    UsageRecord r;
    r.where = where;
    r.provider = top.text(Top::provider);
    FieldProblem problem;
    if (top.has(Top::custom_id) && top.has(Top::response)) {
      read_batch_line(top, r, problem);
      return;
    }
    if (is_codex_line(top.text(Top::type), object)) {
      read_codex(object, top, r, problem);
      return;
    }
    if (top.text(Top::type) == k_kimi_code_usage_type) {
      read_kimi_code(object, top, r, problem);
      return;
    }
    if (is_kimi_code_record(top.text(Top::type), object)) {
      skip_agent("Kimi Code", top.text(Top::type), "records");
      return;
    }
    if (const JsonValue message = top.get(Top::message)) {
      if (is_kimi_wire_message(message)) {
        read_kimi_cli(top, message, r, problem);
        return;
      }
      const MessageMembers fields(message_names(), message);
      if (top.text(Top::type) == "assistant" ||
          (fields.get(Msg::usage) && (top.has(Top::session_id) || top.has(Top::request_id)))) {
        read_claude_code(top, fields, r, problem);
        return;
      }
    }
    if (top.text(Top::type) == "message" && top.get(Top::usage)) {
      read_anthropic(UsageMembers(usage_names(), top.get(Top::usage)), r, problem);
      r.model = top.text(Top::model);
      r.request_id = top.text(Top::id);
      start_response("resp:", r.request_id);
      finish(r, problem, response_key(r) ? Count::response : Count::each);
    } else if (const JsonValue attributes = top.get(Top::attributes); attributes.is(JsonType::object)) {
      read_otel_span(object, attributes, r, problem);
    } else if (!top.has(Top::choices) && top.has_other_members() && m_exports.read(object, where)) {
      // An export row or page (LiteLLM, Langfuse, Helicone, OpenAI usage, OpenRouter): export_reader.cpp.
    } else if (read_openai(top, r, problem)) {
      finish(r, problem, response_key(r) ? Count::response : Count::each);
    } else if (!top.has(Top::session_id) && (top.get(Top::usage) || top.has_other_members()) &&
               rejected_unknown_shape(object, where)) {
      // A Claude Code line (it has a sessionId) is a known shape: a user
      // turn's tool result repeats a subagent's usage, logged on its own lines.
      return;
    } else if (top.has(Top::type)) {
      // Formatted once per run of lines of one type, not per line.
      const std::string_view type = top.text(Top::type);
      if (!m_skipped_type || type != *m_skipped_type) {
        m_skipped_type = std::string(type);
        m_skipped_type_reason = fmt::format("\"{}\" lines", type);
      }
      m_sink.skip(m_skipped_type_reason);
    } else {
      m_sink.skip(k_no_usage);
    }
  }

private:
  void emit_export(UsageRecord& r, const std::string& problem, const char* category, std::string_view id_kind) override
  {
    FieldProblem field;
    field.text = problem;
    field.category = category;
    start_response(id_kind, id_kind.empty() ? std::string_view() : r.request_id);
    finish(r, field, response_key(r) ? Count::response : Count::each);
  }

  // An object with a member that looks like token usage in a shape no
  // reader knows (LiteLLM's top-level prompt_tokens, Langfuse's
  // usageDetails) is rejected, never skipped as "no usage": skipping it
  // would leave its tokens out of the total without a word.
  [[gnu::cold]] bool rejected_unknown_shape(JsonValue object, const SourceLine& where)
  {
    std::string usage_like;
    // A null member is none ("usage": null on every chunk but the last of an
    // OpenAI stream); of repeated names, the last one counts.
    object.for_each_member([&](std::string_view name, JsonValue) {
      if (usage_like.empty() && looks_like_usage_name(name) && object[name].present()) {
        usage_like = name;
      }
    });
    if (usage_like.empty()) {
      return false;
    }
    m_sink.reject(where.location(), "unknown usage shape",
                  fmt::format("an object with \"{}\" in a shape no reader knows (it has: {}; expected an API "
                              "response with a usage object, a batch output line, a Claude Code log line or an "
                              "OpenTelemetry span)",
                              elide(usage_like, 40), member_names(object)));
    return true;
  }

  // Fingerprints a response's id as soon as it is known, and has the sink
  // fetch its place in the response set while the rest of the line is read:
  // the set is too large for the cache, and the wait was most of its cost.
  // `kind` keeps a batch line's response apart from the same id elsewhere.
  void start_response(std::string_view kind, std::string_view id)
  {
    m_response_started = !id.empty();
    if (m_response_started) {
      m_response_id = FingerprintBuilder().add(kind).add(id).done();
      m_sink.prefetch_response(m_response_id);
    }
  }

  // The same response logged twice (a stream's last chunk and a trailing
  // usage chunk, a proxy's and an SDK's copy, a file copied) is one
  // request: responses count once per id and usage. Completes m_response
  // with the usage; false when no id was started (nothing to match on).
  bool response_key(const UsageRecord& r)
  {
    if (!m_response_started) {
      return false;
    }
    FingerprintBuilder usage;
    usage.add(r.model);
    usage.add(r.counts[Counter::input])
        .add(r.counts[Counter::cached_input])
        .add(r.counts[Counter::cache_write])
        .add(r.counts[Counter::output])
        .add(r.counts[Counter::reasoning])
        .add(r.counts[Counter::web_search_calls]);
    usage.add(r.batch ? 1 : 0);
    if (r.billed) {
      const auto raw = static_cast<uint128>(r.billed->raw());
      usage.add(static_cast<std::uint64_t>(raw >> 64)).add(static_cast<std::uint64_t>(raw));
    } else {
      usage.add("unbilled");
    }
    m_response = ResponseKey(m_response_id, usage.done().high);
    return true;
  }

  // How a record is counted: every one, once per m_key (the fullest copy),
  // or once per response (m_response, from response_key).
  enum class Count { each, once, response };

  // Records the record (under its key unless Count::each), or rejects it.
  // A record without a model (Kimi CLI's) goes on only when `needs_model`
  // is false: the sink's resolver prices it as --assume-model says, or
  // rejects it with that hint.
  void finish(UsageRecord& r, FieldProblem& problem, Count count, bool needs_model = true)
  {
    if (!problem.text.empty()) {
      m_sink.reject(r.where.location(), problem.category, problem.text);
      return;
    }
    if (needs_model && r.model.empty()) {
      m_sink.reject(r.where.location(), "no model", "usage without a model (expected a \"model\" field)");
      return;
    }
    if (m_tape != nullptr && m_tape->decoded_nul()) [[unlikely]] {
      if (auto detail = nul_byte_detail(r)) {
        m_sink.reject(r.where.location(), k_nul_byte, *detail);
        return;
      }
    }
    switch (count) {
    case Count::each:
      m_sink.record(r);
      break;
    case Count::once:
      m_sink.record_once(m_key, r);
      break;
    case Count::response:
      m_sink.record_response(m_response, r);
      break;
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
    r.counts[Counter::input] = input_total - cached;
    r.counts[Counter::cached_input] = cached;
    return true;
  }

  bool read_openai(const TopMembers& body, UsageRecord& r, FieldProblem& problem)
  {
    JsonValue usage_value = body.get(Top::usage);
    if (!usage_value) {
      // Moonshot streams put the final usage inside the first choice.
      JsonValue first;
      body.get(Top::choices).for_each_element([&](JsonValue choice) {
        if (!first) {
          first = choice;
        }
      });
      usage_value = first.at({"usage"});
    }
    if (!usage_value.is(JsonType::object)) {
      return false;
    }
    const UsageMembers usage(usage_names(), usage_value);
    problem.check_shape(usage, usage.has(Use::prompt_tokens) || usage.has(Use::completion_tokens) ||
                                   usage.has(Use::input_tokens) || usage.has(Use::output_tokens));
    r.model = body.text(Top::model);
    r.request_id = body.text(Top::id);
    start_response(r.batch ? "batch:" : "resp:", r.request_id);
    r.time = time_of_json(body.get(Top::created));
    if (!r.time) {
      r.time = time_of_json(body.get(Top::created_at));
    }
    if (usage.has(Use::input_tokens) && !usage.has(Use::prompt_tokens)) {
      // Responses API.
      const std::uint64_t input = problem.count(usage.get(Use::input_tokens), "usage.input_tokens");
      const std::uint64_t cached = problem.count(usage.get(Use::input_tokens_details).at({"cached_tokens"}),
                                                 "usage.input_tokens_details.cached_tokens");
      split_cached(r, input, cached, problem);
      r.counts[Counter::output] = problem.count(usage.get(Use::output_tokens), "usage.output_tokens");
      r.counts[Counter::reasoning] = problem.count(usage.get(Use::output_tokens_details).at({"reasoning_tokens"}),
                                                   "usage.output_tokens_details.reasoning_tokens");
    } else {
      const std::uint64_t input = problem.count(usage.get(Use::prompt_tokens), "usage.prompt_tokens");
      // Moonshot may report cached tokens at the top of usage; prefer the nested field.
      const JsonValue nested_cached = usage.get(Use::prompt_tokens_details).at({"cached_tokens"});
      const std::uint64_t cached = nested_cached
                                       ? problem.count(nested_cached, "usage.prompt_tokens_details.cached_tokens")
                                       : problem.count(usage.get(Use::cached_tokens), "usage.cached_tokens");
      split_cached(r, input, cached, problem);
      r.counts[Counter::output] = problem.count(usage.get(Use::completion_tokens), "usage.completion_tokens");
      r.counts[Counter::reasoning] = problem.count(usage.get(Use::completion_tokens_details).at({"reasoning_tokens"}),
                                                   "usage.completion_tokens_details.reasoning_tokens");
    }
    if (r.counts[Counter::reasoning] > r.counts[Counter::output] && problem.text.empty()) {
      problem.text =
          fmt::format("reasoning tokens {} exceed output tokens {} (expected reasoning to be part of output)",
                      r.counts[Counter::reasoning], r.counts[Counter::output]);
    }
    r.counts[Counter::web_search_calls] = web_search_calls(body.get(Top::choices));
    if (const JsonValue cost = usage.get(Use::cost)) {
      // Kyma's billed amount, exact from its text.
      const std::string_view text = cost.is(JsonType::number) || cost.is(JsonType::string) ? cost.text() : cost.raw();
      r.billed = parse_billed_amount(text, r.billed_places);
      if (!r.billed && problem.text.empty()) {
        std::string why;
        Decimal::parse_scientific(text, &why);
        problem.text = fmt::format("field usage.cost: {} is not an amount: {} (expected a decimal)",
                                   elide(std::string(text), 80), why);
      }
    }
    return true;
  }

  void read_anthropic(const UsageMembers& usage, UsageRecord& r, FieldProblem& problem)
  {
    // Anthropic: input_tokens excludes cache reads and writes.
    problem.check_shape(usage, usage.has(Use::input_tokens) || usage.has(Use::output_tokens));
    const std::uint64_t fresh = problem.count(usage.get(Use::input_tokens), "usage.input_tokens");
    r.counts[Counter::cache_write] =
        problem.count(usage.get(Use::cache_creation_input_tokens), "usage.cache_creation_input_tokens");
    r.counts[Counter::cached_input] =
        problem.count(usage.get(Use::cache_read_input_tokens), "usage.cache_read_input_tokens");
    r.counts[Counter::input] = fresh + r.counts[Counter::cache_write];
    r.counts[Counter::output] = problem.count(usage.get(Use::output_tokens), "usage.output_tokens");
  }

  void read_batch_line(const TopMembers& top, UsageRecord& r, FieldProblem& problem)
  {
    r.batch = true;
    r.request_id = top.text(Top::custom_id);
    const JsonValue response = top.get(Top::response);
    const JsonValue status = response.at({"status_code"});
    const JsonValue body = response.at({"body"});
    const bool ok = status.is(JsonType::number) && status.text() == "200" && !top.get(Top::error);
    if (!ok || !body || !read_openai(TopMembers(top_names(), body), r, problem)) {
      m_sink.reject(r.where.location(), "failed batch request",
                    fmt::format("batch request {} failed (status {}) and carries no usage; it is not billed",
                                r.request_id, status ? status.raw() : "missing"));
      return;
    }
    const bool keyed = response_key(r); // started on the body's id by read_openai
    r.request_id = top.text(Top::custom_id);
    finish(r, problem, keyed ? Count::response : Count::each);
  }

  void read_claude_code(const TopMembers& top, const MessageMembers& message, UsageRecord& r, FieldProblem& problem)
  {
    const JsonValue usage = message.get(Msg::usage);
    r.model = message.text(Msg::model);
    if (!usage || r.model == "<synthetic>") {
      m_sink.skip(k_synthetic);
      return;
    }
    read_anthropic(UsageMembers(usage_names(), usage), r, problem);
    r.request_id = top.text(Top::request_id);
    r.session = top.text(Top::session_id);
    r.time = time_of_json(top.get(Top::timestamp));
    const std::string_view message_id = message.text(Msg::id);
    m_key.clear();
    if (!message_id.empty() && !r.request_id.empty()) {
      m_key.append("cc:").append(message_id).append(":").append(r.request_id);
    }
    finish(r, problem, m_key.empty() ? Count::each : Count::once);
  }

  // The first of an attribute's names that is present (the current name,
  // then the ones semantic conventions renamed), and that name.
  static std::pair<JsonValue, const char*> otel_attribute(JsonValue attributes,
                                                          std::initializer_list<const char*> names)
  {
    for (const char* name : names) {
      if (const JsonValue value = attributes[name]; value.present()) {
        return {value, name};
      }
    }
    return {JsonValue(), *names.begin()};
  }

  void read_otel_span(JsonValue object, JsonValue attributes, UsageRecord& r, FieldProblem& problem)
  {
    // Older GenAI conventions (and exporters built on them: OpenLLMetry,
    // Sentry) name usage gen_ai.usage.prompt_tokens / completion_tokens.
    const auto [input, input_name] =
        otel_attribute(attributes, {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"});
    const auto [output, output_name] =
        otel_attribute(attributes, {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"});
    if (!input && !output) {
      // Usage under names no convention gives is not "no usage".
      std::string usage_names;
      attributes.for_each_member([&](std::string_view name, JsonValue value) {
        if (name.starts_with("gen_ai.usage.") && value.present()) {
          usage_names += (usage_names.empty() ? "" : ", ") + std::string(name);
        }
      });
      if (!usage_names.empty()) {
        m_sink.reject(r.where.location(), "unknown usage shape",
                      fmt::format("an OpenTelemetry span with usage attributes the readers do not know: {} "
                                  "(expected gen_ai.usage.input_tokens and gen_ai.usage.output_tokens)",
                                  elide(usage_names, 200)));
        return;
      }
      m_sink.skip(k_otel_without_usage);
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
    const std::uint64_t input_total = problem.count(input, input_name);
    const auto [cached_value, cached_name] =
        otel_attribute(attributes, {"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                                    "gen_ai.usage.input_tokens.cached"});
    const std::uint64_t cached = problem.count(cached_value, cached_name);
    split_cached(r, input_total, cached, problem);
    r.counts[Counter::output] = problem.count(output, output_name);
    r.request_id = text_at(attributes, {"gen_ai.response.id"});
    r.time = time_of_json(object.at({"start_time"}));
    const std::string_view span_id = text_at(object, {"context", "span_id"});
    m_key.clear();
    if (!span_id.empty()) {
      m_key.append("otel:").append(span_id);
    }
    finish(r, problem, m_key.empty() ? Count::each : Count::once);
  }

  // Kimi CLI wire.jsonl: usage in StatusUpdate payloads and no model id. A
  // response copied by /undo or /fork, or a subagent's logged in its parent's
  // log and its own, counts once by its message_id (the provider's id).
  void read_kimi_cli(const TopMembers& top, JsonValue message, UsageRecord& r, FieldProblem& problem)
  {
    const KimiWireEvent event = kimi_wire_event(message);
    const JsonValue usage = event.type == "StatusUpdate" ? event.payload["token_usage"] : JsonValue();
    if (!usage.present()) {
      if (event.type == "StatusUpdate") {
        m_sink.skip(k_kimi_status_without_usage);
        return;
      }
      skip_agent("Kimi CLI", event.type, "messages");
      return;
    }
    r.time = kimi_wire_time(top.get(Top::timestamp));
    read_kimi_usage(usage, k_kimi_cli_token_fields, k_kimi_cli_field_names, r, problem);
    r.request_id = text_at(event.payload, {"message_id"});
    start_response("kimi:", r.request_id);
    finish(r, problem, response_key(r) ? Count::response : Count::each, false);
  }

  // Codex CLI rollout lines. Codex writes a token_count again with the same
  // running total (rate-limit refreshes), and a fork or a spawned subagent
  // replays its parent's token_count lines: a model call is its running
  // total after it, and the session's first (running total = this call)
  // is its origin session's.
  void read_codex(JsonValue object, const TopMembers& top, UsageRecord& r, FieldProblem& problem)
  {
    const std::string_view type = top.text(Top::type);
    const JsonValue payload = object["payload"];
    const std::string_view event = type == "event_msg" ? text_at(payload, {"type"}) : std::string_view();
    if (event != "token_count") {
      note_codex_context(type, payload, *m_codex);
      skip_agent("Codex", event.empty() ? type : event, event.empty() ? "lines" : "events");
      return;
    }
    const JsonValue info = payload["info"];
    if (!info.present()) {
      m_sink.skip(k_codex_without_usage);
      return;
    }
    const JsonValue last = info["last_token_usage"];
    const JsonValue total = info["total_token_usage"];
    std::array<std::uint64_t, 4> last_counts{};
    std::array<std::uint64_t, 4> total_counts{};
    read_codex_usage(last, "info.last_token_usage", last_counts, problem);
    read_codex_usage(total, "info.total_token_usage", total_counts, problem);
    r.model = m_codex->model;
    r.session = m_codex->session;
    r.time = time_of_json(top.get(Top::timestamp));
    // input_tokens include the cached ones, output_tokens the reasoning ones.
    split_cached(r, last_counts[0], last_counts[1], problem);
    r.counts[Counter::output] = last_counts[2];
    r.counts[Counter::reasoning] = last_counts[3];
    if (r.counts[Counter::reasoning] > r.counts[Counter::output] && problem.text.empty()) {
      problem.text = fmt::format("reasoning_output_tokens {} exceed output_tokens {} (expected reasoning to be "
                                 "part of output)",
                                 r.counts[Counter::reasoning], r.counts[Counter::output]);
    }
    m_key = fmt::format("{}:{}:{}:{}:{}", last_counts == total_counts ? m_codex->origin : "", total_counts[0],
                        total_counts[1], total_counts[2], total_counts[3]);
    start_response("codex:", m_key);
    finish(r, problem, response_key(r) ? Count::response : Count::each, false);
  }

  // A TokenUsage object: its four counts (total_tokens is their sum, not read).
  void read_codex_usage(JsonValue usage, std::string_view name, std::array<std::uint64_t, 4>& counts,
                        FieldProblem& problem)
  {
    if (!problem.text.empty()) {
      return;
    }
    const std::string unknown = usage.is(JsonType::object) ? codex_unknown_usage_members(usage) : "";
    if (!usage.is(JsonType::object) || !usage["input_tokens"] || !usage["output_tokens"] || !unknown.empty()) {
      problem.category = "unknown usage shape";
      problem.text = fmt::format("Codex token_count {} {} (expected {})", name,
                                 !unknown.empty()  ? "with fields the readers do not know: " + unknown
                                 : usage.present() ? "without token counts: " + elide(std::string(usage.raw()), 80)
                                                   : std::string("missing"),
                                 fmt::join(k_codex_token_fields, ", "));
      return;
    }
    const std::string prefix(name);
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const std::string field = prefix + "." + std::string(k_codex_token_fields[i]);
      counts[i] = problem.count(usage[k_codex_token_fields[i]], field.c_str());
    }
  }

  // Skips an agent's line without usage ("Kimi CLI \"StepBegin\" messages"),
  // the reason formatted once per run of lines of one type.
  void skip_agent(std::string_view tool, std::string_view type, std::string_view lines)
  {
    if (type != m_agent_skipped_type || !m_agent_skipped_reason.starts_with(tool)) {
      m_agent_skipped_type = std::string(type);
      m_agent_skipped_reason = fmt::format("{} \"{}\" {}", tool, type, lines);
    }
    m_sink.skip(m_agent_skipped_reason);
  }

  // Kimi Code usage.record lines: "turn" and "session" (compaction and other
  // calls outside a turn) are both model calls, not running totals. Records
  // carry no id and a fork copies them: one is its time, scope, model and usage.
  void read_kimi_code(JsonValue object, const TopMembers& top, UsageRecord& r, FieldProblem& problem)
  {
    r.model = top.text(Top::model);
    const JsonValue time = object["time"];
    r.time = time_of_json(time);
    const std::string_view scope = text_at(object, {"usageScope"});
    // Wires written before scopes had none (the recorder's default is "session").
    if (!scope.empty() && scope != "turn" && scope != "session" && problem.text.empty()) {
      problem.category = "unknown usage shape";
      problem.text = fmt::format("usage.record with usageScope {} (expected \"turn\", \"session\" or none)",
                                 elide(std::string(object["usageScope"] ? object["usageScope"].raw() : "missing"), 40));
    }
    read_kimi_usage(top.get(Top::usage), k_kimi_code_token_fields, k_kimi_code_field_names, r, problem);
    m_key.assign(time ? time.raw() : "").append(":").append(scope);
    start_response("kimi-code:", time ? std::string_view(m_key) : std::string_view());
    finish(r, problem, response_key(r) ? Count::response : Count::each);
  }

  // Kimi's TokenUsage: input_other excludes cache reads and writes (as
  // Anthropic's input_tokens); fields in k_kimi_*_token_fields' order.
  static constexpr std::array<const char*, 4> k_kimi_cli_field_names = {"token_usage.input_other", "token_usage.output",
                                                                        "token_usage.input_cache_read",
                                                                        "token_usage.input_cache_creation"};
  static constexpr std::array<const char*, 4> k_kimi_code_field_names = {
      "usage.inputOther", "usage.output", "usage.inputCacheRead", "usage.inputCacheCreation"};
  void read_kimi_usage(JsonValue usage, const std::array<std::string_view, 4>& fields,
                       const std::array<const char*, 4>& names, UsageRecord& r, FieldProblem& problem)
  {
    if (!problem.text.empty()) {
      return;
    }
    const std::string unknown = usage.is(JsonType::object) ? kimi_unknown_usage_members(usage, fields) : "";
    if (!usage.is(JsonType::object) || (!usage[fields[0]] && !usage[fields[1]]) || !unknown.empty()) {
      problem.category = "unknown usage shape";
      problem.text = fmt::format("Kimi usage {} (expected {})",
                                 !unknown.empty() ? "with fields the readers do not know: " + unknown
                                                  : "without token counts: " + elide(std::string(usage.raw()), 80),
                                 fmt::join(fields, ", "));
      return;
    }
    const std::uint64_t fresh = problem.count(usage[fields[0]], names[0]);
    r.counts[Counter::output] = problem.count(usage[fields[1]], names[1]);
    r.counts[Counter::cached_input] = problem.count(usage[fields[2]], names[2]);
    r.counts[Counter::cache_write] = problem.count(usage[fields[3]], names[3]);
    r.counts[Counter::input] = fresh + r.counts[Counter::cache_write];
  }

  // Skip reasons, made once rather than per line.
  const std::string k_no_usage = "objects without usage (e.g. stream chunks)";
  const std::string k_synthetic = "Claude Code lines without usage (synthetic messages)";
  // Logs before late 2025 have status updates with no token counts.
  const std::string k_kimi_status_without_usage = "Kimi CLI status updates without token counts";
  // Codex writes token_count events with "info": null (rate limits only).
  const std::string k_codex_without_usage = "Codex token_count events without usage (rate-limit updates)";
  const std::string k_otel_without_usage = "OpenTelemetry spans without usage (unfinished or not a model call)";

  RecordSink& m_sink;
  CodexContext m_own_codex; // a rollout's context when the caller keeps none across reads
  CodexContext* m_codex;
  const JsonTape* m_tape = nullptr; // the object's, being read
  std::string m_key;                // the de-duplication key of the record being read (Count::once)
  bool m_response_started = false;  // m_response_id is this line's (see start_response)
  Fingerprint m_response_id;
  ResponseKey m_response; // its key as a response (Count::response)
  std::optional<std::string> m_skipped_type;
  std::string m_skipped_type_reason;
  std::string m_agent_skipped_type; // the last agent line type skipped, and its reason
  std::string m_agent_skipped_reason;
  ExportShapes m_exports; // asked before read_openai (see read)
};

} // namespace detail

TraceReader::TraceReader(RecordSink& sink, std::optional<TraceSource> source, CodexContext* codex)
  : m_shapes(std::make_unique<detail::TraceShapes>(sink, codex))
  , m_sink(sink)
  , m_source(source)
{
}

TraceReader::~TraceReader() = default;

void TraceReader::read(JsonValue object, const SourceLine& where)
{
  if (m_source && !is_line_of(*m_source, object)) [[unlikely]] {
    m_sink.reject(where.location(), "not the --source format",
                  fmt::format("not a line of a {} (it has: {}; expected only that tool's lines with --source {}, "
                              "or leave --source out to read each line by its shape)",
                              describe(*m_source), object.is(JsonType::object) ? member_names(object) : "no members",
                              to_string(*m_source)));
    return;
  }
  m_shapes->read(object, where);
}

} // namespace llmcost
