#include "llmcost/record_resolver.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llmcost {

std::size_t RecordResolver::NamesHash::operator()(const Names& n) const noexcept
{
  return hash_mix(std::hash<std::string_view>{}(n.first), std::hash<std::string_view>{}(n.second));
}

RecordResolver::RecordResolver(const Catalog& catalog, std::string provider_hint, ModelMapping mapping)
  : m_catalog(catalog)
  , m_provider_hint(std::move(provider_hint))
  , m_mapping(std::move(mapping))
  , m_mapped_records(1 + m_mapping.aliases.size())
{
  for (auto& alias : m_mapping.aliases) {
    alias.first = to_lower(alias.first);
  }
}

void RecordResolver::ignore_provider(std::string_view provider)
{
  if (std::find(m_ignored_providers.begin(), m_ignored_providers.end(), provider) == m_ignored_providers.end()) {
    m_ignored_providers.emplace_back(provider);
  }
}

std::size_t RecordResolver::recent_slot(std::string_view provider, std::string_view model)
{
  return static_cast<std::size_t>(names_hash(provider, model) >> 58); // 64 slots
}

const RecordResolver::Result& RecordResolver::resolve(std::string_view provider, std::string_view model)
{
  Recent& recent = m_recent[recent_slot(provider, model)];
  if (recent.result != nullptr && same_text(recent.model, model) && same_text(recent.provider, provider)) {
    if (recent.result->mapped >= 0) [[unlikely]] {
      ++m_mapped_records[static_cast<std::size_t>(recent.result->mapped)];
    }
    return *recent.result;
  }
  auto it = m_cache.find(Names(provider, model));
  if (it == m_cache.end()) {
    it = m_cache.emplace(std::pair(std::string(provider), std::string(model)), lookup(provider, model)).first;
  }
  recent.provider = provider;
  recent.model = model;
  recent.result = &it->second;
  if (it->second.mapped >= 0) {
    ++m_mapped_records[static_cast<std::size_t>(it->second.mapped)];
  }
  return it->second;
}

RecordResolver::Result RecordResolver::lookup(std::string_view provider, std::string_view model)
{
  Result r;
  ResolveFailure failure;
  if (model.empty()) {
    if (m_mapping.assumed_model.empty()) {
      r.category = "no model";
      r.problem = "no model name (expected a model column or field; Kimi CLI logs name none, nor do Codex logs "
                  "before their first turn_context: pass --assume-model ROUTE/ID, e.g. moonshot/kimi-k2.6, or set "
                  "default_model in the Kimi CLI config.toml beside the sessions)";
      return r;
    }
    r.mapped = 0;
    r.model = m_catalog.resolve(m_mapping.assumed_model, "", m_provider_hint, failure);
  } else if (const std::string name = to_lower(model);
             std::any_of(m_mapping.aliases.begin(), m_mapping.aliases.end(),
                         [&](const auto& alias) { return alias.first == name; })) {
    // The alias names its route: the record's provider does not choose it.
    const auto alias = std::find_if(m_mapping.aliases.begin(), m_mapping.aliases.end(),
                                    [&](const auto& a) { return a.first == name; });
    r.mapped = static_cast<int>(1 + (alias - m_mapping.aliases.begin()));
    r.model = m_catalog.resolve(alias->second, "", m_provider_hint, failure);
  }
  if (r.mapped >= 0) {
    if (!r.model) {
      r.category = failure.category;
      r.problem = fmt::format("{} (from {})", failure.problem,
                              r.mapped == 0 ? m_mapping.assumed_source : alias_source(r.mapped - 1));
    }
    return r;
  }
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

std::string RecordResolver::alias_source(std::size_t alias) const
{
  return alias < m_mapping.alias_sources.size() ? m_mapping.alias_sources[alias] : "--model-alias";
}

void RecordResolver::merge_notes(const RecordResolver& later)
{
  for (std::size_t i = 0; i < m_mapped_records.size() && i < later.m_mapped_records.size(); ++i) {
    m_mapped_records[i] += later.m_mapped_records[i];
  }
  for (const auto& provider : later.m_ignored_providers) {
    ignore_provider(provider);
  }
}

std::vector<std::string> RecordResolver::notes() const
{
  std::vector<std::string> out;
  // Every record priced as another model than it names is said, per mapping.
  if (m_mapped_records[0] > 0) {
    out.push_back(fmt::format("records naming no model priced as {} ({}): {}", m_mapping.assumed_model,
                              m_mapping.assumed_source, m_mapped_records[0]));
  }
  for (std::size_t i = 0; i < m_mapping.aliases.size(); ++i) {
    if (m_mapped_records[1 + i] > 0) {
      out.push_back(fmt::format("records of model \"{}\" priced as {} ({}): {}", m_mapping.aliases[i].first,
                                m_mapping.aliases[i].second, alias_source(i), m_mapped_records[1 + i]));
    }
  }
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
  if (record.counts[Counter::web_search_calls] > 0 && !prices_web_search(model)) {
    return {"no web-search price",
            fmt::format("web search calls on {}/{}, which has no web-search price", card.provider, model.model->id)};
  }
  return {};
}

} // namespace llmcost
