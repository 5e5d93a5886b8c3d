#include "llmcost/usage_csv.hpp"
#include "llmcost/timestamp.hpp"

#include "llmcost/csv.hpp"
#include "llmcost/error.hpp"
#include "llmcost/json_scan.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost {

namespace {

struct FieldName
{
  UsageField field;
  std::string_view name;
};

constexpr std::array k_field_names = {
    FieldName{UsageField::timestamp, "timestamp"},
    FieldName{UsageField::request_id, "request_id"},
    FieldName{UsageField::provider, "provider"},
    FieldName{UsageField::model, "model"},
    FieldName{UsageField::project, "project"},
    FieldName{UsageField::key, "key"},
    FieldName{UsageField::session, "session"},
    FieldName{UsageField::requests, "requests"},
    FieldName{UsageField::input_total, "input_tokens"},
    FieldName{UsageField::input_uncached, "uncached_input_tokens"},
    FieldName{UsageField::cached_input, "cached_input_tokens"},
    FieldName{UsageField::cache_write, "cache_write_tokens"},
    FieldName{UsageField::output, "output_tokens"},
    FieldName{UsageField::reasoning, "reasoning_tokens"},
    FieldName{UsageField::batch, "batch"},
    FieldName{UsageField::web_search_calls, "web_search_calls"},
    FieldName{UsageField::billed, "billed"},
    FieldName{UsageField::currency, "currency"},
    FieldName{UsageField::usage_json, "usage_json"},
    FieldName{UsageField::ignore, "ignore"},
};

// Header aliases, compared after normalising (lower case; spaces, '-' and
// '.' as '_'). Several columns may feed cache_write (5m and 1h writes add up).
struct Alias
{
  std::string_view header;
  UsageField field;
};

constexpr std::array k_aliases = {
    Alias{"timestamp", UsageField::timestamp},
    Alias{"time", UsageField::timestamp},
    Alias{"date", UsageField::timestamp},
    Alias{"datetime", UsageField::timestamp},
    Alias{"created_at", UsageField::timestamp},
    Alias{"created", UsageField::timestamp},
    Alias{"start_time_iso", UsageField::timestamp},
    Alias{"starttime", UsageField::timestamp},
    Alias{"start_time", UsageField::timestamp},
    Alias{"usage_date_utc", UsageField::timestamp},
    Alias{"request_created_at", UsageField::timestamp}, // Helicone
    Alias{"usage_time", UsageField::timestamp},         // llmcost_usage, the warehouse table
    Alias{"request_id", UsageField::request_id},
    Alias{"requestid", UsageField::request_id},
    Alias{"generation_id", UsageField::request_id},
    Alias{"id", UsageField::request_id},
    Alias{"provider", UsageField::provider},
    Alias{"route", UsageField::provider},
    Alias{"model", UsageField::model},
    Alias{"model_id", UsageField::model},
    Alias{"model_name", UsageField::model},
    Alias{"model_version", UsageField::model},
    Alias{"model_permaslug", UsageField::model},
    Alias{"project", UsageField::project},
    Alias{"project_id", UsageField::project},
    Alias{"project_name", UsageField::project},
    Alias{"workspace", UsageField::project},
    Alias{"api_key_id", UsageField::key},
    Alias{"api_key", UsageField::key},
    Alias{"api_key_name", UsageField::key},
    Alias{"key", UsageField::key},
    Alias{"session", UsageField::session},
    Alias{"session_id", UsageField::session},
    Alias{"requests", UsageField::requests},
    Alias{"request_count", UsageField::requests},
    Alias{"num_requests", UsageField::requests},
    Alias{"num_model_requests", UsageField::requests}, // OpenAI usage: requests in an aggregated row
    Alias{"n_requests", UsageField::requests},
    Alias{"requests_count", UsageField::requests},
    Alias{"input_tokens", UsageField::input_total},
    Alias{"prompt_tokens", UsageField::input_total},
    Alias{"tokens_prompt", UsageField::input_total},
    Alias{"tokens_in", UsageField::input_total},
    Alias{"input_uncached_tokens", UsageField::input_uncached}, // OpenAI usage CSV
    Alias{"usage_input_tokens_no_cache", UsageField::input_uncached},
    Alias{"input_tokens_no_cache", UsageField::input_uncached},
    Alias{"uncached_input_tokens", UsageField::input_uncached},
    Alias{"cached_input_tokens", UsageField::cached_input},
    Alias{"cached_tokens", UsageField::cached_input},
    Alias{"tokens_cached", UsageField::cached_input},
    Alias{"cache_read_input_tokens", UsageField::cached_input},
    Alias{"usage_input_tokens_cache_read", UsageField::cached_input},
    Alias{"input_cached_tokens", UsageField::cached_input},      // OpenAI usage: part of input_tokens
    Alias{"prompt_cache_read_tokens", UsageField::cached_input}, // Helicone: part of prompt_tokens
    Alias{"cache_read_tokens", UsageField::cached_input},
    Alias{"cache_creation_input_tokens", UsageField::cache_write},
    Alias{"usage_input_tokens_cache_write_5m", UsageField::cache_write},
    Alias{"usage_input_tokens_cache_write_1h", UsageField::cache_write},
    Alias{"cache_write_tokens", UsageField::cache_write},
    Alias{"prompt_cache_write_tokens", UsageField::cache_write}, // Helicone
    Alias{"cache_creation_tokens", UsageField::cache_write},
    Alias{"output_tokens", UsageField::output},
    Alias{"completion_tokens", UsageField::output},
    Alias{"tokens_completion", UsageField::output},
    Alias{"usage_output_tokens", UsageField::output},
    Alias{"tokens_out", UsageField::output},
    Alias{"reasoning_tokens", UsageField::reasoning},
    Alias{"tokens_reasoning", UsageField::reasoning},
    Alias{"batch", UsageField::batch},
    Alias{"is_batch", UsageField::batch},
    Alias{"web_search_calls", UsageField::web_search_calls},
    Alias{"web_search_count", UsageField::web_search_calls},
    Alias{"web_searches", UsageField::web_search_calls},
    Alias{"web_search_requests", UsageField::web_search_calls},
    Alias{"cost_usd", UsageField::billed},
    Alias{"cost", UsageField::billed},
    Alias{"cost_total", UsageField::billed},
    Alias{"amount_value", UsageField::billed},
    Alias{"spend", UsageField::billed},
    Alias{"billed", UsageField::billed},
    Alias{"billed_usd", UsageField::billed},
    Alias{"amount_currency", UsageField::currency},
    // LiteLLM's spend logs: cache reads are only in metadata.usage_object.
    Alias{"metadata", UsageField::usage_json},
    Alias{"currency", UsageField::currency},
};

// Columns whose names look like a quantity or money but that carry nothing
// to price: sums and parts of columns that are read (total_tokens, the parts
// of OpenRouter's cost_total), cache flags of a proxy's own response cache,
// and labels. Everything else that looks like a quantity must be mapped.
constexpr std::array<std::string_view, 22> k_known_unpriced = {
    "total_tokens",           // input + output, both read
    "tokens_total",           //
    "cost_web_search",        // OpenRouter: parts of cost_total
    "cost_cache",             //
    "cost_file_processing",   //
    "byok_usage_inference",   // OpenRouter: spend on the user's own key, not billed by OpenRouter
    "time_to_first_token_ms", // OpenRouter: latency
    "cache_hit",              // LiteLLM: served from the proxy's own cache (a flag)
    "cache_key",              //
    "request_tags",           // LiteLLM labels
    "usage_type",             // Anthropic console: standard / batch label
    "request_model",          // Helicone: the model asked for; the response's model is read
    "request_path",           //
    "request_user_id",        //
    "prompt_id",              //
    "cost_currency",          //
    "input_text_tokens",      // OpenAI usage export: parts of input_tokens / output_tokens by
    "output_text_tokens",     // modality (the cards price tokens, not modalities)
    "input_cached_text_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
};

// Parts of OpenAI's usage export (of input_tokens / output_tokens) billed
// at audio prices, which no card here has: a row is read only when they are
// zero, never priced at the text rate.
constexpr std::array<std::string_view, 3> k_zero_or_refused = {
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
};

// True for a count that is zero as an export writes it: "0", "0.0", or empty.
bool is_zero_count(std::string_view value)
{
  value = trim(value);
  return value.find_first_not_of("0.") == std::string_view::npos && std::count(value.begin(), value.end(), '.') <= 1;
}

// Langfuse's batch export of observations writes each row's values as JSON
// text (stringify.ts: JSON.stringify of each value) under the keys of its
// JSON export (transformStreamToCsv.ts: the first row's keys), so a row is
// an observation for the JSON readers (export_reader.cpp).
bool is_langfuse_export_header(const std::vector<std::string>& headers)
{
  const auto has = [&](std::string_view name) {
    return std::find(headers.begin(), headers.end(), name) != headers.end();
  };
  return has("traceid") && has("type") && has("starttime");
}

// A column that says again what another says, read only when that one is
// absent: OpenAI's usage export writes each bucket's start as Unix seconds
// (start_time) and as ISO 8601 (start_time_iso), one instant.
struct Restated
{
  std::string_view header;
  std::string_view restated_by;
};
constexpr std::array k_restated = {
    Restated{"start_time", "start_time_iso"},
};

// Parts of a column name that make it look like a quantity or an amount.
constexpr std::array<std::string_view, 19> k_quantity_words = {
    "token", "cache",  "prompt", "completion", "input", "output", "requests",  "cost",     "amount", "spend",
    "price", "billed", "charge", "fee",        "usage", "search", "reasoning", "quantity", "credit"};

std::string normalise_header(std::string_view header)
{
  std::string out = to_lower(trim(header));
  for (char& c : out) {
    if (c == ' ' || c == '-' || c == '.') {
      c = '_';
    }
  }
  return out;
}

// A field's text for a message: whole up to 80 bytes, else cut in the middle
// with a visible mark (never silently).
std::string quoted_value(std::string_view value)
{
  return elide(std::string(value), 80);
}

bool is_summed(UsageField field)
{
  return field == UsageField::cache_write;
}

// Unsigned integer token count; nullopt with a reason when not one.
std::optional<std::uint64_t> parse_count(std::string_view text, std::string& why)
{
  if (std::uint64_t value = 0; plain_digits(text, text.data() + text.size(), value)) {
    return value;
  }
  text = trim(text);
  if (text.empty()) {
    return 0; // an empty count is zero (exports leave unused columns blank)
  }
  if (text.find_first_of("0123456789") == std::string_view::npos) {
    why = "not a number"; // ".", "-", "n/a": as the JSON reader says
    return std::nullopt;
  }
  if (text[0] == '-') {
    why = "negative";
    return std::nullopt;
  }
  if (text.find_first_of("eE") != std::string_view::npos) {
    // "1e3", "1.5E+3": an exact whole number in exponent form, accepted as
    // the JSON reader accepts it; "2.5e0" is not a whole number.
    std::string scientific_why;
    const auto parsed = Decimal::parse_scientific(text, &scientific_why);
    if (!parsed) {
      why = scientific_why.find("large") != std::string::npos ? "too large" : "not a number";
      return std::nullopt;
    }
    if (const auto count = parsed->as_count()) {
      return count;
    }
    why = parsed->is_integer() ? "too large" : "not a whole number"; // not negative: refused above
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      // "12.0" is an integer written by a float-minded exporter; "12.5" is not.
      if (text.find_first_not_of('0', i + 1) != std::string_view::npos) {
        why = "not a whole number";
        return std::nullopt;
      }
      break;
    }
    if (c < '0' || c > '9') {
      why = "not a number";
      return std::nullopt;
    }
    if (value > (UINT64_MAX - 9) / 10) {
      why = "too large";
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > static_cast<std::uint64_t>(INT64_MAX)) {
    why = "too large";
    return std::nullopt;
  }
  return value;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower)
{
  if (text.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

std::optional<bool> parse_bool(std::string_view text)
{
  // The spellings exports write, before the case-insensitive search.
  if (text == "false" || text == "0") {
    return false;
  }
  if (text == "true" || text == "1") {
    return true;
  }
  const std::string_view value = trim(text);
  // "t" and "f": PostgreSQL's text form of a boolean (COPY ... TO CSV).
  for (std::string_view yes : {"true", "1", "yes", "batch", "t"}) {
    if (equals_ignoring_case(value, yes)) {
      return true;
    }
  }
  for (std::string_view no : {"", "false", "0", "no", "f"}) {
    if (equals_ignoring_case(value, no)) {
      return false;
    }
  }
  return std::nullopt;
}

} // namespace

bool looks_like_quantity(std::string_view normalised_header)
{
  return std::any_of(k_quantity_words.begin(), k_quantity_words.end(),
                     [&](std::string_view word) { return normalised_header.find(word) != std::string_view::npos; });
}

std::vector<std::string_view> column_aliases(UsageField field)
{
  std::vector<std::string_view> names;
  for (const auto& alias : k_aliases) {
    if (alias.field == field) {
      names.push_back(alias.header);
    }
  }
  return names;
}

std::optional<UsageField> parse_usage_field(std::string_view name)
{
  for (const auto& f : k_field_names) {
    if (f.name == name) {
      return f.field;
    }
  }
  return std::nullopt;
}

std::string_view to_string(UsageField field)
{
  for (const auto& f : k_field_names) {
    if (f.field == field) {
      return f.name;
    }
  }
  return "?";
}

ColumnMap parse_column_maps(const std::vector<std::string>& specs)
{
  ColumnMap out;
  for (const auto& spec : specs) {
    const auto eq = spec.rfind('=');
    std::vector<std::string_view> names;
    for (const auto& f : k_field_names) {
      names.push_back(f.name);
    }
    if (eq == std::string::npos || eq == 0) {
      throw Error(Location{}, fmt::format("--map \"{}\": expected COLUMN=FIELD", spec),
                  fmt::format("a field among {}", fmt::join(names, ", ")));
    }
    auto field = parse_usage_field(spec.substr(eq + 1));
    if (!field) {
      throw Error(Location{}, fmt::format("--map \"{}\": unknown field \"{}\"", spec, spec.substr(eq + 1)),
                  fmt::format("one of {}", fmt::join(names, ", ")));
    }
    out.emplace_back(normalise_header(spec.substr(0, eq)), *field);
  }
  return out;
}

namespace {

// Adds a count that is not plain digits to `out`; false when it is not a count.
[[gnu::noinline]] bool add_other_count(std::string_view text, std::uint64_t& out)
{
  std::string why;
  const auto parsed = parse_count(text, why);
  if (!parsed) {
    return false;
  }
  out += *parsed;
  return true;
}

// Adds an unsigned count to `out`; false when the text is not one. Bytes up
// to `limit` may be read past the text (see plain_digits).
inline bool add_count(std::string_view text, const char* limit, std::uint64_t& out)
{
  if (std::uint64_t value = 0; plain_digits(text, limit, value)) [[likely]] {
    out += value;
    return true;
  }
  return add_other_count(text, out);
}

// The requests an aggregated row stands for; a blank cell is one request, as
// a row without the column is. Out of line: rare, and read_field is inlined.
[[gnu::noinline]] bool read_requests(std::string_view value, std::uint64_t& requests)
{
  requests = 0;
  if (!add_other_count(value, requests)) {
    return false;
  }
  if (requests == 0 && trim(value).empty()) {
    requests = 1;
  }
  return true;
}

// The cache reads in a JSON object's usage_object (LiteLLM writes the
// provider's usage there; its token columns leave cache reads out). Text that
// is not a JSON object, or has no usage_object, carries nothing to read.
[[gnu::noinline]] bool read_usage_json(std::string_view value, std::uint64_t& cached_input)
{
  const std::string_view text = trim(value);
  if (text.empty() || text.front() != '{') {
    return true;
  }
  JsonTape tape;
  JsonSyntaxError error;
  if (!tape.parse(text, error)) {
    return true;
  }
  const JsonValue usage = tape.root()["usage_object"];
  JsonValue cached = usage.at({"prompt_tokens_details", "cached_tokens"});
  if (!cached.present()) {
    cached = usage.at({"cache_read_input_tokens"});
  }
  if (!cached.present()) {
    return true;
  }
  std::string why;
  const auto count = cached.is(JsonType::number) ? parse_count(cached.text(), why) : std::nullopt;
  if (count) {
    cached_input = *count;
  }
  return count.has_value();
}

// Reads one mapped field into the record; false when the value is bad (the
// message is built apart, see field_problem, so good rows build no strings).
// `limit`: how far bytes past `value` may be read (its end when none may).
inline bool read_field(UsageField field, std::string_view value, const char* limit, UsageRecord& r,
                       std::uint64_t& input_total)
{
  switch (field) {
  case UsageField::timestamp: {
    const std::string_view text = trim(value);
    if (text.empty()) {
      return true;
    }
    r.time = parse_timestamp(text);
    return r.time.has_value();
  }
  case UsageField::request_id:
    r.request_id = trim(value);
    return true;
  case UsageField::provider:
    r.provider = trim(value);
    return true;
  case UsageField::model:
    r.model = trim(value);
    return true;
  case UsageField::project:
    r.project = trim(value);
    return true;
  case UsageField::key:
    r.key = trim(value);
    return true;
  case UsageField::session:
    r.session = trim(value);
    return true;
  case UsageField::requests:
    return read_requests(value, r.counts[Counter::requests]);
  case UsageField::input_total:
    return add_count(value, limit, input_total);
  case UsageField::input_uncached:
    return add_count(value, limit, r.counts[Counter::input]);
  case UsageField::cached_input:
    return add_count(value, limit, r.counts[Counter::cached_input]);
  case UsageField::cache_write:
    return add_count(value, limit, r.counts[Counter::cache_write]);
  case UsageField::output:
    return add_count(value, limit, r.counts[Counter::output]);
  case UsageField::reasoning:
    return add_count(value, limit, r.counts[Counter::reasoning]);
  case UsageField::web_search_calls:
    return add_count(value, limit, r.counts[Counter::web_search_calls]);
  case UsageField::batch: {
    const auto b = parse_bool(value);
    if (b) {
      r.batch = *b;
    }
    return b.has_value();
  }
  case UsageField::billed: {
    const std::string_view text = trim(value);
    if (text.empty()) {
      return true;
    }
    r.billed = parse_billed_amount(text, r.billed_places); // "2.15E-03", as spreadsheets write
    return r.billed.has_value();
  }
  case UsageField::currency: {
    const std::string_view text = trim(value);
    return text.empty() || equals_ignoring_case(text, "usd");
  }
  case UsageField::usage_json:
    return false; // read on the general path (read_row), which keeps this one lean
  case UsageField::ignore:
    return true;
  }
  return true;
}

// Numbers, read with the decimal mark the user chose.
bool is_number(UsageField field)
{
  switch (field) {
  case UsageField::requests:
  case UsageField::input_total:
  case UsageField::input_uncached:
  case UsageField::cached_input:
  case UsageField::cache_write:
  case UsageField::output:
  case UsageField::reasoning:
  case UsageField::web_search_calls:
  case UsageField::billed:
    return true;
  case UsageField::timestamp:
  case UsageField::request_id:
  case UsageField::provider:
  case UsageField::model:
  case UsageField::project:
  case UsageField::key:
  case UsageField::session:
  case UsageField::batch:
  case UsageField::currency:
  case UsageField::usage_json:
  case UsageField::ignore:
    return false;
  }
  return false;
}

// What a number with a comma might mean, for its rejection: never guessed.
std::string_view comma_hint(std::string_view value)
{
  return value.find(',') != std::string_view::npos ? "; if the comma is a decimal mark, --decimal-comma" : "";
}

// Why read_field refused `value`, as the rejection's detail.
[[gnu::cold]] std::string field_problem(UsageField field, const std::string& header, std::string_view value)
{
  switch (field) {
  case UsageField::timestamp:
    return fmt::format("field {}: \"{}\" is not a timestamp (expected ISO 8601 like 2026-01-05T10:00:00Z, "
                       "or Unix seconds)",
                       header, quoted_value(value));
  case UsageField::batch:
    return fmt::format("field {}: \"{}\" is not a boolean (expected true/false)", header, quoted_value(value));
  case UsageField::billed: {
    std::string reason;
    Decimal::parse_scientific(trim(value), &reason);
    return fmt::format("field {}: \"{}\" is not an amount: {} (expected a decimal like 0.00123{})", header,
                       quoted_value(value), reason, comma_hint(value));
  }
  case UsageField::currency:
    return fmt::format("field {}: currency \"{}\" (expected USD; currencies are never mixed)", header,
                       quoted_value(value));
  case UsageField::usage_json:
    return fmt::format("field {}: the cached tokens in usage_object of \"{}\" are not a whole number of zero or "
                       "more",
                       header, quoted_value(value));
  default: {
    std::string why;
    parse_count(value, why);
    return fmt::format("field {}: \"{}\" is {} (expected a whole number of zero or more{})", header,
                       quoted_value(value), why, comma_hint(value));
  }
  }
}

} // namespace

UsageCsvReader::UsageCsvReader(std::string file, const ColumnMap& extra, RecordSink& sink, bool decimal_comma)
  : m_file(std::move(file))
  , m_extra(extra)
  , m_sink(sink)
  , m_decimal_comma(decimal_comma)
{
}

UsageCsvReader::UsageCsvReader(const UsageCsvReader& header, RecordSink& sink)
  : m_file(header.m_file)
  , m_extra(header.m_extra)
  , m_sink(sink)
  , m_have_header(header.m_have_header)
  , m_delimiter(header.m_delimiter)
  , m_column_field(header.m_column_field)
  , m_plan(header.m_plan)
  , m_headers(header.m_headers)
  , m_columns(header.m_columns)
  , m_zero_or_refused(header.m_zero_or_refused)
  , m_langfuse(header.m_langfuse)
  , m_input_includes_cached(header.m_input_includes_cached)
  , m_decimal_comma(header.m_decimal_comma)
{
}

std::size_t UsageCsvReader::feed(std::string_view piece, std::size_t first_line, bool at_end, std::size_t* newlines)
{
  CsvReader reader(piece, m_delimiter, first_line, at_end);
  auto taken = [&] {
    if (newlines != nullptr) {
      *newlines = reader.line() - first_line;
    }
    return reader.consumed();
  };
  if (!m_have_header) {
    if (!reader.next(m_fields, m_file)) {
      return taken();
    }
    m_delimiter = reader.delimiter();
    read_header(reader);
    m_have_header = true;
  }
  std::string_view line;
  const char* const limit = piece.data() + piece.size();
  const std::optional<UsageField>* const column_field = m_column_field.data();
  const std::size_t columns = m_column_field.size();
  while (reader.peek_line(line)) {
    // Fast path: fields go straight into the record as the line is split;
    // a line with quotes, or one that is rejected, is read again field by
    // field so that what is reported is exactly as on the general path.
    UsageRecord r;
    std::uint64_t input_total = 0;
    std::size_t column = 0;
    bool good = true;
    // A used field with doubled quotes is unescaped on the general path; an
    // unused one (a note) costs nothing.
    const bool plain = split_plain(line, limit, m_delimiter, [&](std::string_view value, bool escaped) {
      if (good && column < columns && column_field[column]) {
        good = !escaped && read_field(*column_field[column], value, limit, r, input_total);
        if (*column_field[column] == UsageField::request_id && !r.request_id.empty()) {
          m_sink.prefetch_request_id(r.request_id);
        }
      }
      ++column;
    });
    // A NUL byte (rare) is looked for on the general path, which names its field.
    // Columns that must be zero (audio tokens) are looked at on the general path.
    if (plain && good && column == columns && !m_decimal_comma && m_zero_or_refused.empty() && !m_langfuse &&
        std::memchr(line.data(), 0, line.size()) == nullptr) {
      reader.take_line();
      r.where = SourceLine{m_file, reader.record_line()};
      finish_row(r, input_total);
      continue;
    }
    if (!reader.next(m_fields, m_file)) {
      break;
    }
    read_row(reader);
  }
  return taken();
}

std::size_t UsageCsvReader::feed_header(std::string_view start, bool at_end)
{
  CsvReader reader(start, 0, 1, at_end);
  if (!reader.next(m_fields, m_file)) {
    return 0;
  }
  m_delimiter = reader.delimiter();
  read_header(reader);
  m_have_header = true;
  return reader.consumed();
}

void UsageCsvReader::finish() const
{
  if (!m_have_header) {
    throw Error(Location{m_file, 1, 1}, "empty file",
                "a usage export with a header line naming the columns, or JSON traces");
  }
}

Location UsageCsvReader::field_location(const CsvReader& reader, std::size_t column) const
{
  const CsvReader::Position at = reader.field_position(column);
  return Location{m_file, at.line, at.column};
}

void UsageCsvReader::read_header(const CsvReader& reader)
{
  const std::vector<std::string_view>& fields = m_fields;
  // column index -> field (or none)
  m_column_field.assign(fields.size(), std::nullopt);
  m_headers.clear();
  m_columns.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    m_headers.push_back(normalise_header(fields[i]));
    m_columns.push_back({std::string(trim(fields[i])), std::nullopt, ColumnSource::unknown});
  }
  if (is_langfuse_export_header(m_headers)) {
    m_langfuse = true;
    for (ColumnUse& column : m_columns) {
      column.source = ColumnSource::langfuse_member;
    }
    return;
  }
  for (std::size_t i = 0; i < m_headers.size(); ++i) {
    for (const auto& [name, field] : m_extra) {
      if (m_headers[i] == name) {
        m_column_field[i] = field;
        m_columns[i].source = ColumnSource::map;
      }
    }
    if (!m_column_field[i]) {
      for (const auto& alias : k_aliases) {
        if (alias.header == m_headers[i]) {
          m_column_field[i] = alias.field;
          m_columns[i].source = ColumnSource::alias;
          break;
        }
      }
    }
    for (const auto& restated : k_restated) {
      if (m_columns[i].source == ColumnSource::alias && m_headers[i] == restated.header &&
          std::find(m_headers.begin(), m_headers.end(), restated.restated_by) != m_headers.end()) {
        m_column_field[i].reset();
        m_columns[i].source = ColumnSource::known_unpriced;
      }
    }
    if (!m_column_field[i] &&
        std::find(k_known_unpriced.begin(), k_known_unpriced.end(), m_headers[i]) != k_known_unpriced.end()) {
      m_columns[i].source = ColumnSource::known_unpriced;
    }
    if (!m_column_field[i] &&
        std::find(k_zero_or_refused.begin(), k_zero_or_refused.end(), m_headers[i]) != k_zero_or_refused.end()) {
      m_columns[i].source = ColumnSource::zero_or_refused;
      m_zero_or_refused.push_back(i);
    }
    m_columns[i].field = m_column_field[i];
    if (m_column_field[i] == UsageField::ignore) {
      m_column_field[i].reset(); // read as nothing, by the user's word
    }
  }
  auto has = [&](UsageField f) {
    return std::find(m_column_field.begin(), m_column_field.end(), std::optional<UsageField>(f)) !=
           m_column_field.end();
  };
  auto header_has = [&](std::string_view name) {
    return std::find(m_headers.begin(), m_headers.end(), name) != m_headers.end();
  };
  const bool has_tokens = has(UsageField::input_total) || has(UsageField::input_uncached) || has(UsageField::output);
  // Cost-only exports carry amounts, not usage: recognise them and say so.
  if (!has_tokens && header_has("amount_value") && header_has("line_item")) {
    throw Error(Location{m_file, 1, 1},
                "an OpenAI cost export: amounts per line item, without token counts, so nothing can be re-priced "
                "against the rate cards",
                "a usage export with token counts, or API responses / traces");
  }
  if (!has_tokens && header_has("token_type") && header_has("cost_usd")) {
    throw Error(Location{m_file, 1, 1},
                "an Anthropic console cost export: costs per token type, without token counts, so nothing can be "
                "re-priced against the rate cards",
                "the console's usage export (usage_input_tokens_no_cache, usage_output_tokens, ...)");
  }
  // One column per field (except summed ones); the first wins, later
  // duplicates (e.g. both "cost" and "cost_usd") would be ambiguous.
  for (std::size_t i = 0; i < m_column_field.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (m_column_field[i] && m_column_field[i] == m_column_field[j] && !is_summed(*m_column_field[i])) {
        if (m_headers[i] == m_headers[j]) {
          throw Error(field_location(reader, i),
                      fmt::format("duplicate column \"{}\" (columns {} and {})", m_headers[i], j + 1, i + 1),
                      "each column name once");
        }
        throw Error(field_location(reader, i),
                    fmt::format("columns \"{}\" and \"{}\" both mean {}", m_headers[j], m_headers[i],
                                to_string(*m_column_field[i])),
                    fmt::format("one of them, or --map {}=FIELD to say what the other is", m_headers[i]));
      }
    }
  }
  if (!has(UsageField::model)) {
    throw Error(Location{m_file, 1, 1}, "no model column in the header",
                "a column such as model, model_id, model_version, or --map COLUMN=model");
  }
  if (!has(UsageField::input_total) && !has(UsageField::input_uncached) && !has(UsageField::output)) {
    throw Error(Location{m_file, 1, 1}, "no token columns in the header",
                "input_tokens / prompt_tokens and output_tokens / completion_tokens (or --map)");
  }
  // An unknown column that looks like a quantity or money may hold part of
  // the bill (cached tokens, requests per row, a cost): never drop it silently.
  std::vector<std::string> unknown;
  std::size_t first_unknown = 0;
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    const ColumnUse& column = m_columns[i];
    if (column.source == ColumnSource::unknown && looks_like_quantity(normalise_header(column.header))) {
      first_unknown = unknown.empty() ? i : first_unknown;
      unknown.push_back(fmt::format("\"{}\"", column.header));
    }
  }
  if (!unknown.empty()) {
    throw Error(field_location(reader, first_unknown),
                fmt::format("{} {} not understood and may carry part of the bill: {}", unknown.size(),
                            unknown.size() == 1 ? "column is" : "columns are", fmt::join(unknown, ", ")),
                fmt::format("--map COLUMN=FIELD for each (FIELD: input_tokens, cached_input_tokens, "
                            "output_tokens, requests, billed, ...; see --explain), or --map COLUMN=ignore "
                            "for one that carries nothing to price"));
  }
  // Cache reads from a JSON column only when no column says them, and only
  // where input includes them (LiteLLM's prompt_tokens do).
  for (std::size_t i = 0; i < m_column_field.size(); ++i) {
    if (m_column_field[i] == UsageField::usage_json &&
        (has(UsageField::cached_input) || !has(UsageField::input_total))) {
      m_column_field[i].reset();
      m_columns[i].field.reset();
      m_columns[i].source = ColumnSource::cached_elsewhere;
    }
  }
  m_input_includes_cached = has(UsageField::input_total);
  for (std::size_t i = 0; i < m_column_field.size(); ++i) {
    if (m_column_field[i]) {
      m_plan.push_back({i, *m_column_field[i]});
    }
  }
}

void UsageCsvReader::read_row(const CsvReader& reader)
{
  const std::vector<std::string_view>& fields = m_fields;
  const SourceLine where{m_file, reader.record_line()};
  if (fields.size() != m_column_field.size()) {
    // Too many: at the first field past the header's; too few: the row.
    const bool too_many = fields.size() > m_column_field.size();
    m_sink.reject(
        too_many ? field_location(reader, m_column_field.size()) : where.location(), "wrong number of fields",
        fmt::format("wrong number of fields: {} (expected {} as in the header)", fields.size(), m_column_field.size()));
    return;
  }
  if (m_langfuse) {
    read_langfuse_row(reader);
    return;
  }
  UsageRecord r;
  r.where = where;
  std::uint64_t input_total = 0;
  for (const ColumnStep& step : m_plan) {
    std::string_view value = fields[step.column];
    if (m_decimal_comma && is_number(step.field)) {
      if (!decimal_comma_to_point(value, m_number)) {
        m_sink.reject(field_location(reader, step.column), "bad field",
                      fmt::format("field {}: \"{}\": {} (expected digits with at most one decimal comma, like 0,05)",
                                  m_headers[step.column], quoted_value(value), k_point_under_decimal_comma));
        return;
      }
      value = m_number;
    }
    // Fields may be unescaped copies: nothing past one is read.
    const bool good = step.field == UsageField::usage_json
                          ? read_usage_json(value, r.counts[Counter::cached_input])
                          : read_field(step.field, value, value.data() + value.size(), r, input_total);
    if (!good) {
      m_sink.reject(field_location(reader, step.column), "bad field",
                    field_problem(step.field, m_headers[step.column], fields[step.column]));
      return;
    }
  }
  for (const std::size_t column : m_zero_or_refused) {
    if (!is_zero_count(fields[column])) {
      m_sink.reject(field_location(reader, column), "unpriced audio tokens",
                    fmt::format("field {}: \"{}\": audio tokens have their own price and no card here prices them "
                                "(expected 0; pricing them at the text rate would be wrong)",
                                m_headers[column], quoted_value(fields[column])));
      return;
    }
  }
  if (auto detail = nul_byte_detail(r)) {
    // At the first field read that holds one (the one the detail names, but
    // for a row with several).
    const auto holds_nul = [&](const ColumnStep& step) {
      return fields[step.column].find('\0') != std::string_view::npos;
    };
    const auto step = std::find_if(m_plan.begin(), m_plan.end(), holds_nul);
    m_sink.reject(step != m_plan.end() ? field_location(reader, step->column) : where.location(), k_nul_byte, *detail);
    return;
  }
  finish_row(r, input_total);
}

void UsageCsvReader::read_langfuse_row(const CsvReader& reader)
{
  // The row as the JSON object it was exported from; a cell that is not
  // JSON text was not written by Langfuse (or was edited): refused there.
  m_row_json.assign("{");
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    JsonSyntaxError error;
    if (!m_cell_tape.parse(m_fields[i], error)) {
      m_sink.reject(field_location(reader, i), "bad field",
                    fmt::format("field {}: \"{}\" is not JSON text (expected each value as a Langfuse export "
                                "writes it, in JSON: a string in double quotes, a number, {{...}} or null)",
                                m_columns[i].header, quoted_value(m_fields[i])));
      return;
    }
    // Its writer makes null (and a missing member) "" (`row[header] ?? ""`).
    const std::string_view value = trim(m_fields[i]) == "\"\"" ? std::string_view("null") : m_fields[i];
    m_row_json.append(i == 0 ? "\"" : ",\"").append(m_columns[i].header).append("\":").append(value);
  }
  m_row_json.append("}");
  read_usage_jsonl(m_row_json, m_file, m_sink, reader.record_line(), true, false);
}

void UsageCsvReader::finish_row(UsageRecord& r, std::uint64_t input_total)
{
  const SourceLine& where = r.where;
  if (m_input_includes_cached) {
    if (r.counts[Counter::cached_input] > input_total) {
      m_sink.reject(where.location(), "cached exceeds input",
                    fmt::format("cached input tokens {} exceed input tokens {} (expected cached to be part of input)",
                                r.counts[Counter::cached_input], input_total));
      return;
    }
    r.counts[Counter::input] = input_total - r.counts[Counter::cached_input];
  } else {
    r.counts[Counter::input] +=
        r.counts[Counter::cache_write]; // Anthropic: writes are input, billed at the input price
  }
  if (r.counts[Counter::reasoning] > r.counts[Counter::output]) {
    m_sink.reject(where.location(), "reasoning exceeds output",
                  fmt::format("reasoning tokens {} exceed output tokens {} (expected reasoning to be part of output)",
                              r.counts[Counter::reasoning], r.counts[Counter::output]));
    return;
  }
  m_sink.record_billed_line(r);
}

void read_usage_csv(std::string_view text, const std::string& file, const ColumnMap& extra, RecordSink& sink)
{
  UsageCsvReader reader(file, extra, sink);
  reader.feed(text, 1, true);
  reader.finish();
}

} // namespace llmcost
