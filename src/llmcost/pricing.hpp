#pragma once
// The pricing rules of SPEC.md ("Pricing rules"), applied to a quantity of
// usage on one route's model. Usage is additive, and every rule here is
// linear in it, so pricing a group's summed usage equals the sum of pricing
// each record (the per-request audio minimum is applied before summing).

#include "llmcost/counters.hpp"
#include "llmcost/ratecard.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace llmcost {

struct Usage
{
  Decimal requests;
  Decimal input;        // uncached input tokens (cache misses, search results, cache writes)
  Decimal cached_input; // cache hits
  Decimal cache_write;  // of `input`: tokens written to a cache (Anthropic), billed at input
  Decimal output;       // output tokens, reasoning included
  Decimal reasoning;    // of `output`: reasoning tokens, for information only
  Decimal web_search_calls;
  Decimal media_units; // in the model's media unit: images, seconds, calls, minutes, characters, ...

  // The counters by Counter (k_usage_fields): the pricing rules read them by
  // name, code that treats them alike loops.
  Decimal& operator[](Counter c);
  const Decimal& operator[](Counter c) const;
  Usage& operator+=(const Usage& other);
};

// The field of each counter, in enum order.
inline constexpr std::array<Decimal Usage::*, k_counters> k_usage_fields = {
    &Usage::requests, &Usage::input,     &Usage::cached_input,    &Usage::cache_write,
    &Usage::output,   &Usage::reasoning, &Usage::web_search_calls};

// Every quantity times `factor` (a request's usage times the requests, a share).
Usage scaled(const Usage& usage, Decimal factor);

inline Decimal& Usage::operator[](Counter c)
{
  return this->*k_usage_fields[index_of(c)];
}
inline const Decimal& Usage::operator[](Counter c) const
{
  return this->*k_usage_fields[index_of(c)];
}

struct Cost
{
  Decimal input;
  Decimal cached_input;
  Decimal output;
  Decimal fees;
  Decimal media;

  Decimal total() const { return input + cached_input + output + fees + media; }
  Cost& operator+=(const Cost& other);
};

// Facts a report must state about how a line was priced.
enum PricingNote : unsigned {
  k_note_cached_at_input = 1U << 0,     // no cached price: cached tokens billed at input
  k_note_approximate = 1U << 2,         // a "~" price was used
  k_note_rounded = 1U << 3,             // a product was rounded at 1e-12
  k_note_search_fee = 1U << 4,          // a per-call web-search fee applied
  k_note_request_fee = 1U << 5,         // a flat per-request fee applied (e.g. Sonar)
  k_note_cache_write_at_input = 1U << 6 // cache writes billed at input price
};

struct Priced
{
  std::optional<Cost> cost;  // absent when the usage cannot be priced on this model
  std::string not_priceable; // why, when absent
  unsigned notes = 0;
};

struct PriceRequest
{
  const Card* card = nullptr;
  const Model* model = nullptr;
  const PriceSet* prices = nullptr;
  bool batch = false;
  std::string_view media_tier; // image_quality or image_size value, for tiered media
};

Priced price_usage(const PriceRequest& request, const Usage& usage);

// The per-1M token prices that apply (batch or standard), for display.
struct EffectiveTokenPrices
{
  std::optional<Decimal> input;
  std::optional<Decimal> cached_input; // absent: billed at input
  std::optional<Decimal> output;
};
// Batch is priced only where the card publishes batch prices (SPEC: never an
// assumed discount).
bool has_batch_prices(const PriceSet& prices);
// "moonshot's Batch API serves kimi-k2.6 and kimi-k2.5 (SOURCE)": the models
// with batch prices today, and who says so.
std::string batch_served_by(const Card& card);
// Why a batch request on `model` cannot be priced on a route with a Batch API.
std::string no_batch_price_reason(const Card& card, const Model& model);

// A row's counts are below 10^17: the warehouse view counts in DECIMAL(17,0),
// and the CLI refuses what the warehouse cannot hold ("quantity too large").
inline constexpr std::uint64_t k_max_row_quantity = 100'000'000'000'000'000ULL;

// Why chat usage cannot be priced on one price period (batch without batch
// prices, web search without a fee): {category, detail}, or empty strings.
// price_chat's own rules, asked before a record joins a group.
std::pair<std::string, std::string> period_unpriceable_reason(const Card& card, const Model& model,
                                                              const PriceSet& prices, bool batch, bool web_search);

std::optional<EffectiveTokenPrices> effective_token_prices(const Card& card, const PriceSet& prices, bool batch,
                                                           std::string* why_not = nullptr);

// One chat price period's prices per token, for pricing many records one by
// one (reconcile re-prices every row): the cost and notes price_usage gives,
// from integer multiplies. Made only where every token price is a whole
// number of 10^-12 dollars per token (six decimals per 1M), so nothing rounds.
class ChatPricePlan
{
public:
  // None when price_usage must be asked instead (not a chat model, no
  // batch price, a price finer than the plan can hold exactly).
  static std::optional<ChatPricePlan> make(const Card& card, const Model& model, const PriceSet& prices, bool batch);
  // A record's cost, or none when price_usage must decide (web search on a
  // route without a fee).
  std::optional<Cost> price(const Counts<std::uint64_t>& counts, unsigned& notes) const;

private:
  // Decimal raw units per token (or per request, per call): below 2^63,
  // so a count below 2^64 times one fits 128 bits without a check.
  std::int64_t m_input = 0;
  std::int64_t m_cached_input = 0;
  std::int64_t m_output = 0;
  std::optional<std::int64_t> m_request_fee;
  std::optional<std::int64_t> m_search_fee;
  bool m_cached_price = false; // else cached tokens at the input price
  unsigned m_notes = 0;        // the notes every record priced here carries
};

} // namespace llmcost
