#include "llmcost/catalog.hpp"

#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>

namespace llmcost {

namespace {
// Longer model names are cut in messages and in "did you mean" ranking.
constexpr std::size_t k_max_shown_name = 200;
} // namespace

// Catalog::bundled() is in catalog_bundled.cpp (see there).

void Catalog::add(Card card)
{
  auto same = std::find_if(m_cards.begin(), m_cards.end(),
                           [&](const Card& existing) { return existing.provider == card.provider; });
  if (same != m_cards.end()) {
    *same = std::move(card);
  } else {
    m_cards.push_back(std::move(card));
  }
  reindex();
}

std::string read_card_file(const std::string& path)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw Error(Location{path}, "cannot open: " + (ec ? ec.message() : std::string("no such file or directory")),
                "a rate card file (JSON) or a directory of them");
  }
  if (!fs::is_regular_file(status)) {
    throw Error(Location{path}, "not a regular file", "a rate card file (JSON) or a directory of them");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Location{path}, std::string("cannot open: ") + std::strerror(errno));
  }
  // Read one byte past the limit: a file that grows after the check is still bounded.
  std::string text(k_max_card_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    throw Error(Location{path}, std::string("read error: ") + std::strerror(errno));
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > k_max_card_bytes) {
    throw Error(Location{path}, fmt::format("rate card larger than {} bytes", k_max_card_bytes),
                "a card of at most 4 MiB");
  }
  return text;
}

void Catalog::load_path(const std::string& path)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    fs::directory_iterator it(path, ec);
    if (ec) {
      throw Error(Location{path}, "cannot read directory: " + ec.message());
    }
    for (const auto& entry : it) {
      const std::string name = entry.path().filename().string();
      if (name.front() == '.' || entry.path().extension() != ".json") {
        continue; // not a card by the documented rule (README.md, .#card.json, ...)
      }
      // A link could lead anywhere: only regular files in the directory itself are cards.
      if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) {
        throw Error(Location{entry.path().string()},
                    entry.is_symlink(ec) ? "is a symbolic link" : "is not a regular file",
                    "a regular *.json file; links in a card directory are not followed: name the "
                    "target with --pricing");
      }
      files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      throw Error(Location{path}, "no rate cards (*.json) in this directory");
    }
  } else {
    files.push_back(path);
  }
  for (const auto& file : files) {
    const std::string text = read_card_file(file);
    CardLoad load = load_card(text, file);
    if (!load.card) {
      std::string message = fmt::format("{}: not a valid rate card ({} problem{})", file, load.problems.size(),
                                        load.problems.size() == 1 ? "" : "s");
      for (const auto& p : load.problems) {
        message += "\n  " + (p.where.empty() ? p.message : p.where + ": " + p.message);
      }
      throw Error(message);
    }
    add(std::move(*load.card));
  }
}

const Card* Catalog::find_card(std::string_view provider) const
{
  for (const auto& card : m_cards) {
    if (card.provider == provider) {
      return &card;
    }
  }
  return nullptr;
}

std::vector<std::string> Catalog::routes() const
{
  std::vector<std::string> names;
  names.reserve(m_cards.size());
  for (const auto& card : m_cards) {
    names.push_back(card.provider);
  }
  return names;
}

void Catalog::reindex()
{
  m_index.clear();
  for (std::size_t c = 0; c < m_cards.size(); ++c) {
    for (std::size_t m = 0; m < m_cards[c].models.size(); ++m) {
      const Model& model = m_cards[c].models[m];
      auto add_name = [&](const std::string& name) {
        auto& hits = m_index[to_lower(name)];
        if (std::find(hits.begin(), hits.end(), std::make_pair(c, m)) == hits.end()) {
          hits.emplace_back(c, m);
        }
      };
      add_name(model.id);
      for (const auto& alias : model.aliases) {
        add_name(alias);
      }
    }
  }
}

std::optional<ResolvedModel> Catalog::resolve(std::string_view name, std::string_view provider,
                                              std::string_view provider_hint, ResolveFailure& failure) const
{
  std::string key = to_lower(name);
  std::string route = to_lower(provider);
  // "kyma/kimi-k2.6": a provider prefix chooses the route, unless the whole
  // string is itself an alias (e.g. "moonshotai/kimi-k2.6").
  if (const auto slash = key.find('/'); slash != std::string::npos && m_index.count(key) == 0) {
    const std::string prefix = key.substr(0, slash);
    if (find_card(prefix) != nullptr) {
      if (!route.empty() && route != prefix) {
        failure.category = "conflicting route";
        failure.problem = fmt::format("model \"{}\" names route {} but the record says {}",
                                      shorten(name, k_max_shown_name), prefix, route);
        return std::nullopt;
      }
      route = prefix;
      key = key.substr(slash + 1);
    }
  }
  auto it = m_index.find(key);
  if (it == m_index.end()) {
    // A model the card leaves out on purpose: say why, not "did you mean".
    if (const auto [card, entry] = find_not_carried(key, route); entry != nullptr) {
      failure.category = "unknown model";
      failure.problem = fmt::format("{}/{} is not priced by llmcost: {}", card->provider, entry->id, entry->summary());
      failure.expected = "a model from `llmcost models`";
      return std::nullopt;
    }
    const auto near = closest(name, 3);
    failure.category = "unknown model";
    failure.problem = fmt::format("unknown model \"{}\"", shorten(name, k_max_shown_name));
    failure.expected = near.empty() ? "a model from `llmcost models`"
                                    : fmt::format("one of: {}; see `llmcost models`", fmt::join(near, ", "));
    return std::nullopt;
  }
  const auto& hits = it->second;
  auto on_route = [&](std::string_view r) -> std::optional<ResolvedModel> {
    for (const auto& [c, m] : hits) {
      if (m_cards[c].provider == r) {
        return ResolvedModel{&m_cards[c], &m_cards[c].models[m]};
      }
    }
    return std::nullopt;
  };
  std::vector<std::string> routes;
  for (const auto& [c, m] : hits) {
    routes.push_back(m_cards[c].provider + "/" + m_cards[c].models[m].id);
  }
  if (!route.empty()) {
    if (auto found = on_route(route)) {
      return found;
    }
    failure.category = "model not sold on the route";
    failure.problem = fmt::format("route {} does not sell model \"{}\"", route, name);
    failure.expected = fmt::format("one of: {}", fmt::join(routes, ", "));
    return std::nullopt;
  }
  if (!provider_hint.empty()) {
    if (auto found = on_route(to_lower(provider_hint))) {
      return found;
    }
  }
  if (hits.size() == 1) {
    return ResolvedModel{&m_cards[hits[0].first], &m_cards[hits[0].first].models[hits[0].second]};
  }
  failure.category = "ambiguous model";
  failure.problem = fmt::format("model \"{}\" is sold by {} routes", name, hits.size());
  failure.expected = fmt::format("a provider-qualified id ({}) or --provider", fmt::join(routes, " or "));
  return std::nullopt;
}

ResolvedModel Catalog::resolve_or_throw(std::string_view name, std::string_view provider,
                                        std::string_view provider_hint) const
{
  ResolveFailure failure;
  auto found = resolve(name, provider, provider_hint, failure);
  if (!found) {
    throw Error(Location{}, failure.problem, failure.expected);
  }
  return *found;
}

std::pair<const Card*, const NotCarried*> Catalog::find_not_carried(std::string_view name, std::string_view route) const
{
  std::string key = to_lower(name);
  std::string wanted = to_lower(route);
  if (const auto slash = key.find('/'); slash != std::string::npos && find_card(key.substr(0, slash)) != nullptr) {
    if (!wanted.empty() && wanted != key.substr(0, slash)) {
      return {nullptr, nullptr};
    }
    wanted = key.substr(0, slash);
    key = key.substr(slash + 1);
  }
  for (const auto& card : m_cards) {
    if (wanted.empty() || card.provider == wanted) {
      if (const NotCarried* entry = card.find_not_carried(key)) {
        return {&card, entry};
      }
    }
  }
  return {nullptr, nullptr};
}

std::vector<std::string> Catalog::closest(std::string_view name, std::size_t count) const
{
  // Edit distance is quadratic; a prefix is enough to rank suggestions and
  // keeps a 100 MB "model name" from taking hours.
  const std::string wanted = to_lower(name.substr(0, std::min<std::size_t>(name.size(), k_max_shown_name)));
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& card : m_cards) {
    for (const auto& model : card.models) {
      std::size_t best = edit_distance(wanted, to_lower(model.id));
      best = std::min(best, edit_distance(wanted, to_lower(card.provider + "/" + model.id)));
      for (const auto& alias : model.aliases) {
        best = std::min(best, edit_distance(wanted, to_lower(alias)));
      }
      scored.emplace_back(best, card.provider + "/" + model.id);
    }
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) {
    out.push_back(scored[i].second);
  }
  return out;
}

} // namespace llmcost
