#pragma once
// The set of rate cards in use (bundled, plus --pricing / LLMCOST_PRICING_PATH)
// and how a model name in the input is resolved to one route's model.

#include "llmcost/ratecard.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace llmcost {

// Rate card files are data from possibly untrusted paths: larger files are
// refused before parsing (the bundled cards are under 30 kB).
constexpr std::size_t k_max_card_bytes = 4 * 1024 * 1024;

// The text of a card file: a regular file (a symlink named on the command
// line is followed) of at most k_max_card_bytes. Throws Error naming the path.
std::string read_card_file(const std::string& path);

struct ResolvedModel
{
  const Card* card = nullptr;
  const Model* model = nullptr;
};

struct ResolveFailure
{
  std::string category; // "unknown model", "ambiguous model", "model not on route"
  std::string problem;
  std::string expected;
};

class Catalog
{
public:
  // The cards compiled into the binary.
  static Catalog bundled();

  // Adds a card, replacing any card of the same provider.
  void add(Card card);
  // Loads a card file, or every *.json regular file directly in a directory
  // (sorted by name; hidden files, other names and subdirectories are not
  // cards; a *.json entry that is a symlink or not a regular file is an
  // error). Throws Error listing every problem found.
  void load_path(const std::string& path);

  const std::vector<Card>& cards() const { return m_cards; }
  // The route names (each card's provider), in card order: for messages and
  // help, so that adding a card is all it takes to add a route.
  std::vector<std::string> routes() const;
  // The bundled cards' routes, without building the cards (for help texts).
  static std::vector<std::string> bundled_routes();
  const Card* find_card(std::string_view provider) const;

  // Resolution order (SPEC.md): the record's own provider, else the hint
  // (--provider) where it sells the model, else the only card that has it.
  // Accepts ids, aliases and provider-qualified ids ("kyma/kimi-k2.6"),
  // case-insensitively. `provider` may be empty.
  std::optional<ResolvedModel> resolve(std::string_view name, std::string_view provider, std::string_view provider_hint,
                                       ResolveFailure& failure) const;
  // Throwing convenience wrapper (no location).
  ResolvedModel resolve_or_throw(std::string_view name, std::string_view provider,
                                 std::string_view provider_hint) const;

  // The card's not_carried entry that `name` (an id or "route/id") names, on
  // `route` when given; {nullptr, nullptr} when none does.
  std::pair<const Card*, const NotCarried*> find_not_carried(std::string_view name, std::string_view route) const;

  // Up to `count` provider-qualified ids nearest to `name` by edit distance.
  std::vector<std::string> closest(std::string_view name, std::size_t count) const;

private:
  void reindex();

  std::vector<Card> m_cards;
  // lower-cased id or alias -> (card index, model index)
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> m_index;
};

} // namespace llmcost
