#pragma once
// Views of the rate cards for `models` and `rates show|diff`: data first
// (so tests can check it), then rendering.

#include "llmcost/catalog.hpp"
#include "llmcost/render.hpp"
#include "llmcost/text_table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace llmcost {

// One line per model: provider, id, kind, prices in their units, context.
// "current", "deprecated since DATE" or "retired since DATE".
std::string model_status(const Model& model);
TextTable models_table(const Catalog& catalog, const std::string& provider, std::optional<ModelKind> kind);

// Human-readable price of one price set, e.g. "in 0.95 / cached 0.16 / out 4.00 per 1M tokens".
std::string describe_prices(const Card& card, const Model& model, const PriceSet& prices);
// The prices a request was charged: the standard ones, or its batch prices
// ("input 0.57 / cached 0.10 / output 2.40 per 1M tokens (batch)").
std::string describe_applied_prices(const Card& card, const Model& model, const PriceSet& prices, bool batch);

// Everything the card says about one model: prices (standard, batch, fees),
// history, context window, source, notes; rendered as text or JSON.
std::string render_model_rates(const Card& card, const Model& model, OutputFormat format);

// A model the card leaves out on purpose: why, what was found, who lists it.
std::string render_not_carried(const Card& card, const NotCarried& entry, OutputFormat format);

// Route-level facts of a card: sources, tax, batch, tools, tiers, credits.
std::string render_card_summary(const Card& card, OutputFormat format);

// `compare_batch` false: one side cannot state batch prices (genai-prices),
// so its lack of them is no change.
std::vector<CardChange> diff_cards(const Card& before, const Card& after, bool compare_batch = true);

} // namespace llmcost
