#include "llmcost/export_reader.hpp"

#include "llmcost/decimal.hpp"
#include "llmcost/json_members.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace llmcost {

namespace {

// What the export shapes ask of an object: the members that tell them
// apart, and those of the rows read at the top level.
enum class Ex : std::uint8_t {
  request_id,
  spend,
  prompt_tokens,
  completion_tokens,
  start_time,
  model,
  custom_llm_provider,
  metadata,
  trace_id,
  type,
  usage,
  usage_details,
  prompt_tokens_camel,
  completion_tokens_camel,
  calculated_total_cost,
  id,
  data,
  meta,
  object,
  request_created_at,
  prompt_cache_read_tokens,
  prompt_cache_write_tokens,
  cost_usd,
  native_tokens_prompt,
  count_
};
constexpr auto k_export_names = std::to_array<MemberName<Ex>>({
    {Ex::request_id, "request_id"},
    {Ex::spend, "spend"},
    {Ex::prompt_tokens, "prompt_tokens"},
    {Ex::completion_tokens, "completion_tokens"},
    {Ex::start_time, "startTime"},
    {Ex::model, "model"},
    {Ex::custom_llm_provider, "custom_llm_provider"},
    {Ex::metadata, "metadata"},
    {Ex::trace_id, "traceId"},
    {Ex::type, "type"},
    {Ex::usage, "usage"},
    {Ex::usage_details, "usageDetails"},
    {Ex::prompt_tokens_camel, "promptTokens"},
    {Ex::completion_tokens_camel, "completionTokens"},
    {Ex::calculated_total_cost, "calculatedTotalCost"},
    {Ex::id, "id"},
    {Ex::data, "data"},
    {Ex::meta, "meta"},
    {Ex::object, "object"},
    {Ex::request_created_at, "request_created_at"},
    {Ex::prompt_cache_read_tokens, "prompt_cache_read_tokens"},
    {Ex::prompt_cache_write_tokens, "prompt_cache_write_tokens"},
    {Ex::cost_usd, "costUSD"},
    {Ex::native_tokens_prompt, "native_tokens_prompt"},
});
static_assert(in_enum_order(k_export_names));
const MemberNames& export_names()
{
  static const MemberNames names(k_export_names);
  return names;
}
using ExportMembers = Members<Ex>;

// A Langfuse observation: its trace id and type (GENERATION, SPAN, ...).
bool is_langfuse_observation(const ExportMembers& m)
{
  return m.has(Ex::trace_id) && m.get(Ex::type).is(JsonType::string) && m.has(Ex::start_time);
}

// The first element of an array, or none.
JsonValue first_element(JsonValue array)
{
  JsonValue first;
  array.for_each_element([&](JsonValue element) {
    if (!first) {
      first = element;
    }
  });
  return first;
}

// The lines values of a document start on, asked in document order: the
// newlines are counted once, from the last value asked for (a page holds
// thousands of results; counting from its start each time was quadratic).
class LineCounter
{
public:
  LineCounter(JsonValue document, std::size_t line)
    : m_counted(document.raw().data())
    , m_line(line)
  {
  }
  std::size_t at(JsonValue value)
  {
    const char* start = value.raw().data();
    m_line += static_cast<std::size_t>(std::count(m_counted, start, '\n'));
    m_counted = start;
    return m_line;
  }

private:
  const char* m_counted;
  std::size_t m_line;
};

// The keys of Langfuse's usageDetails (and its older usage object) that are
// read: the buckets are disjoint (input excludes cache reads and writes).
enum class LangfuseKey { input, output, total, unit, cached, cache_write, reasoning, other };
LangfuseKey langfuse_key(std::string_view name)
{
  if (name == "input") {
    return LangfuseKey::input;
  }
  if (name == "output") {
    return LangfuseKey::output;
  }
  if (name == "total") {
    return LangfuseKey::total;
  }
  if (name == "unit") {
    return LangfuseKey::unit;
  }
  // input_cached_tokens: OpenAI-shaped usage; cache_read_input_tokens /
  // cache_creation_input_tokens: Anthropic-shaped; input_cache_read,
  // input_cache_creation, output_reasoning: Langfuse's LangChain handler,
  // which takes each detail out of input or output.
  if (name == "input_cached_tokens" || name == "cache_read_input_tokens" || name == "input_cache_read") {
    return LangfuseKey::cached;
  }
  if (name == "cache_creation_input_tokens" || name == "input_cache_creation") {
    return LangfuseKey::cache_write;
  }
  if (name == "output_reasoning") {
    return LangfuseKey::reasoning;
  }
  return LangfuseKey::other;
}

} // namespace

bool ExportShapes::read(JsonValue object, const SourceLine& where)
{
  const ExportMembers m(export_names(), object);
  if (is_langfuse_observation(m)) {
    read_langfuse(object, where);
    return true;
  }
  const JsonValue data = m.get(Ex::data);
  if (data.is(JsonType::array)) {
    const JsonValue first = first_element(data);
    if (m.has(Ex::meta) && first.is(JsonType::object) &&
        is_langfuse_observation(ExportMembers(export_names(), first))) {
      // A Langfuse page: each element an observation, on its own line.
      LineCounter lines(object, where.line);
      data.for_each_element([&](JsonValue element) {
        const SourceLine line{where.file, lines.at(element)};
        if (element.is(JsonType::object) && is_langfuse_observation(ExportMembers(export_names(), element))) {
          read_langfuse(element, line);
        } else {
          m_sink.reject(line.location(), "unknown usage shape",
                        "an element of a Langfuse page that is not an observation (expected traceId, type and "
                        "startTime)");
        }
      });
      return true;
    }
    if (m.text(Ex::object) == "page" && (!first || text_at(first, {"object"}) == "bucket")) {
      read_openai_usage_page(object, where);
      return true;
    }
    return false;
  }
  if (data.is(JsonType::object) && (data.contains("native_tokens_prompt") || data.contains("tokens_prompt"))) {
    read_openrouter_generation(data, where);
    return true;
  }
  if (m.has(Ex::native_tokens_prompt)) {
    read_openrouter_generation(object, where); // the generation without its {"data": ...} wrapper
    return true;
  }
  const bool tokens = m.has(Ex::prompt_tokens) || m.has(Ex::completion_tokens);
  UsageRecord r;
  r.where = where;
  m_problem.clear();
  m_category = "bad field";
  if (tokens && m.has(Ex::request_id) && m.has(Ex::spend)) {
    // LiteLLM spend-log row (LiteLLM_SpendLogs): prompt_tokens include cache
    // reads, which only metadata.usage_object (the provider's usage) says.
    JsonValue metadata = m.get(Ex::metadata);
    std::optional<JsonTape> metadata_tape;
    if (metadata.is(JsonType::string)) [[unlikely]] {
      // Some exports write the metadata as JSON text: read the object it holds
      // (first: unescaping it may move the strings read before).
      JsonSyntaxError error;
      const std::string_view text = trim(metadata.text());
      metadata = !text.empty() && text.front() == '{' && metadata_tape.emplace().parse(text, error)
                     ? metadata_tape->root()
                     : JsonValue();
    }
    const JsonValue usage_object = metadata.at({"usage_object"});
    r.model = m.text(Ex::model);
    r.provider = m.text(Ex::custom_llm_provider);
    r.request_id = m.text(Ex::request_id);
    r.time = json_time(m.get(Ex::start_time));
    const std::uint64_t input = json_count(m.get(Ex::prompt_tokens), "prompt_tokens", m_problem);
    JsonValue cached = usage_object.at({"prompt_tokens_details", "cached_tokens"});
    const char* cached_name = "metadata.usage_object.prompt_tokens_details.cached_tokens";
    if (!cached) {
      cached = usage_object.at({"cache_read_input_tokens"});
      cached_name = "metadata.usage_object.cache_read_input_tokens";
    }
    split_cached(r, input, json_count(cached, cached_name, m_problem));
    r.counts[Counter::output] = json_count(m.get(Ex::completion_tokens), "completion_tokens", m_problem);
    read_billed(r, m.get(Ex::spend), "spend");
    emit(r, "litellm:");
    return true;
  }
  if (tokens && m.has(Ex::request_created_at)) {
    // Helicone request row (HeliconeRequest): prompt_tokens include cache
    // reads (prompt_cache_read_tokens) and writes.
    r.model = m.text(Ex::model);
    r.request_id = m.text(Ex::request_id);
    r.time = json_time(m.get(Ex::request_created_at));
    const std::uint64_t input = json_count(m.get(Ex::prompt_tokens), "prompt_tokens", m_problem);
    split_cached(r, input, json_count(m.get(Ex::prompt_cache_read_tokens), "prompt_cache_read_tokens", m_problem));
    r.counts[Counter::cache_write] =
        json_count(m.get(Ex::prompt_cache_write_tokens), "prompt_cache_write_tokens", m_problem);
    r.counts[Counter::output] = json_count(m.get(Ex::completion_tokens), "completion_tokens", m_problem);
    read_billed(r, m.get(Ex::cost_usd), "costUSD");
    emit(r, "helicone:");
    return true;
  }
  return false;
}

void ExportShapes::split_cached(UsageRecord& r, std::uint64_t input_total, std::uint64_t cached)
{
  if (cached > input_total && m_problem.empty()) {
    m_problem = fmt::format("cached tokens {} exceed input tokens {} (expected cached to be part of input)", cached,
                            input_total);
    return;
  }
  r.counts[Counter::input] = input_total - cached;
  r.counts[Counter::cached_input] = cached;
}

void ExportShapes::read_billed(UsageRecord& r, JsonValue amount, const char* name)
{
  if (!amount) {
    return; // null: the tool did not price it
  }
  const std::string_view text =
      amount.is(JsonType::number) || amount.is(JsonType::string) ? amount.text() : amount.raw();
  r.billed = parse_billed_amount(text, r.billed_places);
  if (!r.billed && m_problem.empty()) {
    std::string why;
    Decimal::parse_scientific(text, &why);
    m_problem =
        fmt::format("field {}: {} is not an amount: {} (expected a decimal)", name, elide(std::string(text), 80), why);
  }
}

void ExportShapes::emit(UsageRecord& r, std::string_view id_kind)
{
  m_emitter.emit_export(r, m_problem, m_category, r.request_id.empty() ? std::string_view() : id_kind);
}

void ExportShapes::read_langfuse(JsonValue object, const SourceLine& where)
{
  const ExportMembers m(export_names(), object);
  const std::string_view type = m.text(Ex::type);
  if (type != "GENERATION") {
    // Spans, events, tools, agents: their model calls are their GENERATION children.
    if (type != m_skipped_type || m_skipped_reason.empty()) {
      m_skipped_type = std::string(type);
      m_skipped_reason = fmt::format("Langfuse {} observations (only GENERATION observations are model calls)",
                                     elide(std::string(type), 40));
    }
    m_sink.skip(m_skipped_reason);
    return;
  }
  UsageRecord r;
  r.where = where;
  m_problem.clear();
  m_category = "bad field";
  r.model = m.text(Ex::model);
  r.request_id = m.text(Ex::id);
  r.time = json_time(m.get(Ex::start_time));
  JsonValue usage = m.get(Ex::usage_details);
  const char* usage_name = "usageDetails";
  if (!usage.is(JsonType::object) || usage.size() == 0) {
    usage = m.get(Ex::usage);
    usage_name = "usage";
  }
  if (usage.is(JsonType::object) && usage.size() > 0) {
    std::uint64_t input = 0;
    std::uint64_t cached = 0;
    std::uint64_t writes = 0;
    std::uint64_t output = 0;
    std::uint64_t reasoning = 0;
    std::string unknown;
    usage.for_each_member([&](std::string_view name, JsonValue value) {
      const std::string field = fmt::format("{}.{}", usage_name, name);
      switch (langfuse_key(name)) {
      case LangfuseKey::input:
        input = json_count(value, field.c_str(), m_problem);
        break;
      case LangfuseKey::output:
        output = json_count(value, field.c_str(), m_problem);
        break;
      case LangfuseKey::reasoning:
        reasoning = json_count(value, field.c_str(), m_problem);
        break;
      case LangfuseKey::cached:
        cached += json_count(value, field.c_str(), m_problem);
        break;
      case LangfuseKey::cache_write:
        writes += json_count(value, field.c_str(), m_problem);
        break;
      case LangfuseKey::unit:
        if (value.present() && value.text() != "TOKENS" && m_problem.empty()) {
          m_problem = fmt::format("field {}: {} (expected TOKENS; characters or images are not priced by token)", field,
                                  elide(std::string(value.raw()), 40));
          m_category = "unknown usage shape";
        }
        break;
      case LangfuseKey::total:
        break; // the sum of the others
      case LangfuseKey::other:
        // Another bucket (audio, reasoning, a provider's own name) is tokens
        // outside input and output: never dropped silently.
        if (value.present() && value.text() != "0" && unknown.empty()) {
          unknown = std::string(name);
        }
        break;
      }
    });
    if (!unknown.empty() && m_problem.empty()) {
      m_problem = fmt::format("Langfuse {} has \"{}\", a usage key the readers do not know (expected input, output, "
                              "total, input_cached_tokens / cache_read_input_tokens / input_cache_read, "
                              "cache_creation_input_tokens / input_cache_creation, output_reasoning); pricing without "
                              "it could leave tokens out",
                              usage_name, elide(unknown, 40));
      m_category = "unknown usage shape";
    }
    // Langfuse's input is what is left of the prompt after cache reads and
    // writes; a write is billed as input (as Anthropic's usage is read).
    r.counts[Counter::input] = input + writes;
    r.counts[Counter::cached_input] = cached;
    r.counts[Counter::cache_write] = writes;
    r.counts[Counter::output] = output + reasoning; // reasoning is billed as output
    r.counts[Counter::reasoning] = reasoning;
  } else if (m.has(Ex::prompt_tokens_camel) || m.has(Ex::completion_tokens_camel)) {
    r.counts[Counter::input] = json_count(m.get(Ex::prompt_tokens_camel), "promptTokens", m_problem);
    r.counts[Counter::output] = json_count(m.get(Ex::completion_tokens_camel), "completionTokens", m_problem);
  } else if (m_problem.empty()) {
    m_problem = "a Langfuse GENERATION without usage (expected usageDetails, usage or promptTokens/completionTokens)";
    m_category = "unknown usage shape";
  }
  read_billed(r, m.get(Ex::calculated_total_cost), "calculatedTotalCost");
  emit(r, "langfuse:");
}

void ExportShapes::read_openai_usage_page(JsonValue page, const SourceLine& where)
{
  // Buckets of aggregated usage: a row per result, standing for
  // num_model_requests requests; input_tokens include input_cached_tokens.
  bool any = false;
  LineCounter lines(page, where.line);
  page["data"].for_each_element([&](JsonValue bucket) {
    const SourceLine bucket_line{where.file, lines.at(bucket)};
    const std::optional<std::int64_t> start = json_time(bucket["start_time"]);
    bucket["results"].for_each_element([&](JsonValue result) {
      any = true;
      UsageRecord r;
      r.where = SourceLine{where.file, lines.at(result)};
      m_problem.clear();
      m_category = "bad field";
      if (text_at(result, {"object"}) != "organization.usage.completions.result") {
        m_sink.reject(r.where.location(), "unknown usage shape",
                      fmt::format("a Usage API result of \"{}\" (expected organization.usage.completions.result: "
                                  "only completions carry the token counts the cards price; embeddings, images, "
                                  "audio and cost results are not read)",
                                  elide(std::string(text_at(result, {"object"})), 60)));
        return;
      }
      r.model = text_at(result, {"model"});
      r.project = text_at(result, {"project_id"});
      r.key = text_at(result, {"api_key_id"});
      r.time = start;
      r.counts[Counter::requests] = json_count(result["num_model_requests"], "num_model_requests", m_problem);
      const std::uint64_t input = json_count(result["input_tokens"], "input_tokens", m_problem);
      split_cached(r, input, json_count(result["input_cached_tokens"], "input_cached_tokens", m_problem));
      r.counts[Counter::output] = json_count(result["output_tokens"], "output_tokens", m_problem);
      // Audio tokens are part of input/output_tokens at another price.
      for (const char* audio : {"input_audio_tokens", "output_audio_tokens"}) {
        if (json_count(result[audio], audio, m_problem) != 0 && m_problem.empty()) {
          m_problem = fmt::format("{} {} (audio tokens have their own price; no card here prices them)", audio,
                                  result[audio].text());
          m_category = "unknown usage shape";
        }
      }
      const JsonValue batch = result["batch"];
      r.batch = batch.is(JsonType::boolean) && batch.text() == "true";
      if (batch.present() && !batch.is(JsonType::boolean) && m_problem.empty()) {
        m_problem = fmt::format("field batch: {} is not a boolean (expected true/false)", batch.raw());
      }
      if (!r.time && m_problem.empty()) {
        m_problem = fmt::format("a bucket without start_time at line {}", bucket_line.line);
      }
      emit(r, "");
    });
  });
  if (!any) {
    m_sink.skip("OpenAI Usage API pages without results (no usage in the window)");
  }
}

void ExportShapes::read_openrouter_generation(JsonValue data, const SourceLine& where)
{
  // OpenRouter's native_tokens_* are the provider's counts (billed);
  // tokens_* are its normalised counts, read only when native ones are absent.
  UsageRecord r;
  r.where = where;
  m_problem.clear();
  m_category = "bad field";
  r.model = text_at(data, {"model"});
  r.request_id = text_at(data, {"id"});
  r.time = json_time(data["created_at"]);
  const bool native = data["native_tokens_prompt"].present() || data["native_tokens_completion"].present();
  const char* prompt = native ? "native_tokens_prompt" : "tokens_prompt";
  const char* completion = native ? "native_tokens_completion" : "tokens_completion";
  const std::uint64_t input = json_count(data[prompt], prompt, m_problem);
  split_cached(r, input, json_count(data["native_tokens_cached"], "native_tokens_cached", m_problem));
  r.counts[Counter::output] = json_count(data[completion], completion, m_problem);
  r.counts[Counter::reasoning] = json_count(data["native_tokens_reasoning"], "native_tokens_reasoning", m_problem);
  if (r.counts[Counter::reasoning] > r.counts[Counter::output] && m_problem.empty()) {
    // Some providers count reasoning apart from completion: refuse rather than guess.
    m_problem = fmt::format("native_tokens_reasoning {} exceed native_tokens_completion {} (expected reasoning to "
                            "be part of the completion)",
                            r.counts[Counter::reasoning], r.counts[Counter::output]);
  }
  const JsonValue total_cost = data["total_cost"];
  read_billed(r, total_cost ? total_cost : data["usage"], total_cost ? "total_cost" : "usage");
  emit(r, "openrouter:");
}

} // namespace llmcost
