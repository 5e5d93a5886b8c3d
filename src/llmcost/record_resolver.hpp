#pragma once
// From a record's provider and model text to one route's model, and whether
// a record can be priced on it.

#include "llmcost/catalog.hpp"
#include "llmcost/usage.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace llmcost {

// How records' model names map to the cards' models: --assume-model for
// records that name none (Kimi CLI logs), --model-alias for a name in the
// input priced as a card model ("what would this have cost on Kimi").
struct ModelMapping
{
  std::string assumed_model;                                // ROUTE/ID, or empty: a record without a model is rejected
  std::string assumed_source;                               // where it came from, for the note ("--assume-model")
  std::vector<std::pair<std::string, std::string>> aliases; // (name in the input, ROUTE/ID)
  std::vector<std::string> alias_sources;                   // each alias's origin, for the note ("--model-alias")
};

// Resolves the (provider, model) of records to one route's model, caching
// the answer per pair. A provider value that is not a loaded route ("openai",
// "Moonshot AI") does not choose the route; it is remembered for a note.
class RecordResolver
{
public:
  struct Result
  {
    std::optional<ResolvedModel> model;
    std::string category; // set when model is absent
    std::string problem;
    int mapped = -1; // 0: the assumed model; 1 + i: m_mapping.aliases[i]; -1: the record's own
  };

  RecordResolver(const Catalog& catalog, std::string provider_hint, ModelMapping mapping = {});
  const Result& resolve(std::string_view provider, std::string_view model);
  // Notes for the report (providers that were not routes).
  std::vector<std::string> notes() const;
  // Takes the providers another resolver ignored (after this one's).
  void merge_notes(const RecordResolver& later);

private:
  using Names = std::pair<std::string_view, std::string_view>;
  struct NamesHash
  {
    using is_transparent = void;
    std::size_t operator()(const Names& n) const noexcept;
    std::size_t operator()(const std::pair<std::string, std::string>& n) const noexcept
    {
      return (*this)(Names(n.first, n.second));
    }
  };
  struct NamesEqual
  {
    using is_transparent = void;
    template <typename A, typename B> bool operator()(const A& a, const B& b) const noexcept
    {
      return std::string_view(a.first) == std::string_view(b.first) &&
             std::string_view(a.second) == std::string_view(b.second);
    }
  };

  void ignore_provider(std::string_view provider);
  std::string alias_source(std::size_t alias) const;
  Result lookup(std::string_view provider, std::string_view model);

  // A small direct-mapped cache in front of the map: a usage file names a
  // handful of models, and hashing both names per record was a tenth of the
  // reading time.
  struct Recent
  {
    std::string provider;
    std::string model;
    const Result* result = nullptr;
  };
  static std::size_t recent_slot(std::string_view provider, std::string_view model);
  std::array<Recent, 64> m_recent;

  const Catalog& m_catalog;
  std::string m_provider_hint;
  ModelMapping m_mapping;
  std::vector<std::uint64_t> m_mapped_records; // records resolved by each mapping (Result::mapped)
  std::unordered_map<std::pair<std::string, std::string>, Result, NamesHash, NamesEqual> m_cache;
  std::vector<std::string> m_ignored_providers;
};

// Why a record cannot be priced on a model as it is (category, detail), or
// empty strings: a media model, batch on a route without batch pricing, web
// search calls where the route has no search price.
std::pair<std::string, std::string> unpriceable_reason(const UsageRecord& record, const ResolvedModel& model);
// True when the route or the model has a price for web search calls.
bool prices_web_search(const ResolvedModel& model);

} // namespace llmcost
