#include "llmcost/record_resolver.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/strings.hpp"

#include <fmt/format.h>

namespace llmcost {

std::size_t RecordResolver::NamesHash::operator()(const Names& n) const noexcept
{
  return hash_mix(std::hash<std::string_view>{}(n.first), std::hash<std::string_view>{}(n.second));
}

RecordResolver::RecordResolver(const Catalog& catalog, std::string provider_hint)
  : m_catalog(catalog)
  , m_provider_hint(std::move(provider_hint))
{
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
    return *recent.result;
  }
  auto it = m_cache.find(Names(provider, model));
  if (it == m_cache.end()) {
    it = m_cache.emplace(std::pair(std::string(provider), std::string(model)), lookup(provider, model)).first;
  }
  recent.provider = provider;
  recent.model = model;
  recent.result = &it->second;
  return it->second;
}

RecordResolver::Result RecordResolver::lookup(std::string_view provider, std::string_view model)
{
  Result r;
  ResolveFailure failure;
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

void RecordResolver::merge_notes(const RecordResolver& later)
{
  for (const auto& provider : later.m_ignored_providers) {
    ignore_provider(provider);
  }
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
