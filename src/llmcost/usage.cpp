#include "llmcost/usage.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
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
  const std::size_t e = number.find_first_of("eE");
  const std::string_view mantissa = number.substr(0, e);
  const std::size_t dot = mantissa.find('.');
  int places = dot == std::string_view::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1);
  if (e != std::string_view::npos) {
    int exponent = 0;
    std::string_view digits = number.substr(e + 1);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      digits.remove_prefix(1);
    }
    for (char c : digits.substr(0, 4)) {
      exponent = exponent * 10 + (c - '0');
    }
    places += negative ? exponent : -exponent;
  }
  return std::max(places, 0);
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

std::optional<std::int64_t> parse_timestamp(std::string_view text)
{
  if (text.empty()) {
    return std::nullopt;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 16) {
      return std::nullopt;
    }
    std::int64_t value = 0;
    for (char c : text) {
      value = value * 10 + (c - '0');
    }
    return text.size() >= 12 ? value / 1000 : value; // milliseconds from 12 digits on
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

UsageAggregator::UsageAggregator(const Catalog& catalog, AggregateOptions options)
  : m_options(std::move(options))
  , m_resolver(catalog, m_options.provider_hint)
{
  if (m_options.group_by.empty()) {
    m_options.group_by = {"provider", "model"};
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

void RecordDeduplicator::Kept::keep(const UsageRecord& source)
{
  record = source;
  file = source.where.file;
  provider = source.provider;
  model = source.model;
  request_id = source.request_id;
  project = source.project;
  key = source.key;
  session = source.session;
  record.provider = provider;
  record.model = model;
  record.request_id = request_id;
  record.project = project;
  record.key = key;
  record.session = session;
}

bool RecordDeduplicator::offer(const std::string& key, const UsageRecord& record)
{
  auto [it, inserted] = m_kept.try_emplace(key);
  if (inserted) {
    it->second.keep(record);
    return true;
  }
  auto size = [](const UsageRecord& r) { return r.input + r.cached_input + r.output + r.web_search_calls; };
  if (size(record) > size(it->second.record)) {
    it->second.keep(record); // keep the fullest copy
  }
  return false;
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
  if (m_counts.first_rejections.size() < m_options.show_rejects) {
    m_counts.first_rejections.push_back({where.to_string(), detail});
  }
}

RecordResolver::RecordResolver(const Catalog& catalog, std::string provider_hint)
  : m_catalog(catalog)
  , m_provider_hint(std::move(provider_hint))
{
}

const RecordResolver::Result& RecordResolver::resolve(std::string_view provider, std::string_view model)
{
  m_scratch.assign(provider);
  m_scratch += '\x1f';
  m_scratch.append(model);
  auto it = m_cache.find(m_scratch);
  if (it != m_cache.end()) {
    return it->second;
  }
  Result r;
  ResolveFailure failure;
  std::string route = to_lower(provider);
  if (!route.empty() && m_catalog.find_card(route) == nullptr) {
    if (std::find(m_ignored_providers.begin(), m_ignored_providers.end(), std::string(provider)) ==
        m_ignored_providers.end()) {
      m_ignored_providers.emplace_back(provider);
    }
    route.clear();
  }
  r.model = m_catalog.resolve(model, route, m_provider_hint, failure);
  if (!r.model) {
    r.category = failure.category;
    r.problem = failure.problem + (failure.expected.empty() ? "" : " (expected " + failure.expected + ")");
  }
  return m_cache.emplace(m_scratch, std::move(r)).first->second;
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
  if (record.web_search_calls > 0 && !card.web_search_call_fee && !model.model->current().request_fee) {
    return {"no web-search price",
            fmt::format("web search calls on {}/{}, which has no web-search price", card.provider, model.model->id)};
  }
  return {};
}

Usage usage_of(const UsageRecord& record)
{
  auto dec = [](std::uint64_t v) { return Decimal::from_raw(static_cast<int128>(v) * Decimal::k_scale); };
  Usage u;
  u.requests = dec(record.requests);
  u.input = dec(record.input);
  u.cached_input = dec(record.cached_input);
  u.cache_write = dec(record.cache_write);
  u.output = dec(record.output);
  u.reasoning = dec(record.reasoning);
  u.web_search_calls = dec(record.web_search_calls);
  return u;
}

void UsageAggregator::record(const UsageRecord& record)
{
  ++m_counts.read;
  process(record);
}

void UsageAggregator::process(const UsageRecord& record)
{
  if (record.model.empty()) {
    count_rejection(record.where, "no model", "no model name (expected the model column to be filled)");
    return;
  }
  const RecordResolver::Result& resolution = m_resolver.resolve(record.provider, record.model);
  if (!resolution.model) {
    count_rejection(record.where, resolution.category, resolution.problem);
    return;
  }
  const ResolvedModel& model = *resolution.model;
  if (const auto [category, why] = unpriceable_reason(record, model); !why.empty()) {
    count_rejection(record.where, category, why);
    return;
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
    prices = model.model->prices_on(utc_day);
    if (prices == nullptr) {
      count_rejection(record.where, "no price in effect on the record's date",
                      fmt::format("no price in effect on {}: {}/{} is priced from {}", format_date(utc_day),
                                  model.card->provider, model.model->id,
                                  format_date(model.model->periods.front().from)));
      return;
    }
  }
  if (record.time) {
    const Day utc = day_at_offset(*record.time, 0);
    m_first_day = m_first_day ? std::min(*m_first_day, utc) : utc;
    m_last_day = m_last_day ? std::max(*m_last_day, utc) : utc;
  }
  std::vector<std::string> keys;
  keys.reserve(m_options.group_by.size());
  std::string id;
  for (const auto& dim : m_options.group_by) {
    std::string value = group_value(dim, record, &model, local_day);
    id += value;
    id += '\x1f';
    keys.push_back(std::move(value));
  }
  id += fmt::format("{}\x1f{}\x1f{}", static_cast<const void*>(model.model), static_cast<const void*>(prices),
                    record.batch ? 1 : 0);
  auto [it, inserted] = m_groups.try_emplace(id);
  Accumulator& acc = it->second;
  if (inserted) {
    acc.keys = std::move(keys);
    acc.model = model;
    acc.prices = prices;
    acc.batch = record.batch;
  }
  acc.requests += record.requests;
  acc.input += record.input;
  acc.cached_input += record.cached_input;
  acc.cache_write += record.cache_write;
  acc.output += record.output;
  acc.reasoning += record.reasoning;
  acc.web_search_calls += record.web_search_calls;
  ++m_counts.priced;
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
  auto dec = [](uint128 v) { return Decimal::from_raw(static_cast<int128>(v) * Decimal::k_scale); };
  // Deterministic order: by keys, then by pricing unit.
  std::vector<const Accumulator*> groups;
  groups.reserve(m_groups.size());
  for (const auto& [id, acc] : m_groups) {
    groups.push_back(&acc);
  }
  std::sort(groups.begin(), groups.end(), [](const Accumulator* a, const Accumulator* b) {
    if (a->keys != b->keys) {
      return a->keys < b->keys;
    }
    if (a->model.card->provider != b->model.card->provider) {
      return a->model.card->provider < b->model.card->provider;
    }
    if (a->model.model->id != b->model.model->id) {
      return a->model.model->id < b->model.model->id;
    }
    if (a->prices->from != b->prices->from) {
      return a->prices->from < b->prices->from;
    }
    return a->batch < b->batch;
  });
  for (const Accumulator* acc : groups) {
    Usage usage;
    usage.requests = dec(acc->requests);
    usage.input = dec(acc->input);
    usage.cached_input = dec(acc->cached_input);
    usage.cache_write = dec(acc->cache_write);
    usage.output = dec(acc->output);
    usage.reasoning = dec(acc->reasoning);
    usage.web_search_calls = dec(acc->web_search_calls);
    const Priced priced =
        price_usage(PriceRequest{acc->model.card, acc->model.model, acc->prices, acc->batch, {}}, usage);
    if (!priced.cost) {
      throw Error("internal error: a checked record group could not be priced: " + priced.not_priceable);
    }
    report.prices_used[acc->model.card->provider + "/" + acc->model.model->id] =
        describe_prices(*acc->model.card, *acc->model.model, *acc->prices);
    if (acc->web_search_calls > 0 && acc->model.card->web_search_call_fee && !acc->prices->request_fee) {
      report.prices_used[acc->model.card->provider + "/$web_search"] =
          acc->model.card->web_search_call_fee->amount.to_exact_string(2) + " per call";
    }
    if (report.rows.empty() || report.rows.back().keys != acc->keys) {
      report.rows.push_back(ReportRow{acc->keys, {}, {}, 0});
    }
    ReportRow& row = report.rows.back();
    row.usage += usage;
    row.cost += *priced.cost;
    row.notes |= priced.notes;
    for (const auto& note : describe_notes(priced.notes, *acc->model.card, *acc->model.model)) {
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
