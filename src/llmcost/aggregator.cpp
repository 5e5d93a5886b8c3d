#include "llmcost/aggregator.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llmcost {

UsageAggregator::UsageAggregator(const Catalog& catalog, AggregateOptions options)
  : m_catalog(catalog)
  , m_options(std::move(options))
  , m_resolver(catalog, m_options.provider_hint, m_options.model_mapping)
{
  m_request_ids.checking = m_options.check_request_ids != 0;
  m_request_ids.first_repeats = FirstPlaces(m_options.show_rejects);
  if (m_options.group_by.empty()) {
    m_options.group_by = {"provider", "model"};
  }
  if (m_options.group_by.size() > k_max_dimensions) {
    throw Error(Location{}, fmt::format("--by names {} dimensions", m_options.group_by.size()),
                fmt::format("at most {}", k_max_dimensions));
  }
  for (const auto& name : m_options.group_by) {
    m_dimensions.push_back(group_dimension(name));
  }
  m_group_follows_model = std::all_of(m_dimensions.begin(), m_dimensions.end(), [](Dimension d) {
    return d == Dimension::provider || d == Dimension::model || d == Dimension::total;
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
  m_counts.add_tallies(later.m_counts);
  m_first_rejections.join(later.m_first_rejections, line_offset);
  m_counts.duplicates += m_deduplicator.absorb(later.m_deduplicator, line_offset);
  // later.m_responses (and request ids) are in this sink's sets already (see admit).
  RequestIdCheck& ids = later.m_request_ids;
  m_request_ids.rows_with_id += ids.rows_with_id;
  m_request_ids.repeated += ids.repeated;
  m_request_ids.first_repeats.join(ids.first_repeats, line_offset);
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
    m_groups[key] += acc;
  }
  for (const auto& [name, entry] : later.m_outside_life) {
    OutsideLife& mine = m_outside_life[name];
    mine.model = entry.model;
    mine.before_launch += entry.before_launch;
    mine.after_retirement += entry.after_retirement;
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
  if (!m_responses.insert_all(responses)) {
    return false;
  }
  if (!checking_ids) {
    stop_checking_request_ids();
  } else if (!m_request_ids.ids.insert_all(request_ids)) {
    m_responses.erase_all(responses);
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
  m_first_rejections.add(where, detail);
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
    c.first_repeats.add(record.where.location(), record.request_id);
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
  h = hash_mix(h, std::hash<const void*>{}(key.prices));
  h = hash_mix(h, key.batch ? 1 : 0);
  for (std::size_t i = 0; i < key.dimensions; ++i) {
    h = hash_mix(h, static_cast<std::size_t>(key.values[i]));
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

void UsageAggregator::note_priced_day(Day utc_day)
{
  m_first_day = m_first_day ? std::min(*m_first_day, utc_day) : utc_day;
  m_last_day = m_last_day ? std::max(*m_last_day, utc_day) : utc_day;
}

void UsageAggregator::process(const UsageRecord& record)
{
  // The warehouse view counts in DECIMAL(17,0) (docs/warehouse.md): a row it
  // cannot hold is refused here too, for the same answer in both.
  for (const Counter c :
       {Counter::requests, Counter::input, Counter::cached_input, Counter::output, Counter::web_search_calls}) {
    if (record.counts[c] >= k_max_row_quantity) {
      count_rejection(record.where.location(), "quantity too large",
                      fmt::format("{}{} {} on one row (expected less than 10^17)", k_counter_names[index_of(c)].key,
                                  k_counter_names[index_of(c)].tokens ? " tokens" : "", record.counts[c]));
      return;
    }
  }
  // A record like a recent one goes where it went, through the same checks
  // (each of them decided by the model, batch and UTC day but the window).
  RecentRecord* recent = nullptr;
  std::int64_t recent_day = k_undated; // the record's UTC day, as the memo keys it
  if (m_group_follows_model) {
    recent = &m_recent_records[static_cast<std::size_t>(names_hash(record.provider, record.model) >> 57) ^
                               (record.batch ? 1U : 0U)];
    recent_day = record.time ? day_at_offset(*record.time, 0) : k_undated;
    if (recent->accumulator != nullptr && recent->utc_day == recent_day && recent->batch == record.batch &&
        (record.counts[Counter::web_search_calls] == 0 || recent->web_search_priced) && !record.model.empty() &&
        same_text(recent->model, record.model) && same_text(recent->provider, record.provider)) {
      if (outside_window(local_day_of(record, m_options.tz_offset_seconds), m_options.since, m_options.until)) {
        ++m_counts.filtered;
        return;
      }
      if (record.time) {
        note_priced_day(static_cast<Day>(recent_day));
      }
      *recent->accumulator += record.counts;
      ++m_counts.priced;
      if (recent->outside_life != nullptr) {
        ++*recent->outside_life;
      }
      return;
    }
  }
  // A record without a model: the resolver prices it as --assume-model says, or rejects it.
  const RecordResolver::Result& resolution = m_resolver.resolve(record.provider, record.model);
  if (!resolution.model) {
    count_rejection(record.where.location(), resolution.category, resolution.problem);
    return;
  }
  const ResolvedModel& model = *resolution.model;
  if (model.model->kind != ModelKind::chat || (record.batch && !model.card->batch_available) ||
      record.counts[Counter::web_search_calls] > 0) {
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
  std::uint64_t* outside_life = nullptr;
  if (record.time) {
    // Prices change on UTC dates.
    const Day utc_day = day_at_offset(*record.time, 0);
    prices = model.model->periods.size() == 1 && model.model->periods.front().from <= utc_day
                 ? &model.model->periods.front()
                 : model.model->prices_for_usage(utc_day);
    outside_life = outside_life_count(*model.card, *model.model, utc_day);
    if (prices == nullptr) {
      count_rejection(record.where.location(), "no price in effect on the record's date",
                      fmt::format("no price in effect on {}: {}/{} is priced from {}", format_date(utc_day),
                                  model.card->provider, model.model->id,
                                  format_date(model.model->periods.front().from)));
      return;
    }
    note_priced_day(utc_day);
  }
  // Checked on the record's own price period, by pricing's rules, so that
  // every group finish() prices can be priced.
  if (const auto [category, why] = period_unpriceable_reason(*model.card, *model.model, *prices, record.batch,
                                                             record.counts[Counter::web_search_calls] > 0);
      !why.empty()) {
    count_rejection(record.where.location(), category, why);
    return;
  }
  if (outside_life != nullptr) {
    ++*outside_life; // counted once the record is priced
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
    case Dimension::total:
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
  acc += record.counts;
  ++m_counts.priced;
  if (recent != nullptr && resolution.mapped < 0) { // a mapped record is counted by the resolver
    recent->provider = record.provider;
    recent->model = record.model;
    recent->batch = record.batch;
    recent->web_search_priced = model.card->web_search_call_fee.has_value() || prices->request_fee.has_value();
    recent->utc_day = recent_day;
    recent->accumulator = &acc;
    recent->outside_life = outside_life;
  }
}

std::uint64_t* UsageAggregator::outside_life_count(const Card& card, const Model& model, Day utc_day)
{
  const bool before = model.launched && utc_day < model.launched->day;
  const bool after = model.retired && utc_day >= model.retired->day;
  if (!before && !after) {
    return nullptr;
  }
  OutsideLife& entry = m_outside_life[card.provider + "/" + model.id];
  entry.model = &model;
  return before ? &entry.before_launch : &entry.after_retirement;
}

std::vector<std::string> UsageAggregator::lifecycle_notes() const
{
  std::vector<std::string> notes;
  auto records = [](std::uint64_t n) { return fmt::format("{} record{}", n, n == 1 ? "" : "s"); };
  for (const auto& [name, entry] : m_outside_life) {
    if (entry.before_launch > 0) {
      notes.push_back(fmt::format("{} before {}'s launch on {} (priced at its first price, from {})",
                                  records(entry.before_launch), name, format_date(entry.model->launched->day),
                                  format_date(entry.model->periods.front().from)));
    }
    if (entry.after_retirement > 0) {
      notes.push_back(fmt::format("{} after {}'s retirement on {} (priced at its last price)",
                                  records(entry.after_retirement), name, format_date(entry.model->retired->day)));
    }
  }
  return notes;
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
    texts.push_back(group_value(d, sample, &model, day));
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
  report.records.first_rejections = m_first_rejections.rejections();
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
    for (const auto& pending : m_request_ids.first_repeats.places()) {
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
    const PriceRequest request{&card, &model, &prices, group.key->batch, {}};
    const Priced priced = price_usage(request, usage);
    if (!priced.cost) {
      throw Error("internal error: a checked record group could not be priced: " + priced.not_priceable);
    }
    if (report.rows.empty() || report.rows.back().keys != group.keys) {
      report.rows.emplace_back().keys = group.keys;
    }
    add_priced(report, report.rows.back(), usage, priced, request);
  }
  report.add_up_rows();
  for (const auto& note : m_resolver.notes()) {
    report.add_note(note);
  }
  for (const auto& note : lifecycle_notes()) {
    report.add_note(note);
  }
  return report;
}

} // namespace llmcost
