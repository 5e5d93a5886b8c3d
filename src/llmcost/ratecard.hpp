#pragma once
// Rate cards: what a route (provider) charges for each model, with sources,
// effective dates, batch and tool rules, rate-limit tiers and credit rules.
// The schema is documented in pricing/SCHEMA.md.

#include "llmcost/date.hpp"
#include "llmcost/decimal.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmcost {

enum class ModelKind { chat, image, video, audio, tts, music, voice };
enum class MediaUnit { image, second, call, minute, kilo_characters, song, voice, generation };

std::string_view to_string(ModelKind kind);
std::string_view to_string(MediaUnit unit);
std::optional<ModelKind> parse_model_kind(std::string_view text);

struct Price
{
  Decimal amount;
  bool approximate = false; // the source prints "~"
  std::string note;

  bool operator==(const Price&) const = default;
};

struct MediaPrice
{
  MediaUnit unit = MediaUnit::call;
  std::optional<Price> price;                         // absent when tiered or "varies"
  std::string tier_by;                                // "image_quality" | "image_size"
  std::vector<std::pair<std::string, Decimal>> tiers; // in card order
  bool varies = false;                                // listed, not priceable
  bool approximate = false;
  std::optional<Decimal> minimum;         // minimum billable units per request
  std::optional<Decimal> default_seconds; // video duration when a request gives none

  bool operator==(const MediaPrice&) const = default;
};

struct PriceSet
{
  Day from = 0; // first day this set applies
  std::string source;
  std::string note;
  // Token prices, per 1M tokens.
  std::optional<Price> input;
  std::optional<Price> cached_input;
  std::optional<Price> output;
  std::optional<Price> batch_input;
  std::optional<Price> batch_cached_input;
  std::optional<Price> batch_output;
  std::optional<Price> request_fee; // flat per request (e.g. Sonar's web search)
  std::string request_fee_label;
  std::optional<MediaPrice> media;

  bool operator==(const PriceSet&) const = default;
};

// A dated event in a model's life, with who says so.
struct LifecycleDate
{
  Day day = 0;
  std::string source; // a sources[].id
  std::string note;

  bool operator==(const LifecycleDate&) const = default;
};

struct Model
{
  std::string id;
  std::vector<std::string> aliases;
  ModelKind kind = ModelKind::chat;
  std::optional<std::int64_t> context_window;
  std::string source;
  std::string note;
  std::vector<PriceSet> periods; // ascending by `from`; back() is current
  // Lifecycle: informs, never rejects usage (usage before the launch is
  // priced by the first period, after the retirement by the last).
  std::optional<LifecycleDate> launched;
  std::optional<LifecycleDate> deprecated; // still served, not for new work
  std::optional<LifecycleDate> retired;
  std::string successor; // a model id of the card a source names as the replacement

  const PriceSet& current() const { return periods.back(); }
  // The set in effect on `day`, or nullptr when `day` is before the first.
  const PriceSet* prices_on(Day day) const;
  // The prices usage dated `day` is billed at: prices_on, or the first
  // period before the model's launch (lifecycle never rejects usage); null
  // when the day is before the first price of a model with no launch date.
  const PriceSet* prices_for_usage(Day day) const;

  bool operator==(const Model&) const = default;
};

struct Source
{
  std::string id;
  std::string title;
  std::string file;
  std::string url;
  std::string date;
  // The seller's own page (true) or a third party (false); unset: not stated.
  std::optional<bool> official;

  bool operator==(const Source&) const = default;
};

struct RateLimitTier
{
  std::string name;
  Decimal min_purchase; // cumulative purchase / recharge that unlocks it
  // nullopt: not stated by the source; a value of -1: unlimited.
  std::optional<std::int64_t> concurrency;
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> per_model_rpm;
  std::optional<std::int64_t> tpm;
  std::optional<std::int64_t> tpd;

  bool operator==(const RateLimitTier&) const = default;
};
constexpr std::int64_t k_unlimited = -1;

struct CreditRule
{
  std::string kind; // signup_bonus | referral | purchase_packages | minimum_recharge | voucher
  std::optional<Decimal> amount;
  std::vector<Decimal> amounts;
  std::optional<Decimal> threshold;
  std::string note;

  bool operator==(const CreditRule&) const = default;
};

// A model a source lists that the card deliberately does not price (e.g.
// billed by context tier), so a record naming it is refused with the reason
// instead of as a bare unknown model.
struct NotCarried
{
  std::string id;
  std::vector<std::string> sources; // sources[].id
  std::string reason;               // short, for one-line messages; may be empty
  std::string note;                 // what was found, in full

  // `reason`, else the note's first sentence: what a message shows.
  std::string summary() const;

  bool operator==(const NotCarried&) const = default;
};

struct Card
{
  std::string provider;
  std::string name;
  std::string currency;
  std::string origin; // "bundled" or the file it came from
  bool tax_included = false;
  std::string tax_note;
  Day effective_from = 0;
  std::string effective_from_note;
  std::vector<Source> sources;
  bool batch_available = false;
  std::string batch_source; // a sources[].id: who says which models the Batch API serves
  std::string batch_note;
  std::optional<Price> web_search_call_fee; // per tool call, every chat model
  std::vector<Model> models;
  std::vector<RateLimitTier> tiers;
  std::string rate_limits_note;
  std::vector<CreditRule> credits;
  std::string credits_note;
  std::vector<NotCarried> not_carried;
  std::string not_carried_note;

  const Model* find_model(std::string_view id) const;
  // The not_carried entry with this id (case-insensitive), or nullptr.
  const NotCarried* find_not_carried(std::string_view id) const;
  const Source* find_source(std::string_view id) const;
  // "ID (official)", "ID (third-party)" or "ID": who says so, and which kind.
  std::string source_label(std::string_view id) const;

  // Field by field, as every struct above: the unit tests check the cards
  // compiled into the binary against pricing/*.json with it.
  bool operator==(const Card&) const = default;
};

struct CardProblem
{
  std::string where; // "file:line:col" or "file: /json/pointer"
  std::string message;
};

struct CardLoad
{
  std::optional<Card> card; // set only when there were no problems
  std::vector<CardProblem> problems;
};

// Parses and validates one card. `origin` names it in problems.
CardLoad load_card(std::string_view json_text, const std::string& origin);

// A LiteLLM-style price map (model_prices_and_context_window.json: model ->
// {"litellm_provider", "mode", "input_cost_per_token", ...}) read as a card
// of `like`'s route, for `rates diff`: its chat entries for that provider
// ("moonshot/kimi-k2.6" or "kimi-k2.6"), per-token prices times 1M, exact
// from the number's text. Route-level facts (currency, dates, tax, fees) are
// copied from `like`, so a diff shows the models only. nullopt when the text
// is not such a map; throws Error when it is one with a price that is not a
// number.
std::optional<Card> card_from_price_map(std::string_view json_text, const std::string& origin, const Card& like);

// One line of `rates diff`: what differs, or what could not be compared.
struct CardChange
{
  std::string model; // empty for card-level changes
  std::string what;  // "added", "removed", "input 0.60 -> 0.55", ...
};

// Another tool's price list read as a card of `like`'s route for `rates
// diff`, with what it states that the card cannot compare (listed, never
// dropped silently).
struct ForeignCard
{
  Card card;
  std::string missing;       // the change for a card model the list lacks
  bool compare_batch = true; // false: the list has no batch prices at all
  std::vector<CardChange> not_compared;
  std::vector<std::string> listed_uncompared; // card models it lists but could not compare (said in not_compared)
};

// pydantic's genai-prices provider data (prices/data.json, data_slim.json,
// new_data/v2/data*.json: a JSON array of providers, each with "id",
// "api_pattern", "models") read as a card of `like`'s route: the provider
// genai-prices itself picks for the route's name (its id, then its
// provider_match), and for each card model the entry whose `match` rule
// takes its id (else an alias), as genai-prices prices a request. Prices are
// per 1M tokens (input_mtok, cache_read_mtok, output_mtok; requests_kcount
// per 1,000 requests), exact from the number's text. Tiers (the base price is
// compared), earlier or time-of-day conditional prices, other price keys and
// unknown fields are listed in not_compared. nullopt when the text is not
// such data; throws Error when it is, but names no provider of the route or
// has a price that is not a number.
std::optional<ForeignCard> card_from_genai_prices(std::string_view json_text, const std::string& origin,
                                                  const Card& like);

} // namespace llmcost
