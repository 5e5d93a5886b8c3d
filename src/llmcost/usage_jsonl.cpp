#include "llmcost/usage_jsonl.hpp"
#include "llmcost/timestamp.hpp"

#include "llmcost/error.hpp"
#include "llmcost/json_scan.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>

namespace llmcost {

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
    m_by_line = by_line ? *by_line : is_json_lines(m_text.substr(m_pos));
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
      bool closed_at_end = false;
      walk_brackets(line, [&](std::size_t offset, int depth) {
        closed_at_end = depth == 0 && offset + 1 == line.size();
        return depth != 0;
      });
      if (closed_at_end) {
        return true;
      }
    }
    return false;
  }

  bool next(Span& span) { return m_by_line ? next_by_line(span) : next_by_depth(span); }
  // The line the next value would start on: every newline passed is counted.
  std::size_t line() const { return m_line; }

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
          if (m_pos < m_text.size() && m_text[m_pos] == '\n') {
            ++m_line; // invalid JSON, but the lines after it keep their numbers
          }
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

std::string_view text_at(JsonValue object, std::initializer_list<std::string_view> path)
{
  const JsonValue node = object.at(path);
  return node.is(JsonType::string) ? node.text() : std::string_view();
}

// One row of a reader's member table: an enum member and its JSON name.
template <typename Name> struct MemberName
{
  Name member;
  std::string_view name;
};

// The table's static check: row i names member i, every member of `Name`
// (up to its count_) has a row, and no name is empty. Members<Name> indexes
// its found members by the enum, so a row out of order would read the wrong
// member.
template <typename Name, std::size_t N> constexpr bool in_enum_order(const std::array<MemberName<Name>, N>& names)
{
  if (N != static_cast<std::size_t>(Name::count_)) {
    return false;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(names[i].member) != i || names[i].name.empty()) {
      return false;
    }
  }
  return true;
}

// The members a reader asks an object for, found in one pass over its
// members: a trace line asks for some twenty names, and scanning the members
// once per name was a fifth of the reading time. Names compare unescaped and
// the last of repeated names wins, as with JsonValue::operator[].
class MemberNames
{
public:
  static constexpr std::size_t k_max_names = 24;
  // Tape indices of the members found; 0 (the root, never a member) for none.
  // Indices, not JsonValues: clearing them per object is a third of the stores.
  using Found = std::array<std::uint32_t, k_max_names>;

  // From a table that passed in_enum_order: names[i] names member i.
  template <typename Name, std::size_t N> explicit MemberNames(const std::array<MemberName<Name>, N>& names)
  {
    static_assert(N <= k_max_names);
    m_slots.fill(-1);
    for (std::size_t i = 0; i < N; ++i) {
      std::size_t s = slot(names[i].name);
      while (m_slots[s] >= 0) {
        s = (s + 1) % k_slots;
      }
      m_slots[s] = static_cast<std::int8_t>(i);
      m_names[i] = names[i].name;
    }
    m_count = N;
  }

  // The index of `name`, or -1.
  int find(std::string_view name) const
  {
    if (name.empty()) {
      return -1;
    }
    for (std::size_t s = slot(name);; s = (s + 1) % k_slots) {
      const int i = m_slots[s];
      if (i < 0 || same_text(m_names[static_cast<std::size_t>(i)], name)) {
        return i;
      }
    }
  }

  // Fills `found[i]` with the member named names[i] (none when absent);
  // true when some member has a name not among them.
  bool collect(JsonValue object, Found& found) const
  {
    std::fill_n(found.begin(), m_count, 0U);
    bool other = false;
    object.for_each_member([&](std::string_view name, JsonValue value) {
      const int i = find(name);
      if (i >= 0) {
        found[static_cast<std::size_t>(i)] = value.index();
      } else {
        other = true;
      }
    });
    return other;
  }

private:
  static constexpr std::size_t k_slots = 64;
  static std::size_t slot(std::string_view name)
  {
    return (name.size() * 7 + static_cast<unsigned char>(name.front()) * 3 + static_cast<unsigned char>(name.back())) %
           k_slots;
  }

  std::array<std::int8_t, k_slots> m_slots{};
  std::array<std::string_view, k_max_names> m_names{};
  std::size_t m_count = 0;
};

// The members of an object read by name, in one pass (see MemberNames).
template <typename Name> class Members
{
public:
  Members(const MemberNames& names, JsonValue object)
    : m_tape(object.tape())
    , m_object(object)
  {
    m_other = names.collect(object, m_found);
  }

  // The object itself, and whether it has members not asked for.
  JsonValue object() const { return m_object; }
  bool has_other_members() const { return m_other; }

  // As object.contains(name): present, even when null.
  bool has(Name name) const { return m_found[static_cast<std::size_t>(name)] != 0; }
  // As object.at({name}): none when missing or null.
  JsonValue get(Name name) const
  {
    const JsonValue value = found(name);
    return value.present() ? value : JsonValue();
  }
  // As text_at(object, {name}).
  std::string_view text(Name name) const
  {
    const JsonValue value = found(name);
    return value.is(JsonType::string) ? value.text() : std::string_view();
  }

private:
  JsonValue found(Name name) const
  {
    const std::uint32_t index = m_found[static_cast<std::size_t>(name)];
    return index == 0 ? JsonValue() : JsonValue(m_tape, index);
  }

  const JsonTape* m_tape;
  JsonValue m_object;
  bool m_other = false;
  MemberNames::Found m_found;
};

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

// True when `name` holds `word` (lower case), in any case; without lowering a
// copy: this runs on every member of lines that carry no usage.
bool has_word(std::string_view name, std::string_view word)
{
  for (std::size_t i = 0; i + word.size() <= name.size(); ++i) {
    std::size_t k = 0;
    while (k < word.size() && (name[i + k] | 0x20) == word[k]) {
      ++k;
    }
    if (k == word.size()) {
      return true;
    }
  }
  return false;
}

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
    if (parsed && parsed->is_integer() && !parsed->is_negative() && parsed->whole() <= INT64_MAX) {
      return static_cast<std::uint64_t>(parsed->whole());
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

class TraceReader
{
public:
  explicit TraceReader(RecordSink& sink)
    : m_sink(sink)
  {
  }

  void read(JsonValue object, const SourceLine& where)
  {
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
    if (const JsonValue message = top.get(Top::message)) {
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
  void finish(UsageRecord& r, FieldProblem& problem, Count count)
  {
    if (!problem.text.empty()) {
      m_sink.reject(r.where.location(), problem.category, problem.text);
      return;
    }
    if (r.model.empty()) {
      m_sink.reject(r.where.location(), "no model", "usage without a model (expected a \"model\" field)");
      return;
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

  // Skip reasons, made once rather than per line.
  const std::string k_no_usage = "objects without usage (e.g. stream chunks)";
  const std::string k_synthetic = "Claude Code lines without usage (synthetic messages)";
  const std::string k_otel_without_usage = "OpenTelemetry spans without usage (unfinished or not a model call)";

  RecordSink& m_sink;
  std::string m_key;               // the de-duplication key of the record being read (Count::once)
  bool m_response_started = false; // m_response_id is this line's (see start_response)
  Fingerprint m_response_id;
  ResponseKey m_response; // its key as a response (Count::response)
  std::optional<std::string> m_skipped_type;
  std::string m_skipped_type_reason;
};

} // namespace

bool looks_like_usage_name(std::string_view name)
{
  return has_word(name, "usage") || has_word(name, "token");
}

JsonInputSummary summarise_json_start(std::string_view start)
{
  JsonInputSummary summary;
  ValueSplitter splitter(start, 1, std::nullopt, true);
  JsonTape tape;
  JsonSyntaxError error;
  Span span;
  // Depth-first over every member, for a usage-like name anywhere.
  std::function<void(JsonValue)> visit = [&](JsonValue value) {
    if (value.is(JsonType::object)) {
      value.for_each_member([&](std::string_view name, JsonValue member) {
        // A "usage" member tells more than a "max_tokens" setting.
        if (looks_like_usage_name(name) &&
            (summary.usage_like.empty() || (!has_word(summary.usage_like, "usage") && has_word(name, "usage")))) {
          summary.usage_like = name;
        }
        visit(member);
      });
    } else if (value.is(JsonType::array)) {
      value.for_each_element(visit);
    }
  };
  while (summary.objects < 64 && splitter.next(span)) {
    if (!tape.parse(start.substr(span.begin, span.end - span.begin), error)) {
      continue; // a value cut at the end of the start, or a broken line (reported by the reader)
    }
    const JsonValue root = tape.root();
    ++summary.objects;
    visit(root);
    const auto note_keys = [&](JsonValue object) {
      object.for_each_member([&](std::string_view name, JsonValue member) {
        if (summary.keys.size() < 16 &&
            std::find(summary.keys.begin(), summary.keys.end(), name) == summary.keys.end()) {
          summary.keys.emplace_back(elide(std::string(name), 40));
        }
        if ((name == "type" || name == "object") && member.is(JsonType::string) && summary.top_types.size() < 8 &&
            std::find(summary.top_types.begin(), summary.top_types.end(), member.text()) == summary.top_types.end()) {
          summary.top_types.emplace_back(elide(std::string(member.text()), 40));
        }
      });
    };
    if (root.is(JsonType::object)) {
      note_keys(root);
    } else if (root.is(JsonType::array)) {
      root.for_each_element([&](JsonValue element) {
        if (element.is(JsonType::object)) {
          note_keys(element);
        }
      });
    }
  }
  return summary;
}

namespace {

// An input without its UTF-8 byte order mark.
std::string_view without_bom(std::string_view text)
{
  return text.substr(text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
}

// Where the first JSON value of `text` starts: after blanks.
std::size_t first_value(std::string_view text, std::size_t from = 0)
{
  return std::min(text.find_first_not_of(" \t\r\n", from), text.size());
}

} // namespace

bool looks_like_json_objects(std::string_view text)
{
  text = without_bom(text);
  std::size_t i = first_value(text);
  if (i < text.size() && text[i] == '[') {
    // A JSON array of objects (LiteLLM's /spend/logs, a saved list of responses).
    i = first_value(text, i + 1);
  }
  return i < text.size() && text[i] == '{';
}

bool is_json_lines(std::string_view start)
{
  start = without_bom(start);
  const std::size_t first = first_value(start);
  // A file that is one array (of objects, a line each) is one value.
  if (first < start.size() && start[first] == '[') {
    return false;
  }
  return ValueSplitter::any_line_is_one_object(start);
}

namespace {

// An array whose first element is an object: a list of records. Any other
// array is one value where an object was expected.
bool is_array_of_objects(JsonValue value)
{
  bool first_is_object = false;
  bool first = true;
  value.for_each_element([&](JsonValue element) {
    if (first) {
      first_is_object = element.is(JsonType::object);
      first = false;
    }
  });
  return value.is(JsonType::array) && first_is_object;
}

} // namespace

std::size_t read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink, std::size_t first_line,
                             std::optional<bool> by_line, bool start_of_file)
{
  ValueSplitter splitter(text, first_line, by_line, start_of_file);
  TraceReader reader(sink);
  JsonTape tape;
  JsonSyntaxError error;
  Span span;
  while (splitter.next(span)) {
    const std::string_view value = text.substr(span.begin, span.end - span.begin);
    if (!tape.parse(value, error)) {
      // Line and column of the problem within the file.
      const std::string_view before = value.substr(0, std::min(error.offset, value.size()));
      const std::size_t newlines = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
      const std::size_t line_start = newlines == 0 ? 0 : before.rfind('\n') + 1;
      sink.reject(Location{file, span.line + newlines, before.size() - line_start + 1}, "invalid JSON",
                  "invalid JSON: " + error.problem);
      continue;
    }
    const JsonValue root = tape.root();
    if (is_array_of_objects(root)) {
      // Each element is a record, on the line where it starts.
      std::size_t line = span.line;
      const char* counted = value.data();
      root.for_each_element([&](JsonValue element) {
        const char* start = element.raw().data();
        line += static_cast<std::size_t>(std::count(counted, start, '\n'));
        counted = start;
        reader.read(element, SourceLine{file, line});
      });
      continue;
    }
    reader.read(root, SourceLine{file, span.line});
  }
  return splitter.line() - first_line;
}

} // namespace llmcost
