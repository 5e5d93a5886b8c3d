#include "llmcost/pricing.hpp"

#include "llmcost/date.hpp"
#include "llmcost/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>

namespace llmcost {

namespace {

const Decimal k_million = Decimal::from_int(1'000'000);
const Decimal k_thousand = Decimal::from_int(1'000);

// tokens * price / 1M, flagging any rounding.
Decimal per_million(Decimal tokens, Decimal price, unsigned& notes)
{
  bool inexact = false;
  const Decimal cost = tokens.mul_div(price, k_million, &inexact);
  if (inexact) {
    notes |= k_note_rounded;
  }
  return cost;
}

Decimal times(Decimal quantity, Decimal price, unsigned& notes)
{
  bool inexact = false;
  const Decimal cost = quantity.mul(price, &inexact);
  if (inexact) {
    notes |= k_note_rounded;
  }
  return cost;
}

} // namespace

Usage& Usage::operator+=(const Usage& other)
{
  for (const Counter c : k_all_counters) {
    (*this)[c] += other[c];
  }
  media_units += other.media_units;
  return *this;
}

Usage scaled(const Usage& usage, Decimal factor)
{
  Usage out;
  for (const Counter c : k_all_counters) {
    out[c] = usage[c].mul(factor);
  }
  out.media_units = usage.media_units.mul(factor);
  return out;
}

Cost& Cost::operator+=(const Cost& other)
{
  input += other.input;
  cached_input += other.cached_input;
  output += other.output;
  fees += other.fees;
  media += other.media;
  return *this;
}

bool has_batch_prices(const PriceSet& prices)
{
  return prices.batch_input && prices.batch_output;
}

std::string batch_served_by(const Card& card)
{
  std::vector<std::string> served;
  for (const Model& m : card.models) {
    if (has_batch_prices(m.current())) {
      served.push_back(m.id);
    }
  }
  std::string list;
  for (std::size_t i = 0; i < served.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == served.size() ? " and " : ", ") + served[i];
  }
  return fmt::format("{}'s Batch API serves {}{}", card.provider, served.empty() ? "no model" : list,
                     card.batch_source.empty() ? "" : " (" + card.batch_source + ")");
}

std::string no_batch_price_reason(const Card& card, const Model& model)
{
  return fmt::format("{}/{} has no batch price: {}", card.provider, model.id, batch_served_by(card));
}

std::optional<EffectiveTokenPrices> effective_token_prices(const Card& card, const PriceSet& prices, bool batch,
                                                           std::string* why_not)
{
  auto value = [](const std::optional<Price>& p) -> std::optional<Decimal> {
    return p ? std::optional<Decimal>(p->amount) : std::nullopt;
  };
  EffectiveTokenPrices out;
  if (!batch) {
    out.input = value(prices.input);
    out.cached_input = value(prices.cached_input);
    out.output = value(prices.output);
    return out;
  }
  if (!card.batch_available) {
    if (why_not != nullptr) {
      *why_not = fmt::format("route {} has no Batch API pricing", card.provider);
    }
    return std::nullopt;
  }
  if (has_batch_prices(prices)) {
    out.input = value(prices.batch_input);
    out.output = value(prices.batch_output);
    out.cached_input = value(prices.batch_cached_input);
    return out;
  }
  if (why_not != nullptr) {
    *why_not = batch_served_by(card);
  }
  return std::nullopt;
}

std::pair<std::string, std::string> period_unpriceable_reason(const Card& card, const Model& model,
                                                              const PriceSet& prices, bool batch, bool web_search)
{
  if (model.kind != ModelKind::chat) {
    return {};
  }
  // A per-request fee (Sonar) replaces the search fee; a period may lack it.
  if (web_search && !prices.request_fee && !card.web_search_call_fee) {
    return {"no web-search price", fmt::format("web search calls on {}/{}, which has no web-search price from {}",
                                               card.provider, model.id, format_date(prices.from))};
  }
  std::string why;
  if (batch && !effective_token_prices(card, prices, true, &why)) {
    return {"no batch price", card.batch_available ? no_batch_price_reason(card, model) : why};
  }
  return {};
}

namespace {

// Tokens at the (batch or standard) token prices, cached tokens at input
// when the card lists no cached price; then the request fee, or the
// per-call search fee.
Priced price_chat(const PriceRequest& request, const Usage& usage)
{
  Priced result;
  const Card& card = *request.card;
  const Model& model = *request.model;
  const PriceSet& prices = *request.prices;
  Cost cost;
  unsigned notes = 0;
  std::string why;
  auto token_prices = effective_token_prices(card, prices, request.batch, &why);
  if (!token_prices) {
    result.not_priceable = card.batch_available ? no_batch_price_reason(card, model) : why;
    return result;
  }
  for (const auto* p : {&prices.input, &prices.cached_input, &prices.output}) {
    if (*p && (*p)->approximate) {
      notes |= k_note_approximate;
    }
  }
  cost.input = per_million(usage.input, *token_prices->input, notes);
  Decimal cached_price = *token_prices->input;
  if (token_prices->cached_input) {
    cached_price = *token_prices->cached_input;
  } else if (!usage.cached_input.is_zero()) {
    notes |= k_note_cached_at_input;
  }
  if (!usage.cache_write.is_zero()) {
    notes |= k_note_cache_write_at_input;
  }
  cost.cached_input = per_million(usage.cached_input, cached_price, notes);
  cost.output = per_million(usage.output, *token_prices->output, notes);
  if (prices.request_fee) {
    cost.fees += times(usage.requests, prices.request_fee->amount, notes);
    notes |= k_note_request_fee;
  } else if (!usage.web_search_calls.is_zero()) {
    if (!card.web_search_call_fee) {
      result.not_priceable = fmt::format("route {} lists no web-search tool price for {}", card.provider, model.id);
      return result;
    }
    cost.fees += times(usage.web_search_calls, card.web_search_call_fee->amount, notes);
    notes |= k_note_search_fee;
  }
  if (!usage.media_units.is_zero()) {
    result.not_priceable = fmt::format("{} is a chat model; it has no media price", model.id);
    return result;
  }
  result.cost = cost;
  result.notes = notes;
  return result;
}

// The price of one media unit: the flat price, or the tier the request names.
std::optional<Decimal> media_unit_price(const Model& model, const MediaPrice& media, std::string_view wanted_tier,
                                        std::string& why)
{
  if (media.price) {
    return media.price->amount;
  }
  const std::pair<std::string, Decimal>* tier = nullptr;
  for (const auto& t : media.tiers) {
    if (to_lower(t.first) == to_lower(wanted_tier)) {
      tier = &t;
    }
  }
  if (tier == nullptr) {
    std::vector<std::string> names;
    for (const auto& t : media.tiers) {
      names.push_back(t.first);
    }
    why =
        fmt::format("{} is priced by {}; {} (expected one of: {})", model.id, media.tier_by,
                    wanted_tier.empty() ? std::string("none given") : fmt::format("\"{}\" is not a tier", wanted_tier),
                    fmt::join(names, ", "));
    return std::nullopt;
  }
  return tier->second;
}

// Media units at the unit (or tier) price; characters are priced per 1k.
Priced price_media(const PriceRequest& request, const Usage& usage)
{
  Priced result;
  const Card& card = *request.card;
  const Model& model = *request.model;
  const PriceSet& prices = *request.prices;
  Cost cost;
  unsigned notes = 0;
  if (!usage.input.is_zero() || !usage.cached_input.is_zero() || !usage.output.is_zero()) {
    result.not_priceable = fmt::format("{} is a {} model priced per {}, not per token", model.id, to_string(model.kind),
                                       prices.media ? to_string(prices.media->unit) : "unit");
    return result;
  }
  if (request.batch) {
    result.not_priceable =
        fmt::format("route {} has no batch pricing for {} models", card.provider, to_string(model.kind));
    return result;
  }
  const MediaPrice& media = *prices.media;
  if (media.varies) {
    result.not_priceable =
        fmt::format("{} on {} is priced \"varies\" by the source; it cannot be estimated", model.id, card.provider);
    return result;
  }
  const std::optional<Decimal> unit_price = media_unit_price(model, media, request.media_tier, result.not_priceable);
  if (!unit_price) {
    return result;
  }
  if (media.approximate) {
    notes |= k_note_approximate;
  }
  if (media.unit == MediaUnit::kilo_characters) {
    bool inexact = false;
    cost.media = usage.media_units.mul_div(*unit_price, k_thousand, &inexact);
    if (inexact) {
      notes |= k_note_rounded;
    }
  } else {
    cost.media = times(usage.media_units, *unit_price, notes);
  }
  result.cost = cost;
  result.notes = notes;
  return result;
}

} // namespace

std::optional<ChatPricePlan> ChatPricePlan::make(const Card& card, const Model& model, const PriceSet& prices,
                                                 bool batch)
{
  if (model.kind != ModelKind::chat) {
    return std::nullopt;
  }
  const auto token_prices = effective_token_prices(card, prices, batch);
  if (!token_prices || !token_prices->input || !token_prices->output) {
    return std::nullopt;
  }
  // per_million rounds tokens * price / 10^6 at 10^-12: exact, and equal
  // to tokens * (price / 10^6), when the price's raw units divide by 10^6.
  constexpr int128 k_per_token = 1'000'000;
  auto fits = [](int128 raw) { return raw >= 0 && raw <= std::numeric_limits<std::int64_t>::max(); };
  auto per_token = [&](Decimal per_million_price, std::int64_t& out) {
    const int128 raw = per_million_price.raw() / k_per_token;
    out = fits(raw) ? static_cast<std::int64_t>(raw) : 0;
    return fits(raw) && per_million_price.raw() % k_per_token == 0;
  };
  ChatPricePlan plan;
  bool exact = per_token(*token_prices->input, plan.m_input) && per_token(*token_prices->output, plan.m_output);
  plan.m_cached_price = token_prices->cached_input.has_value();
  plan.m_cached_input = plan.m_input;
  if (plan.m_cached_price) {
    exact = exact && per_token(*token_prices->cached_input, plan.m_cached_input);
  }
  if (!exact) {
    return std::nullopt;
  }
  for (const auto* p : {&prices.input, &prices.cached_input, &prices.output}) {
    if (*p && (*p)->approximate) {
      plan.m_notes |= k_note_approximate;
    }
  }
  if (prices.request_fee) {
    if (!fits(prices.request_fee->amount.raw())) {
      return std::nullopt;
    }
    plan.m_request_fee = static_cast<std::int64_t>(prices.request_fee->amount.raw());
    plan.m_notes |= k_note_request_fee;
  } else if (card.web_search_call_fee) {
    if (!fits(card.web_search_call_fee->amount.raw())) {
      return std::nullopt;
    }
    plan.m_search_fee = static_cast<std::int64_t>(card.web_search_call_fee->amount.raw());
  }
  return plan;
}

std::optional<Cost> ChatPricePlan::price(const Counts<std::uint64_t>& counts, unsigned& notes) const
{
  // A whole quantity times a price in raw units is that product's raw units
  // (below 2^64 * 2^63: no overflow).
  auto times = [](std::uint64_t quantity, std::int64_t price) {
    return Decimal::from_raw(static_cast<int128>(quantity) * price);
  };
  Cost cost;
  unsigned found = m_notes;
  cost.input = times(counts[Counter::input], m_input);
  cost.cached_input = times(counts[Counter::cached_input], m_cached_input);
  cost.output = times(counts[Counter::output], m_output);
  if (counts[Counter::cached_input] != 0 && !m_cached_price) {
    found |= k_note_cached_at_input;
  }
  if (counts[Counter::cache_write] != 0) {
    found |= k_note_cache_write_at_input;
  }
  if (m_request_fee) {
    cost.fees = times(counts[Counter::requests], *m_request_fee);
  } else if (counts[Counter::web_search_calls] != 0) {
    if (!m_search_fee) {
      return std::nullopt;
    }
    cost.fees = times(counts[Counter::web_search_calls], *m_search_fee);
    found |= k_note_search_fee;
  }
  notes |= found;
  return cost;
}

Priced price_usage(const PriceRequest& request, const Usage& usage)
{
  return request.model->kind == ModelKind::chat ? price_chat(request, usage) : price_media(request, usage);
}

} // namespace llmcost
