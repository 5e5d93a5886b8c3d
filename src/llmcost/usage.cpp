#include "llmcost/usage.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>

namespace llmcost {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

} // namespace

int written_decimal_places(std::string_view number)
{
  int places = 0;
  bool after_dot = false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (c == '.') {
      after_dot = true;
    } else if (c == 'e' || c == 'E') {
      int exponent = 0;
      std::string_view digits = number.substr(i + 1);
      const bool negative = !digits.empty() && digits[0] == '-';
      if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        digits.remove_prefix(1);
      }
      for (char d : digits.substr(0, 4)) {
        exponent = exponent * 10 + (d - '0');
      }
      places += negative ? exponent : -exponent;
      break;
    } else if (after_dot) {
      ++places;
    }
  }
  return std::max(places, 0);
}

namespace {

constexpr std::array<std::uint64_t, 13> k_powers_of_ten = {
    1ULL,        10ULL,        100ULL,        1000ULL,        10000ULL,        100000ULL,       1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL};

} // namespace

std::optional<Decimal> parse_billed_amount(std::string_view text, int& places)
{
  // Plain "[-]digits[.digits]" with at most 18 digits before the point and 12
  // after; anything else (exponents, long forms, errors) takes the full path.
  std::size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  const std::size_t whole_begin = i;
  std::uint64_t whole = 0;
  while (i < text.size() && i - whole_begin < 18 && static_cast<unsigned>(text[i] - '0') <= 9) {
    whole = whole * 10 + static_cast<unsigned>(text[i++] - '0');
  }
  const std::size_t whole_digits = i - whole_begin;
  std::uint64_t fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (text.size() - i >= 8) {
      if (const std::int64_t eight = eight_digits(load_bytes<std::uint64_t>(text.data() + i)); eight >= 0) {
        fraction = static_cast<std::uint64_t>(eight);
        fraction_digits = 8;
        i += 8;
      }
    }
    while (i < text.size() && fraction_digits < static_cast<std::size_t>(Decimal::k_scale_digits) &&
           static_cast<unsigned>(text[i] - '0') <= 9) {
      fraction = fraction * 10 + static_cast<unsigned>(text[i++] - '0');
      ++fraction_digits;
    }
  }
  if (i == text.size() && whole_digits + fraction_digits > 0) {
    const std::uint64_t scale_up = k_powers_of_ten[static_cast<std::size_t>(Decimal::k_scale_digits) - fraction_digits];
    const int128 raw = static_cast<int128>(whole) * Decimal::k_scale + static_cast<int128>(fraction * scale_up);
    places = static_cast<int>(fraction_digits);
    return Decimal::from_raw(text[0] == '-' ? -raw : raw);
  }
  places = written_decimal_places(text);
  return Decimal::parse_scientific(text);
}

std::optional<std::int32_t> parse_utc_offset(std::string_view text)
{
  if (text == "UTC" || text == "utc" || text == "Z" || text == "z" || text == "GMT") {
    return 0;
  }
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) {
    return std::nullopt;
  }
  int hours = 0;
  int minutes = 0;
  if (!digits_at(text, 1, 2, hours)) {
    return std::nullopt;
  }
  std::size_t pos = 3;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
  }
  if (pos < text.size() && !digits_at(text, pos, 2, minutes)) {
    return std::nullopt;
  }
  if (pos < text.size() && pos + 2 != text.size()) {
    return std::nullopt;
  }
  if (hours > 14 || minutes > 59) {
    return std::nullopt;
  }
  const int seconds = hours * 3600 + minutes * 60;
  return text[0] == '-' ? -seconds : seconds;
}

namespace {

// "YYYY-MM-DDTHH:MM:SS" (or a space for the T) at the start of `text`, the
// shape nearly every export writes; nullopt sends it to the general parser.
std::optional<std::int64_t> iso_seconds_fast(std::string_view text)
{
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto digit = [&](std::size_t i) { return static_cast<unsigned>(text[i] - '0'); };
  unsigned bad = 0;
  for (std::size_t i : {11, 12, 14, 15, 17, 18}) {
    bad |= digit(i) > 9 ? 1U : 0U;
  }
  const unsigned hour = digit(11) * 10 + digit(12);
  const unsigned minute = digit(14) * 10 + digit(15);
  const unsigned second = digit(17) * 10 + digit(18);
  if (bad != 0 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  // Rows come in time order, so the date is nearly always the last one seen.
  struct LastDate
  {
    std::uint64_t head = 0; // "YYYY-MM-"
    std::uint16_t tail = 0; // "DD"
    Day day = 0;
    bool valid = false;
  };
  thread_local LastDate last;
  std::uint64_t head = 0;
  std::uint16_t tail = 0;
  std::memcpy(&head, text.data(), 8);
  std::memcpy(&tail, text.data() + 8, 2);
  if (!last.valid || last.head != head || last.tail != tail) {
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      bad |= digit(i) > 9 ? 1U : 0U;
    }
    if (bad != 0) {
      return std::nullopt;
    }
    const int year = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3));
    const unsigned month = digit(5) * 10 + digit(6);
    const unsigned day = digit(8) * 10 + digit(9);
    static constexpr unsigned k_month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > k_month_days[month - 1]) {
      return std::nullopt;
    }
    if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
      return std::nullopt;
    }
    last = LastDate{head, tail, days_from_civil(year, month, day), true};
  }
  return static_cast<std::int64_t>(last.day) * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text)
{
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.size() == 19 || (text.size() == 20 && (text[19] == 'Z' || text[19] == 'z'))) {
    if (auto seconds = iso_seconds_fast(text)) {
      return seconds;
    }
  }
  if (text.size() == 10) {
    // Unix seconds of this century (as "created" in chat completions): one SWAR step.
    if (const std::int64_t high = eight_digits(load_bytes<std::uint64_t>(text.data()));
        high >= 0 && static_cast<unsigned>(text[8] - '0') <= 9 && static_cast<unsigned>(text[9] - '0') <= 9) {
      return high * 100 + (text[8] - '0') * 10 + (text[9] - '0');
    }
  }
  // Unix seconds (or milliseconds from 12 digits on), read as they are checked.
  std::int64_t unix_value = 0;
  std::size_t digits = 0;
  while (digits < text.size() && static_cast<unsigned>(text[digits] - '0') <= 9) {
    if (digits < 16) {
      unix_value = unix_value * 10 + (text[digits] - '0');
    }
    ++digits;
  }
  if (digits == text.size()) {
    if (text.size() > 16) {
      return std::nullopt;
    }
    return text.size() >= 12 ? unix_value / 1000 : unix_value;
  }
  const auto day = parse_date(text.substr(0, std::min<std::size_t>(10, text.size())));
  if (!day) {
    return std::nullopt;
  }
  std::int64_t seconds = static_cast<std::int64_t>(*day) * 86400;
  if (text.size() == 10) {
    return seconds;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits_at(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' || !digits_at(text, 14, 2, minute) ||
      hour > 23 || minute > 59) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits_at(text, pos + 1, 2, second) || second > 60) {
      return std::nullopt;
    }
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ++pos; // fractions of a second do not move the day
      }
    }
  }
  seconds += hour * 3600 + minute * 60 + second;
  if (pos == text.size()) {
    return seconds; // no zone: UTC
  }
  const auto offset = parse_utc_offset(text.substr(pos));
  if (!offset) {
    return std::nullopt;
  }
  return seconds - *offset;
}

Day day_at_offset(std::int64_t unix_seconds, std::int32_t offset_seconds)
{
  return static_cast<Day>(floor_div(unix_seconds + offset_seconds, 86400));
}

std::optional<Day> local_day_of(const UsageRecord& record, std::int32_t offset_seconds)
{
  if (!record.time) {
    return std::nullopt;
  }
  return day_at_offset(*record.time, offset_seconds);
}

bool outside_window(std::optional<Day> day, std::optional<Day> since, std::optional<Day> until)
{
  return day && ((since && *day < *since) || (until && *day > *until));
}

std::string week_key(Day day)
{
  // ISO 8601 week: the week belongs to the year of its Thursday.
  const int weekday = static_cast<int>((day + 3) % 7 + 7) % 7; // 0 = Monday
  const Day thursday = day - weekday + 3;
  int year = 0;
  unsigned month = 0;
  unsigned d = 0;
  civil_from_days(thursday, year, month, d);
  const Day first_of_year = days_from_civil(year, 1, 1);
  const int week = (thursday - first_of_year) / 7 + 1;
  return fmt::format("{:04}-W{:02}", year, week);
}

std::string month_key(Day day)
{
  return format_date(day).substr(0, 7);
}

std::string group_value(const std::string& dim, const UsageRecord& record, const ResolvedModel* model,
                        std::optional<Day> local_day)
{
  std::string value;
  if (dim == "provider") {
    value = model != nullptr ? model->card->provider : std::string(record.provider);
  } else if (dim == "model") {
    value = model != nullptr ? model->model->id : std::string(record.model);
  } else if (dim == "project" || dim == "workload") {
    value = record.project;
  } else if (dim == "key") {
    value = record.key;
  } else if (dim == "session") {
    value = record.session;
  } else if (local_day) {
    value = dim == "day" ? format_date(*local_day) : dim == "week" ? week_key(*local_day) : month_key(*local_day);
  }
  return value.empty() ? "(none)" : value;
}

namespace {

std::size_t mix(std::size_t seed, std::size_t value)
{
  // boost::hash_combine's constant; enough for a few dozen groups.
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

} // namespace

std::size_t RecordResolver::NamesHash::operator()(const Names& n) const noexcept
{
  return mix(std::hash<std::string_view>{}(n.first), std::hash<std::string_view>{}(n.second));
}

RecordResolver::RecordResolver(const Catalog& catalog, std::string provider_hint)
  : m_catalog(catalog)
  , m_provider_hint(std::move(provider_hint))
{
}

void RecordResolver::ignore_provider(std::string_view provider)
{
  if (std::find(m_ignored_providers.begin(), m_ignored_providers.end(), provider) == m_ignored_providers.end()) {
    m_ignored_providers.emplace_back(provider);
  }
}

namespace {

// The first and last bytes of a name as one number, with fixed-size loads.
inline std::uint64_t edge_bytes(std::string_view text)
{
  if (text.size() >= 8) {
    const auto head = load_bytes<std::uint64_t>(text.data());
    const auto tail = load_bytes<std::uint64_t>(text.data() + text.size() - 8);
    return (head * 0xC2B2AE3D27D4EB4FULL) ^ tail;
  }
  if (text.size() >= 4) {
    const auto head = load_bytes<std::uint32_t>(text.data());
    const auto tail = load_bytes<std::uint32_t>(text.data() + text.size() - 4);
    return (static_cast<std::uint64_t>(head) << 32) | tail;
  }
  std::uint64_t word = 0;
  for (const char c : text) {
    word = (word << 8) | static_cast<unsigned char>(c);
  }
  return word;
}

// A hash of a (provider, model) pair of names, for small direct-mapped caches
// (take its top bits). Names differ mostly at the end ("kimi-k2.5",
// "kimi-k2.6"): it mixes both ends and both lengths.
inline std::uint64_t names_hash(std::string_view provider, std::string_view model)
{
  std::uint64_t h = (edge_bytes(model) + model.size()) * 0x9E3779B97F4A7C15ULL;
  h ^= (edge_bytes(provider) + (provider.size() << 32)) * 0x165667B19E3779F9ULL;
  return h * 0x9E3779B97F4A7C15ULL;
}

} // namespace

std::size_t RecordResolver::recent_slot(std::string_view provider, std::string_view model)
{
  return static_cast<std::size_t>(names_hash(provider, model) >> 58); // 64 slots
}

const RecordResolver::Result& RecordResolver::resolve(std::string_view provider, std::string_view model)
{
  Recent& recent = m_recent[recent_slot(provider, model)];
  if (recent.result != nullptr && same_text(recent.model, model) && same_text(recent.provider, provider)) {
    return *recent.result;
  }
  auto it = m_cache.find(Names(provider, model));
  if (it == m_cache.end()) {
    it = m_cache.emplace(std::pair(std::string(provider), std::string(model)), lookup(provider, model)).first;
  }
  recent.provider = provider;
  recent.model = model;
  recent.result = &it->second;
  return it->second;
}

RecordResolver::Result RecordResolver::lookup(std::string_view provider, std::string_view model)
{
  Result r;
  ResolveFailure failure;
  std::string route = to_lower(provider);
  if (!route.empty() && m_catalog.find_card(route) == nullptr) {
    ignore_provider(provider);
    route.clear();
  }
  r.model = m_catalog.resolve(model, route, m_provider_hint, failure);
  if (!r.model) {
    r.category = failure.category;
    r.problem = failure.problem + (failure.expected.empty() ? "" : " (expected " + failure.expected + ")");
  }
  return r;
}

void RecordResolver::merge_notes(const RecordResolver& later)
{
  for (const auto& provider : later.m_ignored_providers) {
    ignore_provider(provider);
  }
}

std::vector<std::string> RecordResolver::notes() const
{
  std::vector<std::string> out;
  for (const auto& provider : m_ignored_providers) {
    out.push_back(fmt::format("provider \"{}\" is not a route with a rate card; the route was chosen from the model "
                              "(or --provider)",
                              provider));
  }
  return out;
}

bool prices_web_search(const ResolvedModel& model)
{
  return model.card->web_search_call_fee.has_value() || model.model->current().request_fee.has_value();
}

std::pair<std::string, std::string> unpriceable_reason(const UsageRecord& record, const ResolvedModel& model)
{
  const Card& card = *model.card;
  if (model.model->kind != ModelKind::chat) {
    return {"not a token-priced model", fmt::format("{}/{} is a {} model; token usage cannot be priced on it",
                                                    card.provider, model.model->id, to_string(model.model->kind))};
  }
  if (record.batch && !card.batch_available) {
    return {"batch on a route without batch pricing",
            fmt::format("batch request on route {}, which has no Batch API pricing", card.provider)};
  }
  if (record.web_search_calls > 0 && !prices_web_search(model)) {
    return {"no web-search price",
            fmt::format("web search calls on {}/{}, which has no web-search price", card.provider, model.model->id)};
  }
  return {};
}

namespace {

// Whole quantities (a record's, or a group's sums) as an additive Usage.
template <typename Counts> Usage usage_from_counts(const Counts& c)
{
  auto dec = [](auto v) { return Decimal::from_raw(static_cast<int128>(v) * Decimal::k_scale); };
  Usage u;
  u.requests = dec(c.requests);
  u.input = dec(c.input);
  u.cached_input = dec(c.cached_input);
  u.cache_write = dec(c.cache_write);
  u.output = dec(c.output);
  u.reasoning = dec(c.reasoning);
  u.web_search_calls = dec(c.web_search_calls);
  return u;
}

} // namespace

Usage usage_of(const UsageRecord& record)
{
  return usage_from_counts(record);
}

// A kept record: its key and a packed row of small numbers (varints: where,
// names as interned ids, counts), some 24 + 90 bytes where a UsageRecord
// takes 256. No default member values: a block of them is allocated without
// touching its pages, and find_or_add()/offer() set every field.
struct RecordDeduplicator::Kept
{
  const char* key;
  const unsigned char* row; // see RecordDeduplicator::offer
  std::uint32_t key_size;
};

namespace {

// A kept record's row, unpacked.
struct KeptRow
{
  bool has_time = false;
  bool batch = false;
  bool request_id_ends_key = false; // the request id is the end of the key ("cc:MESSAGE:REQUEST")
  std::uint64_t line = 0;
  std::int64_t time = 0;
  std::array<std::uint32_t, 6> names{}; // file, provider, model, project, key, session (0: empty)
  std::uint64_t requests = 0;
  std::uint64_t input = 0;
  std::uint64_t cached_input = 0;
  std::uint64_t cache_write = 0;
  std::uint64_t output = 0;
  std::uint64_t reasoning = 0;
  std::uint64_t web_search_calls = 0;
  std::uint64_t billed = 0;    // 1 + index of the billed amount, or 0
  std::string_view request_id; // when not the end of the key
  std::uint64_t request_id_size = 0;
};

constexpr unsigned k_row_has_time = 1;
constexpr unsigned k_row_batch = 2;
constexpr unsigned k_row_request_id_ends_key = 4;

// Writes `value` at `out` (ten bytes at most), returns the end.
char* put_varint(char* out, std::uint64_t value)
{
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}

std::uint64_t get_varint(const unsigned char*& at)
{
  std::uint64_t value = 0;
  for (unsigned shift = 0;; shift += 7) {
    const unsigned byte = *at++;
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) {
      return value;
    }
  }
}

KeptRow unpack_row(const unsigned char* at)
{
  KeptRow row;
  const std::uint64_t flags = get_varint(at);
  row.has_time = (flags & k_row_has_time) != 0;
  row.batch = (flags & k_row_batch) != 0;
  row.request_id_ends_key = (flags & k_row_request_id_ends_key) != 0;
  row.line = get_varint(at);
  if (row.has_time) {
    const std::uint64_t zigzag = get_varint(at);
    row.time = static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
  }
  for (auto& name : row.names) {
    name = static_cast<std::uint32_t>(get_varint(at));
  }
  row.requests = get_varint(at);
  row.input = get_varint(at);
  row.cached_input = get_varint(at);
  row.cache_write = get_varint(at);
  row.output = get_varint(at);
  row.reasoning = get_varint(at);
  row.web_search_calls = get_varint(at);
  row.billed = get_varint(at);
  row.request_id_size = get_varint(at);
  if (!row.request_id_ends_key) {
    row.request_id = std::string_view(reinterpret_cast<const char*>(at), row.request_id_size);
  }
  return row;
}

} // namespace

struct RecordDeduplicator::Storage
{
  static_assert(sizeof(void*) != 8 || sizeof(Kept) <= 24);
  static constexpr std::size_t k_block = 4096; // kept records per block: no copying as they grow

  std::vector<std::unique_ptr<Kept[]>> blocks;
  std::uint32_t count = 0;
  // Open addressing: (high 32 bits of the key's hash << 32) | (1 + record), 0 empty.
  std::vector<std::uint64_t> table;
  // Names that repeat (files, models, sessions), each stored once; id 0 is "".
  std::vector<std::string_view> names{std::string_view()};
  std::vector<std::uint32_t> name_table;     // open addressing: 1 + id, 0 empty
  std::array<std::uint32_t, 6> last_names{}; // the previous record's, checked first
  std::vector<std::pair<Decimal, int>> billed;
  // Text: keys, request ids and names, packed in chunks that never move.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::size_t chunk_left = 0;
  char* chunk_at = nullptr;

  Kept& at(std::uint32_t i) { return blocks[i / k_block][i % k_block]; }
  const Kept& at(std::uint32_t i) const { return blocks[i / k_block][i % k_block]; }

  static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  // `text`, then `more`, copied one after the other; null when both are empty.
  const char* store(std::string_view text, std::string_view more = {})
  {
    const std::size_t bytes = text.size() + more.size();
    if (bytes == 0) {
      return nullptr;
    }
    if (bytes > chunk_left) {
      // Small at first: a fork reading one small file keeps few records.
      const std::size_t grown = (std::size_t{16} << 10) << std::min<std::size_t>(chunks.size(), 6); // up to 1 MiB
      const std::size_t size = std::max(bytes, grown);
      chunks.emplace_back(new char[size]);
      chunk_at = chunks.back().get();
      chunk_left = size;
    }
    char* stored = chunk_at;
    std::memcpy(stored, text.data(), text.size());
    if (!more.empty()) {
      std::memcpy(stored + text.size(), more.data(), more.size());
    }
    chunk_at += bytes;
    chunk_left -= bytes;
    return stored;
  }

  std::uint32_t intern(std::string_view text, std::size_t field)
  {
    if (text.empty()) {
      return 0;
    }
    if (names[last_names[field]] == text) {
      return last_names[field];
    }
    if (name_table.size() < 2 * names.size() + 2) {
      rehash_names(std::max<std::size_t>(64, name_table.size() * 2));
    }
    const std::size_t mask = name_table.size() - 1;
    for (std::size_t slot = hash(text) & mask;; slot = (slot + 1) & mask) {
      const std::uint32_t entry = name_table[slot];
      if (entry == 0) {
        const auto id = static_cast<std::uint32_t>(names.size());
        names.emplace_back(store(text), text.size());
        name_table[slot] = id + 1;
        return last_names[field] = id;
      }
      if (names[entry - 1] == text) {
        return last_names[field] = entry - 1;
      }
    }
  }

  void rehash_names(std::size_t size)
  {
    name_table.assign(size, 0);
    for (std::uint32_t id = 1; id < names.size(); ++id) {
      std::size_t slot = hash(names[id]) & (size - 1);
      while (name_table[slot] != 0) {
        slot = (slot + 1) & (size - 1);
      }
      name_table[slot] = id + 1;
    }
  }

  void rehash(std::size_t size)
  {
    table.assign(size, 0);
    for (std::uint32_t i = 0; i < count; ++i) {
      const Kept& kept = at(i);
      const std::uint64_t h = hash(std::string_view(kept.key, kept.key_size));
      std::size_t slot = h & (size - 1);
      while (table[slot] != 0) {
        slot = (slot + 1) & (size - 1);
      }
      table[slot] = (h >> 32 << 32) | (i + 1);
    }
  }

  // The record kept under `key`, or a new empty one (`added`).
  Kept& find_or_add(std::string_view key, bool& added)
  {
    if (table.size() < 2 * std::size_t{count} + 2) {
      rehash(std::max<std::size_t>(1024, table.size() * 2));
    }
    const std::uint64_t h = hash(key);
    const std::uint64_t tag = h >> 32 << 32;
    const std::size_t mask = table.size() - 1;
    for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
      const std::uint64_t entry = table[slot];
      if (entry == 0) {
        if (count % k_block == 0) {
          blocks.emplace_back(new Kept[k_block]);
        }
        const std::uint32_t i = count++;
        table[slot] = tag | (i + 1);
        Kept& kept = at(i);
        kept.key = store(key);
        kept.key_size = static_cast<std::uint32_t>(key.size());
        added = true;
        return kept;
      }
      if ((entry & 0xFFFFFFFF00000000ULL) == tag) {
        Kept& kept = at(static_cast<std::uint32_t>(entry & 0xFFFFFFFFULL) - 1);
        if (std::string_view(kept.key, kept.key_size) == key) { // exact: a hash is never enough
          added = false;
          return kept;
        }
      }
    }
  }
};

RecordDeduplicator::RecordDeduplicator()
  : m_storage(std::make_unique<Storage>())
{
}
RecordDeduplicator::~RecordDeduplicator() = default;
RecordDeduplicator::RecordDeduplicator(RecordDeduplicator&&) noexcept = default;
RecordDeduplicator& RecordDeduplicator::operator=(RecordDeduplicator&&) noexcept = default;

void RecordDeduplicator::clear()
{
  m_storage = std::make_unique<Storage>();
}

namespace {

std::uint64_t record_size(std::uint64_t input, std::uint64_t cached_input, std::uint64_t output,
                          std::uint64_t web_search_calls)
{
  return input + cached_input + output + web_search_calls;
}

} // namespace

bool RecordDeduplicator::offer(std::string_view key, const UsageRecord& record)
{
  Storage& s = *m_storage;
  bool added = false;
  Kept& kept = s.find_or_add(key, added);
  if (!added) {
    const KeptRow row = unpack_row(kept.row);
    if (record_size(record.input, record.cached_input, record.output, record.web_search_calls) <=
        record_size(row.input, row.cached_input, row.output, row.web_search_calls)) {
      return false; // the copy kept is as full: the earliest fullest copy wins
    }
  }
  const bool request_id_ends_key = std::string_view(kept.key, kept.key_size).ends_with(record.request_id);
  // Flags, line, time, 6 names, 7 counts, billed, request id size: 18 varints.
  std::array<char, 18 * 10> packed;
  char* at = packed.data();
  at = put_varint(at, (record.time ? k_row_has_time : 0) | (record.batch ? k_row_batch : 0) |
                          (request_id_ends_key ? k_row_request_id_ends_key : 0));
  at = put_varint(at, record.where.line);
  if (record.time) {
    const auto time = static_cast<std::uint64_t>(*record.time);
    at = put_varint(at, (time << 1) ^ (*record.time < 0 ? ~std::uint64_t{0} : 0)); // zigzag
  }
  at = put_varint(at, s.intern(record.where.file, 0));
  at = put_varint(at, s.intern(record.provider, 1));
  at = put_varint(at, s.intern(record.model, 2));
  at = put_varint(at, s.intern(record.project, 3));
  at = put_varint(at, s.intern(record.key, 4));
  at = put_varint(at, s.intern(record.session, 5));
  for (const std::uint64_t count : {record.requests, record.input, record.cached_input, record.cache_write,
                                    record.output, record.reasoning, record.web_search_calls}) {
    at = put_varint(at, count);
  }
  std::uint64_t billed = 0;
  if (record.billed) {
    s.billed.emplace_back(*record.billed, record.billed_places);
    billed = s.billed.size();
  }
  at = put_varint(at, billed);
  at = put_varint(at, record.request_id.size());
  const std::string_view row(packed.data(), static_cast<std::size_t>(at - packed.data()));
  kept.row = reinterpret_cast<const unsigned char*>(
      s.store(row, request_id_ends_key ? std::string_view() : record.request_id));
  return added;
}

UsageRecord RecordDeduplicator::expand(std::uint32_t index) const
{
  const Storage& s = *m_storage;
  const Kept& kept = s.at(index);
  const KeptRow row = unpack_row(kept.row);
  UsageRecord r;
  r.where = SourceLine{s.names[row.names[0]], static_cast<std::size_t>(row.line)};
  if (row.has_time) {
    r.time = row.time;
  }
  r.provider = s.names[row.names[1]];
  r.model = s.names[row.names[2]];
  r.project = s.names[row.names[3]];
  r.key = s.names[row.names[4]];
  r.session = s.names[row.names[5]];
  r.request_id = row.request_id_ends_key
                     ? std::string_view(kept.key + kept.key_size - row.request_id_size, row.request_id_size)
                     : row.request_id;
  r.requests = row.requests;
  r.input = row.input;
  r.cached_input = row.cached_input;
  r.cache_write = row.cache_write;
  r.output = row.output;
  r.reasoning = row.reasoning;
  r.web_search_calls = row.web_search_calls;
  r.batch = row.batch;
  if (row.billed != 0) {
    r.billed = s.billed[row.billed - 1].first;
    r.billed_places = s.billed[row.billed - 1].second;
  }
  return r;
}

std::vector<std::uint32_t> RecordDeduplicator::drain_order() const
{
  const Storage& s = *m_storage;
  // Files by name once, then records by (file's rank, line).
  std::vector<std::uint32_t> by_name(s.names.size());
  for (std::uint32_t id = 0; id < by_name.size(); ++id) {
    by_name[id] = id;
  }
  std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) { return s.names[a] < s.names[b]; });
  std::vector<std::uint32_t> rank(s.names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) {
    rank[by_name[r]] = r;
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> where(s.count); // (file's rank, line), unpacked once
  std::vector<std::uint32_t> order(s.count);
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    const KeptRow row = unpack_row(s.at(i).row);
    where[i] = {rank[row.names[0]], row.line};
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return where[a] < where[b]; });
  return order;
}

std::uint64_t RecordDeduplicator::absorb(RecordDeduplicator& later, std::size_t line_offset)
{
  // Each key appears once in `later`, and an equal copy never replaces the
  // one kept here: the earliest fullest copy wins, as in a single pass.
  std::uint64_t duplicates = 0;
  const Storage& from = *later.m_storage;
  for (std::uint32_t i = 0; i < from.count; ++i) {
    UsageRecord moved = later.expand(i);
    moved.where.line += line_offset;
    if (!offer(std::string_view(from.at(i).key, from.at(i).key_size), moved)) {
      ++duplicates;
    }
  }
  later.clear();
  return duplicates;
}

UsageAggregator::UsageAggregator(const Catalog& catalog, AggregateOptions options)
  : m_catalog(catalog)
  , m_options(std::move(options))
  , m_resolver(catalog, m_options.provider_hint)
{
  m_request_ids.checking = m_options.check_request_ids != 0;
  if (m_options.group_by.empty()) {
    m_options.group_by = {"provider", "model"};
  }
  if (m_options.group_by.size() > k_max_dimensions) {
    throw Error(Location{}, fmt::format("--by names {} dimensions", m_options.group_by.size()),
                fmt::format("at most {}", k_max_dimensions));
  }
  for (const auto& name : m_options.group_by) {
    m_dimensions.push_back(name == "provider"                        ? Dimension::provider
                           : name == "model"                         ? Dimension::model
                           : name == "project" || name == "workload" ? Dimension::project
                           : name == "key"                           ? Dimension::key
                           : name == "session"                       ? Dimension::session
                           : name == "day"                           ? Dimension::day
                           : name == "week"                          ? Dimension::week
                           : name == "month"                         ? Dimension::month
                                                                     : Dimension::other);
  }
  m_group_follows_model = std::all_of(m_dimensions.begin(), m_dimensions.end(), [](Dimension d) {
    return d == Dimension::provider || d == Dimension::model || d == Dimension::other;
  });
}

std::unique_ptr<RecordSink> UsageAggregator::fork() const
{
  if (m_options.strict) {
    return nullptr; // the first rejection in input order must stop the run
  }
  auto fork = std::make_unique<UsageAggregator>(m_catalog, m_options);
  fork->m_request_ids.run_rows = m_request_ids.run_rows;
  fork->m_request_ids.checking = m_request_ids.checking;
  return fork;
}

void UsageAggregator::join(RecordSink& later_sink, std::size_t line_offset)
{
  auto& later = dynamic_cast<UsageAggregator&>(later_sink);
  const RecordCounts& c = later.m_counts;
  m_counts.read += c.read;
  m_counts.priced += c.priced;
  m_counts.rejected += c.rejected;
  m_counts.duplicates += c.duplicates;
  m_counts.filtered += c.filtered;
  for (const auto& [reason, n] : c.skipped_lines) {
    m_counts.skipped_lines[reason] += n;
  }
  for (const auto& [reason, n] : c.rejected_by_reason) {
    m_counts.rejected_by_reason[reason] += n;
  }
  for (auto& pending : later.m_first_rejections) {
    if (m_first_rejections.size() >= m_options.show_rejects) {
      break;
    }
    if (pending.where.line != 0) {
      pending.where.line += line_offset;
    }
    m_first_rejections.push_back(std::move(pending));
  }
  m_counts.duplicates += m_deduplicator.absorb(later.m_deduplicator, line_offset);
  // later.m_responses (and request ids) are in this sink's sets already (see admit).
  RequestIdCheck& ids = later.m_request_ids;
  m_request_ids.rows_with_id += ids.rows_with_id;
  m_request_ids.repeated += ids.repeated;
  for (auto& repeat : ids.first_repeats) {
    if (m_request_ids.first_repeats.size() >= m_options.show_rejects) {
      break;
    }
    repeat.where.line += line_offset;
    m_request_ids.first_repeats.push_back(std::move(repeat));
  }
  ids.shared = 0; // counted here now (see the destructor)
  m_resolver.merge_notes(later.m_resolver);
  for (const auto& [later_key, acc] : later.m_groups) {
    GroupKey key = later_key;
    for (std::size_t i = 0; i < m_dimensions.size(); ++i) {
      const Dimension d = m_dimensions[i];
      if (d == Dimension::project || d == Dimension::key || d == Dimension::session) {
        key.values[i] = intern(*later.m_interned[static_cast<std::size_t>(key.values[i])]);
      }
    }
    m_groups[key].add(acc);
  }
  if (later.m_first_day) {
    m_first_day = m_first_day ? std::min(*m_first_day, *later.m_first_day) : later.m_first_day;
    m_last_day = m_last_day ? std::max(*m_last_day, *later.m_last_day) : later.m_last_day;
  }
}

void UsageAggregator::reject(const Location& where, const std::string& category, const std::string& detail)
{
  ++m_counts.read;
  count_rejection(where, category, detail);
}

void UsageAggregator::skip(const std::string& reason)
{
  ++m_counts.skipped_lines[reason];
}

void UsageAggregator::record_response(const ResponseKey& key, const UsageRecord& record)
{
  ++m_counts.read;
  switch (m_responses.insert(key)) {
  case ResponseSet::Seen::first:
    process(record);
    break;
  case ResponseSet::Seen::again:
    ++m_counts.duplicates;
    break;
  case ResponseSet::Seen::conflicting:
    // Which copy is right cannot be told: neither is billed twice.
    count_rejection(record.where.location(), k_conflicting_response, conflicting_response_detail(record));
    break;
  }
}

std::string conflicting_response_detail(const UsageRecord& record)
{
  return fmt::format("response {} was read before with other usage (model {}, {} input, {} cached, {} output "
                     "tokens here); one response is billed once (expected copies of a response to agree)",
                     elide(std::string(record.request_id), 80), record.model, record.input, record.cached_input,
                     record.output);
}

namespace {

// Puts the sets of a file's forks into `into`, each in one ascending pass.
// False when an id is in two of them (or already in `into`): then `into` is
// left as it was.
bool insert_all(ResponseSet& into, const std::vector<const ResponseSet*>& sets)
{
  std::size_t total = into.size();
  for (const ResponseSet* set : sets) {
    total += set->size();
  }
  into.reserve(total);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    std::size_t inserted = 0;
    bool seen = false;
    sets[i]->for_each([&](const ResponseKey& key) {
      if (!seen) {
        seen = into.insert(key) != ResponseSet::Seen::first;
        inserted += seen ? 0 : 1;
      }
    });
    if (seen) {
      // Undo exactly what went in: all of the earlier sets, the first
      // `inserted` of this one (for_each visits in the same order).
      for (std::size_t j = 0; j <= i; ++j) {
        std::size_t visited = 0;
        sets[j]->for_each([&](const ResponseKey& key) {
          if (j < i || visited++ < inserted) {
            into.erase(key);
          }
        });
      }
      return false;
    }
  }
  return true;
}

void erase_all(ResponseSet& from, const std::vector<const ResponseSet*>& sets)
{
  for (const ResponseSet* set : sets) {
    set->for_each([&](const ResponseKey& key) { from.erase(key); });
  }
}

} // namespace

bool UsageAggregator::admit(const std::vector<RecordSink*>& later)
{
  // A response (or a tabular row's request id) already here, or in an
  // earlier fork, sends the file to one pass: that counts a response once
  // and finds where a request id repeats, to the line.
  std::vector<const ResponseSet*> responses;
  std::vector<const ResponseSet*> request_ids;
  bool checking_ids = m_request_ids.checking;
  for (RecordSink* sink : later) {
    const auto& fork = dynamic_cast<const UsageAggregator&>(*sink);
    responses.push_back(&fork.m_responses);
    request_ids.push_back(&fork.m_request_ids.ids);
    checking_ids = checking_ids && fork.m_request_ids.checking;
  }
  if (!insert_all(m_responses, responses)) {
    return false;
  }
  if (!checking_ids) {
    stop_checking_request_ids();
  } else if (!insert_all(m_request_ids.ids, request_ids)) {
    erase_all(m_responses, responses);
    return false;
  }
  return true;
}

void UsageAggregator::record_once(const std::string& key, const UsageRecord& record)
{
  ++m_counts.read;
  if (!m_deduplicator.offer(key, record)) {
    ++m_counts.duplicates;
  }
}

void UsageAggregator::count_rejection(const Location& where, const std::string& category, const std::string& detail)
{
  if (m_options.strict) {
    throw Error(where, detail);
  }
  ++m_counts.rejected;
  ++m_counts.rejected_by_reason[category];
  if (m_first_rejections.size() < m_options.show_rejects) {
    m_first_rejections.push_back({where, detail});
  }
}

void UsageAggregator::record(const UsageRecord& record)
{
  ++m_counts.read;
  process(record);
}

void UsageAggregator::record_billed_line(const UsageRecord& record)
{
  ++m_counts.read;
  if (!record.request_id.empty()) {
    ++m_request_ids.rows_with_id;
    if (m_request_ids.checking) {
      check_request_id(record);
    }
  }
  process(record);
}

void UsageAggregator::check_request_id(const UsageRecord& record)
{
  RequestIdCheck& c = m_request_ids;
  const std::uint64_t limit = m_options.check_request_ids;
  if (limit != AggregateOptions::k_check_request_ids_all) {
    // The run's count is shared by the forks, added to in batches: a
    // shared counter written on every row costs more than the check.
    if (++c.unshared == 256) {
      c.run_rows_seen = c.run_rows->fetch_add(c.unshared, std::memory_order_relaxed) + c.unshared;
      c.shared += c.unshared;
      c.unshared = 0;
    }
    if (c.run_rows_seen + c.unshared > limit) {
      stop_checking_request_ids();
      return;
    }
  }
  if (c.ids.insert(ResponseKey(fingerprint(record.request_id), 0)) != ResponseSet::Seen::first) {
    ++c.repeated;
    if (c.first_repeats.size() < m_options.show_rejects) {
      c.first_repeats.push_back({record.where.location(), std::string(record.request_id)});
    }
  }
}

UsageAggregator::~UsageAggregator()
{
  // A fork dropped unjoined (its file is read again in one pass) takes its
  // rows back out of the run's count, or the pass would count them twice.
  if (m_request_ids.shared > 0) {
    m_request_ids.run_rows->fetch_sub(m_request_ids.shared, std::memory_order_relaxed);
  }
}

void UsageAggregator::stop_checking_request_ids()
{
  m_request_ids.checking = false;
  m_request_ids.ids = ResponseSet{};
}

std::size_t UsageAggregator::GroupKeyHash::operator()(const GroupKey& key) const noexcept
{
  std::size_t h = std::hash<const void*>{}(key.model);
  h = mix(h, std::hash<const void*>{}(key.prices));
  h = mix(h, key.batch ? 1 : 0);
  for (std::size_t i = 0; i < key.dimensions; ++i) {
    h = mix(h, static_cast<std::size_t>(key.values[i]));
  }
  return h;
}

bool UsageAggregator::GroupKey::operator==(const GroupKey& other) const
{
  if (card != other.card || model != other.model || prices != other.prices || batch != other.batch ||
      dimensions != other.dimensions) {
    return false;
  }
  for (std::size_t i = 0; i < dimensions; ++i) {
    if (values[i] != other.values[i]) {
      return false;
    }
  }
  return true;
}

UsageAggregator::Accumulator& UsageAggregator::group(const GroupKey& key)
{
  const std::size_t hash = GroupKeyHash{}(key);
  RecentGroup& recent = m_recent_groups[(hash ^ (hash >> 17)) % m_recent_groups.size()];
  if (recent.key != nullptr && recent.hash == hash && *recent.key == key) {
    return *recent.accumulator;
  }
  auto& node = *m_groups.try_emplace(key).first;
  recent = RecentGroup{hash, &node.first, &node.second};
  return node.second;
}

void UsageAggregator::Accumulator::add(const Accumulator& other)
{
  requests += other.requests;
  input += other.input;
  cached_input += other.cached_input;
  cache_write += other.cache_write;
  output += other.output;
  reasoning += other.reasoning;
  web_search_calls += other.web_search_calls;
}

std::int64_t UsageAggregator::intern(std::string_view text)
{
  auto it = m_interned_ids.find(text);
  if (it != m_interned_ids.end()) {
    return it->second;
  }
  const auto id = static_cast<std::int64_t>(m_interned.size());
  m_interned.push_back(std::make_unique<std::string>(text));
  m_interned_ids.emplace(*m_interned.back(), id);
  return id;
}

std::int64_t UsageAggregator::day_value(Dimension dimension, std::optional<Day> local_day)
{
  if (!local_day) {
    return INT64_MIN; // undated: "(none)"
  }
  if (dimension == Dimension::day) {
    return *local_day;
  }
  if (!m_have_cached_day || m_cached_day != *local_day) {
    // Weeks are keyed by their Monday, months by their first day.
    const int weekday = static_cast<int>((*local_day + 3) % 7 + 7) % 7;
    m_cached_week = *local_day - weekday;
    m_cached_month = month_start(*local_day);
    m_cached_day = *local_day;
    m_have_cached_day = true;
  }
  return dimension == Dimension::week ? m_cached_week : m_cached_month;
}

namespace {

template <typename Accumulator> void add_counts(Accumulator& acc, const UsageRecord& record)
{
  acc.requests += record.requests;
  acc.input += record.input;
  acc.cached_input += record.cached_input;
  acc.cache_write += record.cache_write;
  acc.output += record.output;
  acc.reasoning += record.reasoning;
  acc.web_search_calls += record.web_search_calls;
}

} // namespace

void UsageAggregator::note_priced_day(Day utc_day)
{
  m_first_day = m_first_day ? std::min(*m_first_day, utc_day) : utc_day;
  m_last_day = m_last_day ? std::max(*m_last_day, utc_day) : utc_day;
}

void UsageAggregator::process(const UsageRecord& record)
{
  // A record like a recent one goes where it went, through the same checks
  // (each of them decided by the model, batch and UTC day but the window).
  RecentRecord* recent = nullptr;
  std::int64_t recent_day = k_undated; // the record's UTC day, as the memo keys it
  if (m_group_follows_model) {
    recent = &m_recent_records[static_cast<std::size_t>(names_hash(record.provider, record.model) >> 57) ^
                               (record.batch ? 1U : 0U)];
    recent_day = record.time ? day_at_offset(*record.time, 0) : k_undated;
    if (recent->accumulator != nullptr && recent->utc_day == recent_day && recent->batch == record.batch &&
        (record.web_search_calls == 0 || recent->web_search_priced) && !record.model.empty() &&
        same_text(recent->model, record.model) && same_text(recent->provider, record.provider)) {
      if (outside_window(local_day_of(record, m_options.tz_offset_seconds), m_options.since, m_options.until)) {
        ++m_counts.filtered;
        return;
      }
      if (record.time) {
        note_priced_day(static_cast<Day>(recent_day));
      }
      add_counts(*recent->accumulator, record);
      ++m_counts.priced;
      return;
    }
  }
  if (record.model.empty()) {
    count_rejection(record.where.location(), "no model", "no model name (expected the model column to be filled)");
    return;
  }
  const RecordResolver::Result& resolution = m_resolver.resolve(record.provider, record.model);
  if (!resolution.model) {
    count_rejection(record.where.location(), resolution.category, resolution.problem);
    return;
  }
  const ResolvedModel& model = *resolution.model;
  if (model.model->kind != ModelKind::chat || (record.batch && !model.card->batch_available) ||
      record.web_search_calls > 0) {
    if (const auto [category, why] = unpriceable_reason(record, model); !why.empty()) {
      count_rejection(record.where.location(), category, why);
      return;
    }
  }
  const std::optional<Day> local_day = local_day_of(record, m_options.tz_offset_seconds);
  if (outside_window(local_day, m_options.since, m_options.until)) {
    ++m_counts.filtered;
    return;
  }
  const PriceSet* prices = &model.model->current();
  if (record.time) {
    // Prices change on UTC dates.
    const Day utc_day = day_at_offset(*record.time, 0);
    prices = model.model->periods.size() == 1 && model.model->periods.front().from <= utc_day
                 ? &model.model->periods.front()
                 : model.model->prices_on(utc_day);
    if (prices == nullptr) {
      count_rejection(record.where.location(), "no price in effect on the record's date",
                      fmt::format("no price in effect on {}: {}/{} is priced from {}", format_date(utc_day),
                                  model.card->provider, model.model->id,
                                  format_date(model.model->periods.front().from)));
      return;
    }
    note_priced_day(utc_day);
  }
  GroupKey key;
  key.card = model.card;
  key.model = model.model;
  key.prices = prices;
  key.batch = record.batch;
  key.dimensions = static_cast<std::uint8_t>(m_dimensions.size());
  for (std::size_t i = 0; i < m_dimensions.size(); ++i) {
    switch (m_dimensions[i]) {
    case Dimension::provider:
    case Dimension::model:
    case Dimension::other:
      break; // follows from the model
    case Dimension::project:
      key.values[i] = intern(record.project);
      break;
    case Dimension::key:
      key.values[i] = intern(record.key);
      break;
    case Dimension::session:
      key.values[i] = intern(record.session);
      break;
    case Dimension::day:
    case Dimension::week:
    case Dimension::month:
      key.values[i] = day_value(m_dimensions[i], local_day);
      break;
    }
  }
  Accumulator& acc = group(key);
  add_counts(acc, record);
  ++m_counts.priced;
  if (recent != nullptr) {
    recent->provider = record.provider;
    recent->model = record.model;
    recent->batch = record.batch;
    recent->web_search_priced = prices_web_search(model);
    recent->utc_day = recent_day;
    recent->accumulator = &acc;
  }
}

std::vector<std::string> UsageAggregator::key_texts(const GroupKey& key) const
{
  std::vector<std::string> texts;
  const ResolvedModel model{key.card, key.model};
  for (std::size_t i = 0; i < m_dimensions.size(); ++i) {
    UsageRecord sample; // the group's values, as group_value reads them from a record
    std::optional<Day> day;
    const Dimension d = m_dimensions[i];
    if (d == Dimension::project || d == Dimension::key || d == Dimension::session) {
      const std::string& text = *m_interned[static_cast<std::size_t>(key.values[i])];
      (d == Dimension::project ? sample.project : d == Dimension::key ? sample.key : sample.session) = text;
    } else if ((d == Dimension::day || d == Dimension::week || d == Dimension::month) && key.values[i] != INT64_MIN) {
      day = static_cast<Day>(key.values[i]);
    }
    texts.push_back(group_value(m_options.group_by[i], sample, &model, day));
  }
  return texts;
}

Report UsageAggregator::finish()
{
  m_deduplicator.drain([this](const UsageRecord& r) { process(r); });

  Report report;
  report.key_names = m_options.group_by;
  report.has_records = true;
  report.first_day = m_first_day;
  report.last_day = m_last_day;
  report.records = m_counts;
  for (const auto& note : input_notes()) {
    report.add_note(note);
  }
  for (const auto& pending : m_first_rejections) {
    report.records.first_rejections.push_back({pending.where.to_string(), pending.detail});
  }
  RepeatedRequestIds& repeats = report.repeated_request_ids;
  repeats.rows_with_id = m_request_ids.rows_with_id;
  repeats.limit = m_options.check_request_ids;
  // Decided on the whole run's count, so the answer does not depend on
  // how the input was cut for the threads.
  // (A sink stops early only past the limit, but may stop on a count that
  // included a piece later read again: it then says it did not check.)
  repeats.checked = repeats.rows_with_id == 0 || (m_request_ids.checking && repeats.rows_with_id <= repeats.limit);
  if (repeats.checked) {
    repeats.repeated = m_request_ids.repeated;
    for (const auto& pending : m_request_ids.first_repeats) {
      repeats.first.push_back({pending.where.to_string(), pending.detail});
    }
  }
  if (const std::string note = repeated_request_ids_note(repeats); !note.empty()) {
    report.add_note(note);
  }
  struct Group
  {
    std::vector<std::string> keys;
    const GroupKey* key;
    const Accumulator* acc;
  };
  std::vector<Group> groups;
  groups.reserve(m_groups.size());
  for (const auto& [key, acc] : m_groups) {
    groups.push_back(Group{key_texts(key), &key, &acc});
  }
  // Deterministic order: by keys, then by pricing unit.
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (a.keys != b.keys) {
      return a.keys < b.keys;
    }
    if (a.key->card->provider != b.key->card->provider) {
      return a.key->card->provider < b.key->card->provider;
    }
    if (a.key->model->id != b.key->model->id) {
      return a.key->model->id < b.key->model->id;
    }
    if (a.key->prices->from != b.key->prices->from) {
      return a.key->prices->from < b.key->prices->from;
    }
    return a.key->batch < b.key->batch;
  });
  for (const Group& group : groups) {
    const Card& card = *group.key->card;
    const Model& model = *group.key->model;
    const PriceSet& prices = *group.key->prices;
    const Accumulator& acc = *group.acc;
    const Usage usage = usage_from_counts(acc);
    const Priced priced = price_usage(PriceRequest{&card, &model, &prices, group.key->batch, {}}, usage);
    if (!priced.cost) {
      throw Error("internal error: a checked record group could not be priced: " + priced.not_priceable);
    }
    report.prices_used[card.provider + "/" + model.id] = describe_prices(card, model, prices);
    if (acc.web_search_calls > 0 && card.web_search_call_fee && !prices.request_fee) {
      report.prices_used[card.provider + "/$web_search"] =
          card.web_search_call_fee->amount.to_exact_string(2) + " per call";
    }
    if (report.rows.empty() || report.rows.back().keys != group.keys) {
      report.rows.push_back(ReportRow{group.keys, {}, {}, 0});
    }
    ReportRow& row = report.rows.back();
    row.usage += usage;
    row.cost += *priced.cost;
    row.notes |= priced.notes;
    for (const auto& note : describe_notes(priced.notes, card, model)) {
      report.add_note(note);
    }
  }
  for (const auto& row : report.rows) {
    report.total_usage += row.usage;
    report.total_cost += row.cost;
  }
  for (const auto& note : m_resolver.notes()) {
    report.add_note(note);
  }
  return report;
}

} // namespace llmcost
