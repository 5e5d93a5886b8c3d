#include "llmcost/reconcile.hpp"
#include "llmcost/timestamp.hpp"

#include "llmcost/group_by.hpp"

#include "llmcost/csv.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/usage_csv.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>
#include <stdexcept>

namespace llmcost {

namespace {

Decimal abs(Decimal value)
{
  return value.is_negative() ? -value : value;
}

// Half a unit in the last written decimal: 8 places -> 0.000000005.
Decimal half_unit(int places)
{
  places = std::clamp(places, 0, Decimal::k_scale_digits - 1);
  int128 raw = Decimal::k_scale / 2;
  for (int i = 0; i < places; ++i) {
    raw /= 10;
  }
  return Decimal::from_raw(raw);
}

std::optional<Cost> priced_cost(const Card& card, const Model& model, const PriceSet& prices, const Usage& usage,
                                bool batch)
{
  return price_usage(PriceRequest{&card, &model, &prices, batch, {}}, usage).cost;
}

std::optional<Decimal> cost_of(const Card& card, const Model& model, const PriceSet& prices, const Usage& usage,
                               bool batch)
{
  const auto cost = priced_cost(card, model, prices, usage, batch);
  return cost ? std::optional<Decimal>(cost->total()) : std::nullopt;
}

std::string percent(Decimal part, Decimal whole)
{
  if (whole.is_zero()) {
    return "n/a";
  }
  const Decimal hundred = Decimal::from_int(100);
  return part.mul_div(hundred, abs(whole)).to_string(2) + "%";
}

std::string billed_column_hint()
{
  return fmt::format("a billed amount column, known names: {}, or usage.cost in JSON traces; use --map COL=billed "
                     "for another name",
                     fmt::join(column_aliases(UsageField::billed), ", "));
}

} // namespace

int invoice_places(std::string_view written)
{
  return std::clamp(written_decimal_places(written), 2, Decimal::k_scale_digits);
}

Reconciler::Reconciler(const Catalog& catalog, ReconcileOptions options)
  : m_catalog(catalog)
  , m_options(std::move(options))
  , m_resolver(catalog, m_options.provider_hint, m_options.model_mapping)
{
  if (m_options.group_by.empty()) {
    m_options.group_by = {"provider", "model"};
  }
  m_result.key_names = m_options.group_by;
  for (const auto& dim : m_options.group_by) {
    m_group_dimensions.push_back(group_dimension(dim));
  }
  m_group_follows_model = std::all_of(m_group_dimensions.begin(), m_group_dimensions.end(), [](GroupDimension d) {
    return d == GroupDimension::provider || d == GroupDimension::model || d == GroupDimension::total;
  });
  if (m_options.invoice_total) {
    m_result.invoice_total = m_options.invoice_total->amount;
    m_result.invoice_places = m_options.invoice_total->places;
  }
}

void Reconciler::count_rejection(const Location& where, const std::string& category, const std::string& detail)
{
  if (m_options.strict) {
    throw Error(where, detail + " (use --allow-rejects to count bad rows and go on)");
  }
  ++m_result.records.rejected;
  ++m_result.records.rejected_by_reason[category];
  m_first_rejections.add(where, detail);
}

void Reconciler::reject(const Location& where, const std::string& category, const std::string& detail)
{
  ++m_result.records.read;
  count_rejection(where, category, detail);
}

void Reconciler::record_once(const std::string& key, const UsageRecord& record)
{
  // Reconcile every billed line as it is: a repeated log line that carries a
  // billed amount is exactly what a reconciliation must see.
  (void)key;
  this->record(record);
}

void Reconciler::skip(const std::string& reason)
{
  ++m_result.records.skipped_lines[reason];
}

bool Reconciler::within_tolerance(Decimal variance, Decimal expected) const
{
  if (abs(variance) <= m_options.tolerance) {
    return true;
  }
  if (m_options.tolerance_pct) {
    const Decimal allowed = abs(expected).mul_div(*m_options.tolerance_pct, Decimal::from_int(100));
    return abs(variance) <= allowed;
  }
  return false;
}

void Reconciler::add_to_group(const UsageRecord& record, const ResolvedModel* model, std::optional<Day> local_day,
                              Decimal billed, Decimal expected, bool discrepant)
{
  ModelTotals* cached = nullptr;
  if (model != nullptr) {
    cached = &m_model_totals[static_cast<std::size_t>(
        (reinterpret_cast<std::uintptr_t>(model) * 0x9E3779B97F4A7C15ULL) >> 59)];
    if (cached->model != model) {
      *cached = ModelTotals{model, &m_result.billed_by_model[model->card->provider + "/" + model->model->id], nullptr};
    }
  }
  Decimal& model_billed = cached != nullptr ? *cached->billed : m_result.billed_by_model[std::string(record.model)];
  model_billed += billed;
  ReconcileGroup* found = m_group_follows_model && cached != nullptr ? cached->group : nullptr;
  if (found == nullptr) {
    m_group_keys.resize(m_group_dimensions.size());
    for (std::size_t i = 0; i < m_group_dimensions.size(); ++i) {
      m_group_keys[i] = group_value(m_group_dimensions[i], record, model, local_day);
    }
    auto it = m_groups.find(m_group_keys);
    if (it == m_groups.end()) {
      it = m_groups.emplace(m_group_keys, ReconcileGroup{}).first;
      it->second.keys = m_group_keys;
    }
    found = &it->second;
    if (m_group_follows_model && cached != nullptr) {
      cached->group = found;
    }
  }
  ReconcileGroup& group = *found;
  ++group.rows;
  group.discrepant += discrepant ? 1 : 0;
  group.billed += billed;
  group.expected += expected;
}

Reconciler::PlanSlot& Reconciler::price_plan(const ResolvedModel& model, const PriceSet& prices, bool batch)
{
  // Periods lie at regular strides in memory: the address is mixed, not
  // cut. A few slots are probed from its home (a direct-mapped table of
  // an export's few dozen periods thrashed on collisions); when all are
  // taken, the home slot is made again.
  const std::uint64_t hash = (reinterpret_cast<std::uintptr_t>(&prices) + (batch ? 1U : 0U)) * 0x9E3779B97F4A7C15ULL;
  const auto home = static_cast<std::size_t>(hash >> 57);
  constexpr std::size_t k_probes = 4;
  PlanSlot* free = &m_price_plans[home];
  for (std::size_t i = 0; i < k_probes; ++i) {
    PlanSlot& slot = m_price_plans[(home + i) % m_price_plans.size()];
    if (slot.prices == &prices && slot.batch == batch) {
      return slot;
    }
    if (slot.prices == nullptr) {
      free = &slot;
      break;
    }
  }
  *free = PlanSlot{&prices, batch, ChatPricePlan::make(*model.card, *model.model, prices, batch), {}};
  return *free;
}

std::pair<std::string, std::string> Reconciler::explain(const UsageRecord& record, const ResolvedModel& model,
                                                        const PriceSet& prices, Decimal billed,
                                                        const Cost& expected_cost, Decimal tolerance) const
{
  const Decimal expected = expected_cost.total();
  const Decimal expected_fees = expected_cost.fees;
  const Card& card = *model.card;
  const Usage usage = usage_of(record);
  auto matches = [&](const std::optional<Decimal>& candidate) {
    return candidate && abs(billed - *candidate) <= tolerance;
  };
  // Cached tokens billed at the full input price.
  if (record.counts[Counter::cached_input] > 0 && prices.cached_input) {
    Usage uncached = usage;
    uncached.input += uncached.cached_input;
    uncached.cached_input = Decimal{};
    if (matches(cost_of(card, *model.model, prices, uncached, record.batch))) {
      return {"cache discount not applied",
              fmt::format("{} cached tokens billed at the input price", record.counts[Counter::cached_input])};
    }
  }
  // Batch discount missing, or applied to a standard request.
  if (record.batch && matches(cost_of(card, *model.model, prices, usage, false))) {
    return {"batch discount missing", "a batch request billed at standard prices"};
  }
  if (!record.batch && card.batch_available && matches(cost_of(card, *model.model, prices, usage, true))) {
    return {"batch discount wrongly applied", "a standard request billed at batch prices"};
  }
  // Web-search fee missing, or search calls billed beyond those recorded.
  Decimal recorded_fee;
  if (prices.request_fee) {
    recorded_fee = prices.request_fee->amount.mul(usage.requests);
  } else if (card.web_search_call_fee) {
    recorded_fee = card.web_search_call_fee->amount.mul(usage.web_search_calls);
  }
  if (!recorded_fee.is_zero() && matches(expected - recorded_fee)) {
    return {"web-search fee missing",
            fmt::format("the {} web-search fee was not billed", recorded_fee.to_exact_string(2))};
  }
  if (card.web_search_call_fee && !card.web_search_call_fee->amount.is_zero() && billed > expected) {
    const Decimal per_call = card.web_search_call_fee->amount;
    const Decimal extra_calls = (billed - expected).mul_div(Decimal::from_int(1), per_call).round(0);
    if (!extra_calls.is_zero() && matches(expected + per_call.mul(extra_calls))) {
      return {"web-search fee extra",
              fmt::format("{} search call fee(s) billed beyond the {} recorded", extra_calls.to_exact_string(0),
                          record.counts[Counter::web_search_calls])};
    }
  }
  // Billed at another model's price on the same route: its token prices,
  // with this row's own fees (they belong to the model that was called).
  Usage tokens_only = usage;
  tokens_only.web_search_calls = Decimal{};
  for (const Model& other : card.models) {
    if (&other == model.model || other.kind != ModelKind::chat) {
      continue;
    }
    const PriceSet* other_prices = other.prices_on(prices.from);
    if (other_prices == nullptr) {
      other_prices = &other.current();
    }
    for (bool batch : {record.batch, !record.batch}) {
      if (batch && !card.batch_available) {
        continue;
      }
      const auto other_cost = priced_cost(card, other, *other_prices, tokens_only, batch);
      if (other_cost && matches(other_cost->input + other_cost->cached_input + other_cost->output + expected_fees)) {
        return {"billed at another model's price",
                fmt::format("billed at {}/{}'s {}price", card.provider, other.id, batch ? "batch " : "")};
      }
    }
  }
  const Decimal difference = billed - expected;
  return {difference.is_negative() ? "unexplained (underbilled)" : "unexplained (overbilled)",
          fmt::format("billed {} {} the card's price", percent(abs(difference), expected),
                      difference.is_negative() ? "below" : "above")};
}

void Reconciler::record(const UsageRecord& record)
{
  ++m_result.records.read;
  // The window first: a row outside it is not one left unchecked.
  const std::optional<Day> local_day = local_day_of(record, m_options.tz_offset_seconds);
  if (outside_window(local_day, m_options.since, m_options.until)) {
    ++m_result.records.filtered;
    return;
  }
  if (!record.billed) {
    // Nothing to reconcile against (a route that does not report cost, or a
    // cost column not recognised): never passed over in silence.
    if (m_options.require_billed) {
      throw Error(record.where.location(), "no billed amount on this row, and --require-billed is given",
                  billed_column_hint());
    }
    if (m_result.unbilled++ == 0) {
      m_first_unbilled = record.where.location();
    }
    return;
  }
  // The id's slot is fetched while the row is resolved, or since its id was
  // read (prefetch_request_id).
  const bool has_id = !record.request_id.empty();
  Fingerprint id_print;
  if (has_id && record.request_id.data() == m_prefetched_id.data() &&
      record.request_id.size() == m_prefetched_id.size()) {
    id_print = m_prefetched_print;
  } else if (has_id) {
    id_print = fingerprint(record.request_id);
    if (!m_collect_ids) {
      m_request_ids.prefetch(id_print);
    }
  }
  m_prefetched_id = {};
  const Decimal billed = *record.billed;
  try {
    m_result.billed_total += billed;
  } catch (const std::overflow_error& e) {
    count_rejection(record.where.location(), "amount out of range",
                    fmt::format("amount out of range: billed {} ({})", billed.to_exact_string(2), e.what()));
    return;
  }
  ++m_billed_rows;
  const int places = m_options.billed_precision.value_or(record.billed_places < 0 ? 2 : record.billed_places);
  const Decimal rounding = half_unit(places);

  // Only discrepant rows are kept, so only they are copied out.
  auto flag = [&](const ResolvedModel* model, const PriceSet* prices, std::optional<Cost> components,
                  std::optional<Decimal> expected, std::string cause, std::string detail) {
    Discrepancy d;
    d.file = std::string(record.where.file);
    d.line = record.where.line;
    d.request_id = record.request_id;
    d.time = record.time;
    d.provider = model != nullptr ? model->card->provider : std::string(record.provider);
    d.model = model != nullptr ? model->model->id : std::string(record.model);
    d.input_tokens = record.counts[Counter::input] + record.counts[Counter::cached_input];
    d.cached_input_tokens = record.counts[Counter::cached_input];
    d.output_tokens = record.counts[Counter::output];
    d.web_search_calls = record.counts[Counter::web_search_calls];
    d.batch = record.batch;
    d.billed = billed;
    d.expected = expected;
    d.variance = billed - expected.value_or(Decimal{});
    d.cause = std::move(cause);
    d.detail = std::move(detail);
    d.exceeds_tolerance = !within_tolerance(d.variance, expected.value_or(Decimal{}));
    m_result.expected_total += expected.value_or(Decimal{});
    CauseTotal& total = m_result.by_cause[d.cause];
    ++total.rows;
    total.variance += d.variance;
    add_to_group(record, model, local_day, billed, expected.value_or(Decimal{}), true);
    add_focus(record, model, prices, components, d.variance, d.cause);
    m_result.discrepancies.push_back(std::move(d));
  };

  const RecordResolver::Result& resolution = m_resolver.resolve(record.provider, record.model);
  if (!resolution.model) {
    if (resolution.category == "unknown model") {
      flag(nullptr, nullptr, std::nullopt, std::nullopt, "unknown model", resolution.problem);
    } else {
      // Ambiguous or conflicting routes are a question for the user, not a billing error.
      m_result.billed_total -= billed;
      count_rejection(record.where.location(), resolution.category, resolution.problem);
    }
    return;
  }
  const ResolvedModel& model = *resolution.model;
  if (m_collect_ids && has_id) {
    m_piece_ids.add(ResponseKey(id_print, 0));
    if (m_piece_ids.size() >= m_options.seal_ids_every) {
      input_read();
    }
  } else if (const ResponseKey id = has_id ? ResponseKey(id_print, 0) : ResponseKey{};
             has_id && (seen_request_id(id) || m_request_ids.insert(id) != ResponseSet::Seen::first)) {
    m_repeated_prints.push_back(id);
    flag(&model, nullptr, std::nullopt, Decimal{}, "duplicate request id",
         fmt::format("request {} was billed before", record.request_id));
    return;
  }
  // Read in one pass (standard input, a gzip file, one thread), a large
  // input's ids are sealed as they grow: about 13 bytes an id, not 23-46.
  if (m_request_ids.size() >= m_options.seal_ids_every) {
    input_read();
  }
  const Day utc_day = !record.time                       ? model.model->current().from
                      : m_options.tz_offset_seconds == 0 ? *local_day
                                                         : day_at_offset(*record.time, 0);
  const PriceSet* prices = record.time ? model.model->prices_for_usage(utc_day) : &model.model->current();
  if (prices == nullptr) {
    flag(&model, nullptr, std::nullopt, std::nullopt, "before the card's effective date",
         fmt::format("dated {}, before {}/{} is priced (from {})", format_date(utc_day), model.card->provider,
                     model.model->id, format_date(model.model->periods.front().from)));
    return;
  }
  if (const auto [category, why] = unpriceable_reason(record, model); !why.empty()) {
    flag(&model, nullptr, std::nullopt, std::nullopt, category, why);
    return;
  }
  // And on the row's own price period (a fee or batch price that starts or
  // ends within the export), by pricing's rules, as estimate asks.
  PlanSlot& plan = price_plan(model, *prices, record.batch);
  const bool web_search = record.counts[Counter::web_search_calls] > 0;
  if (!plan.period_priceable[web_search ? 1 : 0]) {
    const auto [category, why] =
        period_unpriceable_reason(*model.card, *model.model, *prices, record.batch, web_search);
    if (!why.empty()) {
      flag(&model, nullptr, std::nullopt, std::nullopt, category, why);
      return;
    }
    plan.period_priceable[web_search ? 1 : 0] = true;
  }
  // An absurd amount (billed 1E+20 on a cheap row) can leave the range of
  // Decimal in pricing or in explaining the difference: that row is
  // rejected, before anything of it is counted, and the run goes on.
  std::optional<Priced> priced;
  std::pair<std::string, std::string> explained;
  try {
    unsigned notes = 0;
    if (std::optional<Cost> cost = plan.plan ? plan.plan->price(record.counts, notes) : std::nullopt) {
      priced = Priced{cost, {}, notes};
    } else {
      priced = price_usage(PriceRequest{model.card, model.model, prices, record.batch, {}}, usage_of(record));
    }
    if (!priced->cost) {
      // Asked above; should pricing's rules ever say more, the row is
      // flagged unpriced, never priced from an empty cost.
      flag(&model, nullptr, std::nullopt, std::nullopt, "not priceable", priced->not_priceable);
      return;
    }
    const Decimal variance = billed - priced->cost->total();
    if (abs(variance) > rounding) {
      (void)within_tolerance(variance, priced->cost->total());
      explained = explain(record, model, *prices, billed, *priced->cost, rounding);
    }
  } catch (const std::overflow_error& e) {
    m_result.billed_total -= billed;
    --m_billed_rows;
    count_rejection(record.where.location(), "amount out of range",
                    fmt::format("amount out of range: billed {} ({})", record.billed->to_exact_string(2), e.what()));
    return;
  }
  const Decimal expected = priced->cost->total();
  const Decimal variance = billed - expected;
  if (abs(variance) <= rounding) {
    m_result.expected_total += expected;
    if (!variance.is_zero()) {
      m_result.rounding_total += variance;
      ++m_result.rounded_rows;
    }
    ++m_result.records.priced;
    add_to_group(record, &model, local_day, billed, expected, false);
    add_focus(record, &model, prices, priced->cost, variance, {});
    return;
  }
  auto [cause, detail] = std::move(explained);
  flag(&model, prices, priced->cost, expected, std::move(cause), std::move(detail));
}

void Reconciler::add_focus(const UsageRecord& record, const ResolvedModel* model, const PriceSet* prices,
                           const std::optional<Cost>& expected, Decimal variance, const std::string& cause)
{
  if (!m_options.focus) {
    return;
  }
  const std::string day = record.time ? format_date(day_at_offset(*record.time, 0)) : std::string();
  const std::string provider = model != nullptr ? model->card->provider : std::string(record.provider);
  const std::string model_id = model != nullptr ? model->model->id : std::string(record.model);
  auto charge = [&](const std::string& type, const std::string& why = {}) -> FocusCharge& {
    FocusCharge& c = m_focus[{day, provider, model_id, type + why, record.batch}];
    if (c.token_type.empty()) {
      c.cause = why;
      c.day = day;
      c.provider = provider;
      c.provider_name = model != nullptr ? model->card->name : provider;
      c.model = model_id;
      c.token_type = type;
      c.batch = record.batch;
    }
    return c;
  };
  if (expected && model != nullptr && prices != nullptr) {
    const Usage usage = usage_of(record);
    const auto unit = effective_token_prices(*model->card, *prices, record.batch);
    auto add = [&](const std::string& type, Decimal quantity, Decimal cost, const char* consumed_unit,
                   std::optional<Decimal> price, const char* pricing_unit) {
      if (quantity.is_zero() && cost.is_zero()) {
        return;
      }
      FocusCharge& c = charge(type);
      c.consumed += quantity;
      c.consumed_unit = consumed_unit;
      c.unit_price = price;
      c.pricing_unit = pricing_unit;
      c.list_cost += cost;
      c.billed_cost += cost;
    };
    add("input", usage.input, expected->input, "Tokens", unit ? unit->input : std::nullopt, "1M Tokens");
    add("cached_input", usage.cached_input, expected->cached_input, "Tokens",
        unit ? (unit->cached_input ? unit->cached_input : unit->input) : std::nullopt, "1M Tokens");
    add("output", usage.output, expected->output, "Tokens", unit ? unit->output : std::nullopt, "1M Tokens");
    if (prices->request_fee) {
      add("request_fee", usage.requests, expected->fees, "Requests", prices->request_fee->amount, "Request");
    } else if (model->card->web_search_call_fee) {
      add("web_search", usage.web_search_calls, expected->fees, "Calls", model->card->web_search_call_fee->amount,
          "Call");
    }
  }
  // Rounding and each cause of discrepancy are adjustment rows of their own,
  // so a finance tool tells "the export rounds" from "the export overbills".
  if (!variance.is_zero()) {
    charge(cause.empty() ? "rounding" : "discrepancy", cause).billed_cost += variance;
  }
}

void Reconciler::check_invoice_lines()
{
  if (m_options.invoice_lines.empty()) {
    return;
  }
  Decimal total;
  int places = 2;
  // The total the lines imply is the sum of the export's billed amounts
  // rounded line by line, as the invoice rounds them, plus what the export
  // bills for models no line names.
  Decimal rounded_sum;
  Decimal billed_on_lines;
  std::set<std::string> counted;
  for (const auto& [text, amount] : m_options.invoice_lines) {
    InvoiceLine line{text, {}, amount.amount, amount.places, {}, {}};
    const RecordResolver::Result& found = m_resolver.resolve("", text);
    line.model = found.model ? found.model->card->provider + "/" + found.model->model->id : text;
    const auto billed = m_result.billed_by_model.find(line.model);
    line.billed = billed == m_result.billed_by_model.end() ? Decimal{} : billed->second;
    line.billed_rounded = line.billed.round_half_up(line.places);
    total += amount.amount;
    places = std::max(places, amount.places);
    if (counted.insert(line.model).second) {
      rounded_sum += line.billed_rounded;
      billed_on_lines += line.billed;
    }
    if (abs(line.variance()) > m_options.invoice_tolerance) {
      m_result.failures.push_back(
          fmt::format("invoice line \"{}\" charges {} where the export bills {} for {} ({} at the line's {} decimals)",
                      text, amount.amount.to_string(line.places), line.billed.to_exact_string(2), line.model,
                      line.billed_rounded.to_string(line.places), line.places));
    }
    m_result.invoice_lines.push_back(std::move(line));
  }
  if (!m_options.invoice_total) {
    m_result.invoice_total = total;
    m_result.invoice_places = places;
    m_result.invoice_from_lines = true;
    m_result.invoice_billed = rounded_sum + (m_result.billed_total - billed_on_lines).round_half_up(places);
  }
}

std::unique_ptr<RecordSink> Reconciler::fork() const
{
  // A strict fork throws at its first rejection: the file is then read
  // again in one pass, which stops at the same row.
  auto fork = std::make_unique<Reconciler>(m_catalog, m_options);
  fork->m_collect_ids = true;
  return fork;
}

void Reconciler::prefetch_request_id(std::string_view id)
{
  m_prefetched_id = id;
  m_prefetched_print = fingerprint(id);
  if (m_collect_ids) {
    return;
  }
  m_request_ids.prefetch(m_prefetched_print);
  compact_sealed();
  for (const SealedIdSet& ids : m_sealed_ids) {
    ids.prefetch(m_prefetched_print);
  }
}

bool Reconciler::seen_request_id(const ResponseKey& id)
{
  compact_sealed();
  return std::any_of(m_sealed_ids.begin(), m_sealed_ids.end(),
                     [&](const SealedIdSet& ids) { return ids.contains(id); });
}

void Reconciler::input_read()
{
  if (m_piece_ids.size() > 0) {
    bool repeated = false;
    SealedIdSet ids(std::move(m_piece_ids), repeated);
    // A piece too large to collect whole (a big gzip file is one piece) is
    // sealed in parts: a part's ids are checked against the parts before.
    if (!repeated && !m_sealed_ids.empty()) {
      ids.for_each([&](const ResponseKey& id) { repeated = repeated || seen_request_id(id); });
    }
    m_repeat_in_piece = m_repeat_in_piece || repeated;
    m_sealed_ids.push_back(std::move(ids));
  }
  if (m_request_ids.size() > 0) {
    m_sealed_ids.push_back(SealedIdSet(std::move(m_request_ids)));
  }
}

void Reconciler::merge_sealed()
{
  // A lookup asks every sealed set: before one, merge the two smallest
  // while there are many (each merge holds only those two twice). Joins
  // only add sets: a run that looks up nothing more never merges them.
  while (m_sealed_ids.size() > k_max_sealed) {
    std::sort(m_sealed_ids.begin(), m_sealed_ids.end(),
              [](const SealedIdSet& a, const SealedIdSet& b) { return a.size() > b.size(); });
    SealedIdSet merged =
        SealedIdSet::merge(std::move(m_sealed_ids[m_sealed_ids.size() - 2]), std::move(m_sealed_ids.back()));
    m_sealed_ids.pop_back();
    m_sealed_ids.back() = std::move(merged);
  }
}

bool Reconciler::admit(const std::vector<RecordSink*>& later)
{
  // A request id already seen, here or in an earlier fork, sends the file
  // to one pass, which flags the later row to the line. So does a total a
  // single pass would have found out of range at a row. Nothing of this
  // sink is changed: the forks' ids are taken over when they are joined.
  Decimal billed = m_result.billed_total;
  Decimal expected = m_result.expected_total;
  std::vector<const SealedIdSet*> fork_ids;
  for (RecordSink* sink : later) {
    auto& fork = dynamic_cast<Reconciler&>(*sink);
    fork.input_read(); // sealed already, when its reader said so
    if (fork.m_repeat_in_piece) {
      return false;
    }
    try {
      billed += fork.m_result.billed_total;
      expected += fork.m_result.expected_total;
    } catch (const std::overflow_error&) {
      return false;
    }
    for (const SealedIdSet& ids : fork.m_sealed_ids) {
      fork_ids.push_back(&ids);
    }
  }
  if (m_request_ids.size() > 0 || !m_sealed_ids.empty()) {
    bool seen = false;
    for (const SealedIdSet* ids : fork_ids) {
      ids->for_each([&](const ResponseKey& id) { seen = seen || seen_request_id(id) || m_request_ids.contains(id); });
    }
    if (seen) {
      return false;
    }
  }
  return !SealedIdSet::any_shared(fork_ids);
}

void Reconciler::join(RecordSink& later_sink, std::size_t line_offset)
{
  auto& later = dynamic_cast<Reconciler&>(later_sink);
  ReconcileResult& from = later.m_result;
  m_result.records.add_tallies(from.records);
  m_first_rejections.join(later.m_first_rejections, line_offset);
  if (m_result.unbilled == 0 && from.unbilled > 0) {
    m_first_unbilled = in_whole_file(later.m_first_unbilled, line_offset);
  }
  m_result.unbilled += from.unbilled;
  m_billed_rows += later.m_billed_rows;
  m_result.billed_total += from.billed_total;
  m_result.expected_total += from.expected_total;
  m_result.rounding_total += from.rounding_total;
  m_result.rounded_rows += from.rounded_rows;
  for (auto& d : from.discrepancies) {
    d.line += line_offset;
    m_result.discrepancies.push_back(std::move(d));
  }
  for (const auto& [cause, total] : from.by_cause) {
    CauseTotal& mine = m_result.by_cause[cause];
    mine.rows += total.rows;
    mine.variance += total.variance;
  }
  for (const auto& [model, billed] : from.billed_by_model) {
    m_result.billed_by_model[model] += billed;
  }
  for (const auto& [keys, group] : later.m_groups) {
    auto [mine, added] = m_groups.try_emplace(keys, group);
    if (!added) {
      mine->second.rows += group.rows;
      mine->second.discrepant += group.discrepant;
      mine->second.billed += group.billed;
      mine->second.expected += group.expected;
    }
  }
  for (const auto& [key, charge] : later.m_focus) {
    auto [mine, added] = m_focus.try_emplace(key, charge);
    if (!added) {
      mine->second.consumed += charge.consumed;
      mine->second.list_cost += charge.list_cost;
      mine->second.billed_cost += charge.billed_cost;
    }
  }
  m_resolver.merge_notes(later.m_resolver);
  m_repeated_prints.insert(m_repeated_prints.end(), later.m_repeated_prints.begin(), later.m_repeated_prints.end());
  later.input_read();
  for (SealedIdSet& ids : later.m_sealed_ids) {
    m_sealed_ids.push_back(std::move(ids));
  }
}

ReconcileResult Reconciler::finish()
{
  m_result.records.first_rejections = m_first_rejections.rejections();
  if (m_result.unbilled > 0) {
    m_result.first_unbilled = m_first_unbilled.to_string();
  }
  m_result.notes.insert(m_result.notes.end(), input_notes().begin(), input_notes().end());
  if (m_billed_rows == 0 && m_result.unbilled == 0 && m_result.records.filtered > 0) {
    throw Error(Location{},
                fmt::format("nothing to reconcile: {} row{} read, all outside --since/--until",
                            m_result.records.filtered, m_result.records.filtered == 1 ? "" : "s"),
                "a window that holds the export's dates (UTC days unless --tz)");
  }
  if (m_billed_rows == 0 && m_result.unbilled > 0) {
    // A check that checked nothing must not pass.
    throw Error(Location{m_first_unbilled.file, 0, 0},
                fmt::format("nothing to reconcile: no billed amount in the {} row{} read", m_result.unbilled,
                            m_result.unbilled == 1 ? "" : "s"),
                billed_column_hint());
  }
  for (auto& [keys, group] : m_groups) {
    m_result.groups.push_back(group);
  }
  for (auto& [key, charge] : m_focus) {
    m_result.focus.push_back(charge);
  }
  const Decimal variance = m_result.variance();
  std::uint64_t over = 0;
  for (const auto& d : m_result.discrepancies) {
    over += d.exceeds_tolerance ? 1 : 0;
  }
  if (over > 0) {
    m_result.failures.push_back(fmt::format("{} row{} differ{} from the rate cards by more than the tolerance", over,
                                            over == 1 ? "" : "s", over == 1 ? "s" : ""));
  }
  if (!within_tolerance(variance - m_result.rounding_total, m_result.expected_total)) {
    m_result.failures.push_back(fmt::format("the total variance {} ({}) exceeds the tolerance",
                                            variance.to_exact_string(2), percent(variance, m_result.expected_total)));
  }
  if (m_options.invoice_total) {
    m_result.invoice_billed = m_result.billed_total.round_half_up(m_result.invoice_places);
  }
  check_invoice_lines();
  if (m_result.invoice_total) {
    // At the invoice's own precision, with its own tolerance: a right invoice
    // in cents passes, a cent off fails, and --tolerance (per row) stays out.
    const Decimal invoice_variance = *m_result.invoice_total - m_result.invoice_billed;
    if (abs(invoice_variance) > m_options.invoice_tolerance) {
      m_result.failures.push_back(fmt::format(
          "the invoice total {} differs from the export's billed total {} ({} {}) by {}",
          m_result.invoice_total->to_string(m_result.invoice_places), m_result.billed_total.to_exact_string(2),
          m_result.invoice_billed.to_string(m_result.invoice_places),
          m_result.invoice_from_lines ? std::string("rounded line by line as the invoice rounds")
                                      : fmt::format("at the invoice's {} decimals", m_result.invoice_places),
          invoice_variance.to_exact_string(2)));
    }
  }
  for (const auto& note : m_resolver.notes()) {
    m_result.notes.push_back(note);
  }
  return m_result;
}

RepeatedIdCheck::RepeatedIdCheck(const std::vector<ResponseKey>& prints, Print print)
  : m_print(print)
{
  for (const ResponseKey& key : prints) {
    m_wanted.insert(key);
  }
}

void RepeatedIdCheck::record(const UsageRecord& record)
{
  ++m_read;
  if (record.request_id.empty()) {
    return;
  }
  const ResponseKey key(m_print(record.request_id), 0);
  if (m_wanted.contains(key)) {
    add({key.id_high, key.id_low}, record.request_id, record.where.location());
  }
}

void RepeatedIdCheck::add(const Print96& print, std::string_view text, const Location& where)
{
  Texts& texts = m_texts[print];
  if (texts.first_at.file.empty() && texts.first_at.line == 0) {
    texts.first = std::string(text);
    texts.first_at = where;
  } else if (texts.first != text && !texts.other) {
    texts.other.emplace(std::string(text), where);
  }
}

std::unique_ptr<RecordSink> RepeatedIdCheck::fork() const
{
  auto fork = std::make_unique<RepeatedIdCheck>(std::vector<ResponseKey>{}, m_print);
  fork->m_wanted = m_wanted;
  return fork;
}

void RepeatedIdCheck::join(RecordSink& later_sink, std::size_t line_offset)
{
  auto& later = dynamic_cast<RepeatedIdCheck&>(later_sink);
  m_read += later.m_read;
  for (auto& [print, texts] : later.m_texts) {
    add(print, texts.first, in_whole_file(texts.first_at, line_offset));
    if (texts.other) {
      add(print, texts.other->first, in_whole_file(texts.other->second, line_offset));
    }
  }
}

void RepeatedIdCheck::confirm() const
{
  for (const auto& [print, texts] : m_texts) {
    if (texts.other) {
      throw Error(Location{},
                  fmt::format("request ids \"{}\" ({}) and \"{}\" ({}) share a 96-bit fingerprint, so one was "
                              "flagged as a repeat of the other",
                              texts.first, texts.first_at.to_string(), texts.other->first,
                              texts.other->second.to_string()),
                  "report this (a chance of about one in 10^15 for 8 million ids); --threads 1 does not help");
    }
  }
}

std::vector<std::pair<std::string, InvoiceAmount>> read_invoice_lines(std::string_view text, const std::string& file,
                                                                      bool decimal_comma)
{
  CsvReader reader(text);
  std::vector<std::string_view> fields;
  if (!reader.next(fields, file)) {
    throw Error(Location{file, 1, 1}, "empty invoice",
                "a header with a model (or line_item) column and an amount column");
  }
  std::optional<std::size_t> key_at;
  std::optional<std::size_t> amount_at;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name = to_lower(trim(fields[i]));
    if (!key_at && (name == "model" || name == "line_item" || name == "description" || name == "sku")) {
      key_at = i;
    } else if (!amount_at && (name == "amount" || name == "amount_value" || name == "total" || name == "cost" ||
                              name == "amount_usd")) {
      amount_at = i;
    }
  }
  if (!key_at || !amount_at) {
    throw Error(Location{file, 1, 1}, "the invoice header lacks a model or an amount column",
                "columns such as model (or line_item) and amount");
  }
  std::vector<std::pair<std::string, InvoiceAmount>> lines;
  std::string pointed; // an amount with its decimal comma made a point
  while (reader.next(fields, file)) {
    const Location where{file, reader.record_line(), 0};
    if (fields.size() <= std::max(*key_at, *amount_at)) {
      throw Error(where, "too few fields", "the columns of the header");
    }
    std::string why;
    std::string_view written = trim(fields[*amount_at]);
    if (decimal_comma) {
      if (!decimal_comma_to_point(written, pointed)) {
        throw Error(where, fmt::format("amount \"{}\": {}", fields[*amount_at], k_point_under_decimal_comma),
                    "an amount like 12,34");
      }
      written = pointed;
    }
    auto amount = Decimal::parse(written, &why);
    if (!amount) {
      throw Error(where, fmt::format("amount \"{}\" is not a decimal: {}", fields[*amount_at], why),
                  decimal_comma ? "an amount like 12,34" : "an amount like 12.34; --decimal-comma for 12,34");
    }
    lines.emplace_back(std::string(trim(fields[*key_at])), InvoiceAmount{*amount, invoice_places(written)});
  }
  return lines;
}

} // namespace llmcost
