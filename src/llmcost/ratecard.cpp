#include "llmcost/ratecard.hpp"

#include "llmcost/error.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <set>

namespace llmcost {

using json = nlohmann::ordered_json; // card order matters (tiers, listings)

std::string_view to_string(ModelKind kind)
{
  switch (kind) {
  case ModelKind::chat:
    return "chat";
  case ModelKind::image:
    return "image";
  case ModelKind::video:
    return "video";
  case ModelKind::audio:
    return "audio";
  case ModelKind::tts:
    return "tts";
  case ModelKind::music:
    return "music";
  case ModelKind::voice:
    return "voice";
  }
  return "chat";
}

std::optional<ModelKind> parse_model_kind(std::string_view text)
{
  for (auto kind : {ModelKind::chat, ModelKind::image, ModelKind::video, ModelKind::audio, ModelKind::tts,
                    ModelKind::music, ModelKind::voice}) {
    if (to_string(kind) == text) {
      return kind;
    }
  }
  return std::nullopt;
}

std::string_view to_string(MediaUnit unit)
{
  switch (unit) {
  case MediaUnit::image:
    return "image";
  case MediaUnit::second:
    return "second";
  case MediaUnit::call:
    return "call";
  case MediaUnit::minute:
    return "minute";
  case MediaUnit::kilo_characters:
    return "1k characters";
  case MediaUnit::song:
    return "song";
  case MediaUnit::voice:
    return "voice";
  case MediaUnit::generation:
    return "generation";
  }
  return "call";
}

namespace {

std::optional<MediaUnit> parse_media_unit(std::string_view text)
{
  for (auto unit : {MediaUnit::image, MediaUnit::second, MediaUnit::call, MediaUnit::minute, MediaUnit::kilo_characters,
                    MediaUnit::song, MediaUnit::voice, MediaUnit::generation}) {
    if (to_string(unit) == text) {
      return unit;
    }
  }
  return std::nullopt;
}

constexpr std::string_view k_token_unit = "1M tokens";

// Walks a parsed card, collecting every problem rather than stopping at the
// first, so `rates validate` can explain all of them at once.
class CardReader
{
public:
  explicit CardReader(std::string origin)
    : m_origin(std::move(origin))
  {
  }

  std::vector<CardProblem> problems;

  void problem(const std::string& path, const std::string& message)
  {
    problems.push_back({m_origin + ": " + (path.empty() ? "/" : path), message});
  }

  const json* member(const json& object, const std::string& path, const char* key, bool required)
  {
    if (!object.is_object()) {
      return nullptr;
    }
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) {
        problem(path, std::string("missing \"") + key + "\"");
      }
      return nullptr;
    }
    return &*it;
  }

  std::string text(const json& object, const std::string& path, const char* key, bool required)
  {
    const json* value = member(object, path, key, required);
    if (value == nullptr) {
      return {};
    }
    if (!value->is_string()) {
      problem(path + "/" + key, "expected a string, found " + std::string(value->type_name()));
      return {};
    }
    return value->get<std::string>();
  }

  std::optional<Decimal> decimal(const json& value, const std::string& path)
  {
    if (value.is_number()) {
      problem(path, "price is a JSON number " + value.dump() + "; write it as a decimal string (\"" + value.dump() +
                        "\") so it is exact");
      return std::nullopt;
    }
    if (!value.is_string()) {
      problem(path, "expected a decimal string, found " + std::string(value.type_name()));
      return std::nullopt;
    }
    std::string why;
    auto parsed = Decimal::parse(value.get<std::string>(), &why);
    if (!parsed) {
      problem(path, "\"" + value.get<std::string>() + "\" is not a decimal: " + why);
      return std::nullopt;
    }
    if (parsed->is_negative()) {
      problem(path, "negative amount " + value.get<std::string>() + " (expected zero or more)");
      return std::nullopt;
    }
    return parsed;
  }

  std::optional<Day> date(const json& object, const std::string& path, const char* key, bool required)
  {
    const std::string value = text(object, path, key, required);
    if (value.empty()) {
      return std::nullopt;
    }
    auto day = parse_date(value);
    if (!day) {
      problem(path + "/" + key, "\"" + value + "\" is not a date (expected YYYY-MM-DD)");
    }
    return day;
  }

  std::optional<std::int64_t> limit(const json& object, const std::string& path, const char* key)
  {
    auto it = object.find(key);
    if (it == object.end()) {
      return std::nullopt;
    }
    if (it->is_null()) {
      return k_unlimited;
    }
    if (!it->is_number_unsigned()) {
      problem(path + "/" + key, "expected a whole number of zero or more, or null for unlimited");
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }

  std::optional<Price> token_price(const json& prices, const std::string& path, const char* key)
  {
    const json* value = member(prices, path, key, false);
    if (value == nullptr) {
      return std::nullopt;
    }
    const std::string here = path + "/" + key;
    if (!value->is_object()) {
      problem(here, "expected an object {\"price\": \"...\", \"unit\": \"1M tokens\"}");
      return std::nullopt;
    }
    const std::string unit = text(*value, here, "unit", true);
    const bool is_fee = std::string_view(key) == "request_fee";
    const std::string_view wanted = is_fee ? "request" : k_token_unit;
    if (!unit.empty() && unit != wanted) {
      problem(here + "/unit", "unknown unit \"" + unit + "\" (expected \"" + std::string(wanted) + "\")");
    }
    const json* amount = member(*value, here, "price", true);
    if (amount == nullptr) {
      return std::nullopt;
    }
    auto parsed = decimal(*amount, here + "/price");
    if (!parsed) {
      return std::nullopt;
    }
    Price price{*parsed, value->value("approximate", false), value->value("note", "")};
    return price;
  }

  std::optional<MediaPrice> media_price(const json& value, const std::string& path)
  {
    if (!value.is_object()) {
      problem(path, "expected an object {\"price\": \"...\", \"unit\": \"...\"}");
      return std::nullopt;
    }
    MediaPrice media;
    const std::string unit_text = text(value, path, "unit", true);
    auto unit = parse_media_unit(unit_text);
    if (!unit_text.empty() && !unit) {
      problem(path + "/unit",
              "unknown unit \"" + unit_text +
                  "\" (expected image, second, call, minute, 1k characters, song, voice or generation)");
    }
    media.unit = unit.value_or(MediaUnit::call);
    media.varies = value.value("varies", false);
    media.approximate = value.value("approximate", false);
    if (const json* tiers = member(value, path, "tiers", false)) {
      media.tier_by = text(value, path, "tier_by", true);
      if (!media.tier_by.empty() && media.tier_by != "image_quality" && media.tier_by != "image_size") {
        problem(path + "/tier_by",
                "unknown tier field \"" + media.tier_by + "\" (expected image_quality or image_size)");
      }
      if (!tiers->is_object() || tiers->empty()) {
        problem(path + "/tiers", "expected an object of tier name to decimal string");
      } else {
        for (const auto& [name, amount] : tiers->items()) {
          if (auto parsed = decimal(amount, path + "/tiers/" + name)) {
            media.tiers.emplace_back(name, *parsed);
          }
        }
      }
    } else if (const json* amount = member(value, path, "price", !media.varies)) {
      if (media.varies) {
        problem(path + "/price", "a \"varies\" price must not also give a price");
      } else if (auto parsed = decimal(*amount, path + "/price")) {
        media.price = Price{*parsed, media.approximate, value.value("note", "")};
      }
    }
    if (const json* minimum = member(value, path, "minimum", false)) {
      media.minimum = decimal(*minimum, path + "/minimum");
    }
    if (const json* seconds = member(value, path, "default_seconds", false)) {
      if (seconds->is_number_unsigned()) {
        media.default_seconds = Decimal::from_int(seconds->get<std::int64_t>());
      } else {
        media.default_seconds = decimal(*seconds, path + "/default_seconds");
      }
    }
    return media;
  }

  PriceSet price_set(const json& prices, const std::string& path, ModelKind kind)
  {
    PriceSet set;
    if (!prices.is_object()) {
      problem(path, "expected an object of prices");
      return set;
    }
    static const std::set<std::string> k_known = {
        "input", "cached_input", "output", "batch_input", "batch_cached_input", "batch_output", "request_fee", "media"};
    for (const auto& [key, value] : prices.items()) {
      if (k_known.count(key) == 0) {
        problem(path + "/" + key, "unknown price \"" + key + "\"");
      }
    }
    if (kind == ModelKind::chat) {
      set.input = token_price(prices, path, "input");
      set.cached_input = token_price(prices, path, "cached_input");
      set.output = token_price(prices, path, "output");
      set.batch_input = token_price(prices, path, "batch_input");
      set.batch_cached_input = token_price(prices, path, "batch_cached_input");
      set.batch_output = token_price(prices, path, "batch_output");
      set.request_fee = token_price(prices, path, "request_fee");
      if (set.request_fee) {
        set.request_fee_label = prices["request_fee"].value("label", "per-request fee");
      }
      if (!prices.contains("input")) {
        problem(path, "a chat model needs an \"input\" price");
      }
      if (!prices.contains("output")) {
        problem(path, "a chat model needs an \"output\" price");
      }
      if (prices.contains("media")) {
        problem(path + "/media", "a chat model has token prices, not a media price");
      }
    } else {
      if (const json* media = member(prices, path, "media", true)) {
        set.media = media_price(*media, path + "/media");
      }
      for (const char* key : {"input", "cached_input", "output"}) {
        if (prices.contains(key)) {
          problem(path + "/" + key, std::string("a ") + std::string(to_string(kind)) + " model is priced by \"media\"");
        }
      }
    }
    return set;
  }

  std::vector<std::string> strings(const json& object, const std::string& path, const char* key)
  {
    std::vector<std::string> out;
    const json* value = member(object, path, key, false);
    if (value == nullptr) {
      return out;
    }
    if (!value->is_array()) {
      problem(path + "/" + key, "expected an array of strings");
      return out;
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
      if (!(*value)[i].is_string()) {
        problem(path + "/" + key + "/" + std::to_string(i), "expected a string");
      } else {
        out.push_back((*value)[i].get<std::string>());
      }
    }
    return out;
  }

  // The older price sets of a model whose current prices start on `model_from`.
  void price_history(const json& value, const std::string& path, Day model_from, Model& m)
  {
    const json* history = member(value, path, "history", false);
    if (history == nullptr) {
      return;
    }
    if (!history->is_array()) {
      problem(path + "/history", "expected an array of {\"from\", \"prices\"}");
      return;
    }
    for (std::size_t i = 0; i < history->size(); ++i) {
      const std::string here = path + "/history/" + std::to_string(i);
      const json& entry = (*history)[i];
      auto from = date(entry, here, "from", true);
      const json* prices = member(entry, here, "prices", true);
      // History holds older price sets: a period starting on or after the
      // current prices would silently take their place as "current".
      if (from && *from > model_from) {
        problem(here + "/from", "period starts on " + format_date(*from) + ", after the current prices (effective " +
                                    format_date(model_from) + "; expected history to hold older price sets only)");
      }
      if (from && prices != nullptr) {
        PriceSet set = price_set(*prices, here + "/prices", m.kind);
        set.from = *from;
        set.source = entry.value("source", m.source);
        set.note = entry.value("note", "");
        m.periods.push_back(std::move(set));
      }
    }
  }

  // {"date": "YYYY-MM-DD", "source": id, "note"?}: a launch, deprecation or retirement.
  std::optional<LifecycleDate> lifecycle_date(const json& model, const std::string& path, const char* key,
                                              const std::set<std::string>& source_ids)
  {
    const json* value = member(model, path, key, false);
    if (value == nullptr) {
      return std::nullopt;
    }
    const std::string here = path + "/" + key;
    if (!value->is_object()) {
      problem(here, "expected an object {\"date\": \"YYYY-MM-DD\", \"source\": \"...\"}");
      return std::nullopt;
    }
    LifecycleDate event;
    const auto day = date(*value, here, "date", true);
    event.source = text(*value, here, "source", true);
    if (!event.source.empty() && source_ids.count(event.source) == 0) {
      problem(here + "/source", "\"" + event.source + "\" is not one of the card's sources[].id");
    }
    event.note = text(*value, here, "note", false);
    if (!day) {
      return std::nullopt;
    }
    event.day = *day;
    return event;
  }

  Model model(const json& value, const std::string& path, Day card_from, const std::set<std::string>& source_ids)
  {
    Model m;
    m.id = text(value, path, "id", true);
    m.aliases = strings(value, path, "aliases");
    const std::string kind_text = text(value, path, "kind", true);
    auto kind = parse_model_kind(kind_text);
    if (!kind_text.empty() && !kind) {
      problem(path + "/kind",
              "unknown kind \"" + kind_text + "\" (expected chat, image, video, audio, tts, music or voice)");
    }
    m.kind = kind.value_or(ModelKind::chat);
    if (const json* window = member(value, path, "context_window", false)) {
      if (window->is_number_unsigned() && window->get<std::int64_t>() > 0) {
        m.context_window = window->get<std::int64_t>();
      } else {
        problem(path + "/context_window", "expected a positive whole number of tokens");
      }
    }
    m.source = text(value, path, "source", true);
    if (!m.source.empty() && source_ids.count(m.source) == 0) {
      problem(path + "/source", "\"" + m.source + "\" is not one of the card's sources[].id");
    }
    m.note = text(value, path, "note", false);
    m.launched = lifecycle_date(value, path, "launched", source_ids);
    m.deprecated = lifecycle_date(value, path, "deprecated", source_ids);
    m.retired = lifecycle_date(value, path, "retired", source_ids);
    m.successor = text(value, path, "successor", false);
    if (m.launched && m.retired && m.retired->day < m.launched->day) {
      problem(path + "/retired",
              "retired on " + format_date(m.retired->day) + ", before its launch on " + format_date(m.launched->day));
    }
    const Day model_from = date(value, path, "effective_from", false).value_or(card_from);

    price_history(value, path, model_from, m);
    if (const json* prices = member(value, path, "prices", true)) {
      PriceSet current = price_set(*prices, path + "/prices", m.kind);
      current.from = model_from;
      current.source = m.source;
      m.periods.push_back(std::move(current));
    }
    std::stable_sort(m.periods.begin(), m.periods.end(),
                     [](const PriceSet& a, const PriceSet& b) { return a.from < b.from; });
    for (std::size_t i = 1; i < m.periods.size(); ++i) {
      if (m.periods[i].from == m.periods[i - 1].from) {
        problem(path + "/history",
                "two price periods start on " + format_date(m.periods[i].from) + " (periods must not overlap)");
      }
    }
    return m;
  }

  Card card(const json& root)
  {
    Card c;
    c.origin = m_origin;
    if (!root.is_object()) {
      problem("", "a rate card is a JSON object");
      return c;
    }
    if (root.value("schema_version", 0) != 1) {
      problem("/schema_version", "expected schema_version 1");
    }
    route(root, c);
    const std::set<std::string> source_ids = sources(root, c);
    batch_and_tools(root, c, source_ids);
    models(root, c, source_ids);
    not_carried(root, c, source_ids);
    rate_limits(root, c);
    credits(root, c);
    return c;
  }

private:
  // Who sells, in which currency, from when, tax included or not.
  void route(const json& root, Card& c)
  {
    c.provider = text(root, "", "provider", true);
    if (!c.provider.empty() && !std::all_of(c.provider.begin(), c.provider.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        })) {
      problem("/provider", "\"" + c.provider + "\" must be lower-case letters, digits, '-' or '_'");
    }
    c.name = text(root, "", "name", false);
    c.currency = text(root, "", "currency", true);
    if (!c.currency.empty() && c.currency.size() != 3) {
      problem("/currency", "\"" + c.currency + "\" is not an ISO 4217 code (expected e.g. USD)");
    }
    if (const json* tax = member(root, "", "tax", true)) {
      c.tax_included = tax->value("included", false);
      c.tax_note = tax->value("note", "");
    }
    c.effective_from = date(root, "", "effective_from", true).value_or(0);
    c.effective_from_note = text(root, "", "effective_from_note", false);
  }

  // The card's sources; returns their ids, which models must cite.
  std::set<std::string> sources(const json& root, Card& c)
  {
    std::set<std::string> source_ids;
    const json* sources = member(root, "", "sources", true);
    if (sources == nullptr) {
      return source_ids;
    }
    if (!sources->is_array() || sources->empty()) {
      problem("/sources", "expected a non-empty array of sources");
      return source_ids;
    }
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const std::string here = "/sources/" + std::to_string(i);
      const json& s = (*sources)[i];
      Source src{text(s, here, "id", true),   text(s, here, "title", true), text(s, here, "file", false),
                 text(s, here, "url", false), text(s, here, "date", false), std::nullopt};
      if (const json* official = member(s, here, "official", false)) {
        if (official->is_boolean()) {
          src.official = official->get<bool>();
        } else {
          problem(here + "/official", "expected true (the seller's own page) or false (a third party)");
        }
      }
      if (!source_ids.insert(src.id).second) {
        problem(here + "/id", "duplicate source id \"" + src.id + "\"");
      }
      c.sources.push_back(std::move(src));
    }
    return source_ids;
  }

  void batch_and_tools(const json& root, Card& c, const std::set<std::string>& source_ids)
  {
    if (const json* batch = member(root, "", "batch", true)) {
      c.batch_available = batch->value("available", false);
      c.batch_note = batch->value("note", "");
      c.batch_source = batch->value("source", "");
      if (!c.batch_source.empty() && source_ids.count(c.batch_source) == 0) {
        problem("/batch/source", "\"" + c.batch_source + "\" is not one of the card's sources[].id");
      }
      // The route-wide multiplier priced batch on models whose batch price no
      // source publishes (issue 18); a card that still states one is refused,
      // not read with the rule silently gone.
      if (member(*batch, "/batch", "default_multiplier", false) != nullptr) {
        problem("/batch/default_multiplier",
                "a route-wide batch multiplier is no longer read: batch is priced only at published prices "
                "(give batch_input, batch_cached_input and batch_output on each model whose batch price a "
                "source publishes, and remove default_multiplier)");
      }
    }
    const json* tools = member(root, "", "tools", false);
    const json* search = tools == nullptr ? nullptr : member(*tools, "/tools", "web_search", false);
    if (search == nullptr) {
      return;
    }
    const std::string unit = text(*search, "/tools/web_search", "unit", true);
    if (!unit.empty() && unit != "call") {
      problem("/tools/web_search/unit", "unknown unit \"" + unit + "\" (expected \"call\")");
    }
    if (const json* amount = member(*search, "/tools/web_search", "price", true)) {
      if (auto parsed = decimal(*amount, "/tools/web_search/price")) {
        c.web_search_call_fee = Price{*parsed, false, search->value("note", "")};
      }
    }
  }

  // The models; an id or alias names one model of the card only.
  void models(const json& root, Card& c, const std::set<std::string>& source_ids)
  {
    const json* models = member(root, "", "models", true);
    if (models == nullptr) {
      return;
    }
    if (!models->is_array()) {
      problem("/models", "expected an array of models");
      return;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < models->size(); ++i) {
      const std::string here = "/models/" + std::to_string(i);
      Model m = model((*models)[i], here, c.effective_from, source_ids);
      for (const auto& name : m.aliases) {
        if (name == m.id) {
          problem(here + "/aliases", "alias \"" + name + "\" repeats the id");
        }
      }
      if (!m.id.empty() && !names.insert(m.id).second) {
        problem(here + "/id", "duplicate model id \"" + m.id + "\"");
      }
      for (const auto& alias : m.aliases) {
        if (alias != m.id && !names.insert(alias).second) {
          problem(here + "/aliases", "\"" + alias + "\" already names another model of this card");
        }
      }
      c.models.push_back(std::move(m));
    }
    for (std::size_t i = 0; i < c.models.size(); ++i) {
      const std::string& successor = c.models[i].successor;
      if (!successor.empty() && c.find_model(successor) == nullptr) {
        problem("/models/" + std::to_string(i) + "/successor", "\"" + successor + "\" is not a model id of this card");
      }
    }
  }

  // Members of `object` not in `known` are refused: a misspelt key would
  // otherwise drop what it says without a word.
  void known_members(const json& object, const std::string& path, std::initializer_list<std::string_view> known)
  {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        problem(path + "/" + key, "unknown member \"" + key + "\"");
      }
    }
  }

  // Models the card leaves out on purpose, each with its sources and why.
  void not_carried(const json& root, Card& c, const std::set<std::string>& source_ids)
  {
    const json* left_out = member(root, "", "not_carried", false);
    if (left_out == nullptr) {
      return;
    }
    const std::string path = "/not_carried";
    if (!left_out->is_object()) {
      problem(path, "expected an object {\"note\", \"models\": [{\"id\", \"sources\", \"reason\", \"note\"}]}");
      return;
    }
    known_members(*left_out, path, {"note", "models"});
    c.not_carried_note = text(*left_out, path, "note", false);
    const json* models = member(*left_out, path, "models", true);
    if (models == nullptr) {
      return;
    }
    if (!models->is_array()) {
      problem(path + "/models", "expected an array of models");
      return;
    }
    for (std::size_t i = 0; i < models->size(); ++i) {
      const std::string here = path + "/models/" + std::to_string(i);
      const json& value = (*models)[i];
      if (!value.is_object()) {
        problem(here, "expected an object {\"id\", \"sources\", \"reason\", \"note\"}");
        continue;
      }
      known_members(value, here, {"id", "sources", "reason", "note"});
      NotCarried entry;
      entry.id = text(value, here, "id", true);
      if (const json* sources = member(value, here, "sources", true)) {
        entry.sources = strings(value, here, "sources");
        if (sources->is_array() && sources->empty()) {
          problem(here + "/sources", "expected at least one sources[].id: who lists the model");
        }
      }
      for (std::size_t k = 0; k < entry.sources.size(); ++k) {
        if (source_ids.count(entry.sources[k]) == 0) {
          problem(here + "/sources/" + std::to_string(k),
                  "\"" + entry.sources[k] + "\" is not one of the card's sources[].id");
        }
      }
      entry.reason = text(value, here, "reason", false);
      entry.note = text(value, here, "note", false);
      if (entry.reason.empty() && entry.note.empty()) {
        problem(here, "missing \"reason\" (why the card does not price it)");
      }
      if (!entry.id.empty()) {
        const std::string id = to_lower(entry.id);
        auto carried = std::find_if(c.models.begin(), c.models.end(), [&](const Model& m) {
          return to_lower(m.id) == id || std::any_of(m.aliases.begin(), m.aliases.end(),
                                                     [&](const std::string& a) { return to_lower(a) == id; });
        });
        if (carried != c.models.end()) {
          problem(here + "/id", "\"" + entry.id + "\" names model " + carried->id + " of this card, which is priced");
        } else if (c.find_not_carried(entry.id) != nullptr) {
          problem(here + "/id", "duplicate not_carried id \"" + entry.id + "\"");
        }
      }
      c.not_carried.push_back(std::move(entry));
    }
  }

  void rate_limits(const json& root, Card& c)
  {
    const json* limits = member(root, "", "rate_limits", false);
    if (limits == nullptr) {
      return;
    }
    c.rate_limits_note = limits->value("note", "");
    const json* tiers = member(*limits, "/rate_limits", "tiers", true);
    if (tiers == nullptr) {
      return;
    }
    for (std::size_t i = 0; i < tiers->size(); ++i) {
      const std::string here = "/rate_limits/tiers/" + std::to_string(i);
      const json& t = (*tiers)[i];
      RateLimitTier tier;
      tier.name = text(t, here, "name", true);
      if (const json* purchase = member(t, here, "min_purchase", true)) {
        tier.min_purchase = decimal(*purchase, here + "/min_purchase").value_or(Decimal{});
      }
      tier.concurrency = limit(t, here, "concurrency");
      tier.rpm = limit(t, here, "rpm");
      tier.per_model_rpm = limit(t, here, "per_model_rpm");
      tier.tpm = limit(t, here, "tpm");
      tier.tpd = limit(t, here, "tpd");
      if (!c.tiers.empty() && tier.min_purchase < c.tiers.back().min_purchase) {
        problem(here + "/min_purchase", "tiers must be listed in ascending order of min_purchase");
      }
      c.tiers.push_back(std::move(tier));
    }
  }

  void credits(const json& root, Card& c)
  {
    const json* credits = member(root, "", "credits", false);
    if (credits == nullptr) {
      return;
    }
    c.credits_note = credits->value("note", "");
    const json* rules = member(*credits, "/credits", "rules", true);
    if (rules == nullptr) {
      return;
    }
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string here = "/credits/rules/" + std::to_string(i);
      const json& r = (*rules)[i];
      CreditRule rule;
      rule.kind = text(r, here, "kind", true);
      rule.note = r.value("note", "");
      if (const json* amount = member(r, here, "amount", false)) {
        rule.amount = decimal(*amount, here + "/amount");
      }
      if (const json* threshold = member(r, here, "threshold", false)) {
        rule.threshold = decimal(*threshold, here + "/threshold");
      }
      if (const json* amounts = member(r, here, "amounts", false)) {
        for (std::size_t k = 0; k < amounts->size(); ++k) {
          if (auto parsed = decimal((*amounts)[k], here + "/amounts/" + std::to_string(k))) {
            rule.amounts.push_back(*parsed);
          }
        }
      }
      c.credits.push_back(std::move(rule));
    }
  }

  std::string m_origin;
};

} // namespace

const PriceSet* Model::prices_on(Day day) const
{
  const PriceSet* found = nullptr;
  for (const auto& set : periods) {
    if (set.from <= day) {
      found = &set;
    }
  }
  return found;
}

const PriceSet* Model::prices_for_usage(Day day) const
{
  const PriceSet* found = prices_on(day);
  if (found == nullptr && launched && day < launched->day && !periods.empty()) {
    found = &periods.front();
  }
  return found;
}

const Model* Card::find_model(std::string_view id) const
{
  for (const auto& m : models) {
    if (m.id == id) {
      return &m;
    }
  }
  return nullptr;
}

const NotCarried* Card::find_not_carried(std::string_view id) const
{
  const std::string wanted = to_lower(id);
  for (const auto& entry : not_carried) {
    if (to_lower(entry.id) == wanted) {
      return &entry;
    }
  }
  return nullptr;
}

std::string NotCarried::summary() const
{
  if (!reason.empty()) {
    return reason;
  }
  // The first sentence: a period followed by a space (or the end).
  const auto end = note.find(". ");
  return end == std::string::npos ? note : note.substr(0, end);
}

const Source* Card::find_source(std::string_view id) const
{
  for (const auto& s : sources) {
    if (s.id == id) {
      return &s;
    }
  }
  return nullptr;
}

std::string Card::source_label(std::string_view id) const
{
  const Source* s = find_source(id);
  if (s == nullptr || !s->official) {
    return std::string(id);
  }
  return std::string(id) + (*s->official ? " (official)" : " (third-party)");
}

CardLoad load_card(std::string_view json_text, const std::string& origin)
{
  CardLoad result;
  json root;
  try {
    root = parse_json_document(json_text, origin);
  } catch (const Error& error) {
    result.problems.push_back({"", error.what()}); // what() already names file:line:col
    return result;
  }
  CardReader reader(origin);
  Card card;
  try {
    card = reader.card(root);
  } catch (const nlohmann::json::exception& error) {
    // A field of an unexpected type (e.g. "approximate": "yes") read through json::value().
    reader.problems.push_back({origin, std::string("a field has the wrong type: ") + error.what()});
  }
  result.problems = std::move(reader.problems);
  if (result.problems.empty()) {
    result.card = std::move(card);
  }
  return result;
}

namespace {

// A per-token price in a price map, per 1M tokens; its text is kept exact by
// parse_json_exact (integers stay JSON integers).
std::optional<Price> per_million_price(const nlohmann::json& entry, const char* key, const std::string& where)
{
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) {
    return std::nullopt;
  }
  std::string text;
  if (it->is_string()) {
    text = it->get<std::string>();
  } else if (it->is_number_integer()) {
    text = it->dump();
  }
  std::string why;
  const auto per_token = text.empty() ? std::nullopt : Decimal::parse_scientific(text, &why);
  if (!per_token || per_token->is_negative()) {
    throw Error(fmt::format("{}: {} is not a price per token ({}; expected a JSON number of zero or more, e.g. "
                            "9.5e-07)",
                            where, key, it->dump()));
  }
  return Price{per_token->mul_int(1'000'000), false, {}};
}

} // namespace

std::optional<Card> card_from_price_map(std::string_view json_text, const std::string& origin, const Card& like)
{
  nlohmann::json root;
  try {
    root = parse_json_exact(json_text, origin);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!root.is_object()) {
    return std::nullopt;
  }
  const bool is_map = std::any_of(root.begin(), root.end(), [](const nlohmann::json& value) {
    return value.is_object() && value.contains("litellm_provider");
  });
  if (!is_map) {
    return std::nullopt;
  }
  Card card;
  card.provider = like.provider;
  card.name = "price map " + origin;
  card.currency = like.currency;
  card.origin = origin;
  card.tax_included = like.tax_included;
  card.effective_from = like.effective_from;
  card.web_search_call_fee = like.web_search_call_fee;
  card.batch_available = like.batch_available;
  card.sources.push_back(Source{"price-map", origin, {}, {}, {}, false});
  const std::string prefix = like.provider + "/";
  // "moonshot/x" before a bare "x": the route's own spelling wins.
  std::vector<std::pair<std::string, const nlohmann::json*>> entries;
  for (const bool prefixed : {true, false}) {
    for (const auto& [key, entry] : root.items()) {
      if ((key.rfind(prefix, 0) == 0) == prefixed) {
        entries.emplace_back(key, &entry);
      }
    }
  }
  for (const auto& [key, entry_ptr] : entries) {
    const nlohmann::json& entry = *entry_ptr;
    if (!entry.is_object() || entry.value("litellm_provider", std::string()) != like.provider ||
        entry.value("mode", std::string("chat")) != "chat") {
      continue;
    }
    const std::string id = key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
    if (card.find_model(id) != nullptr) {
      continue; // "moonshot/x" and "x" both listed: "moonshot/x" read
    }
    const std::string where = fmt::format("{}: \"{}\"", origin, key);
    PriceSet prices;
    prices.from = like.effective_from;
    prices.source = "price-map";
    prices.input = per_million_price(entry, "input_cost_per_token", where);
    prices.output = per_million_price(entry, "output_cost_per_token", where);
    prices.cached_input = per_million_price(entry, "cache_read_input_token_cost", where);
    prices.batch_input = per_million_price(entry, "input_cost_per_token_batches", where);
    prices.batch_output = per_million_price(entry, "output_cost_per_token_batches", where);
    if (!prices.input || !prices.output) {
      continue; // not priced per token: nothing to compare
    }
    Model model;
    model.id = id;
    model.source = "price-map";
    if (auto window = entry.find("max_input_tokens"); window != entry.end() && window->is_number_unsigned()) {
      model.context_window = window->get<std::int64_t>();
    }
    model.periods.push_back(std::move(prices));
    card.models.push_back(std::move(model));
  }
  return card;
}

namespace {

using plain_json = nlohmann::json;

// A genai-prices `match` rule on a lower-cased name, compared
// case-insensitively as genai-prices does. A clause it cannot evaluate
// (`regex`: Python's dialect, not ours; a clause added later) counts as no
// match and sets `unevaluated`, which the caller reports.
bool genai_match(const plain_json& rule, const std::string& name, bool& unevaluated)
{
  if (!rule.is_object() || rule.size() != 1) {
    unevaluated = true;
    return false;
  }
  const std::string& key = rule.begin().key();
  const plain_json& value = rule.begin().value();
  if (key == "or" || key == "and") {
    if (!value.is_array() || value.empty()) {
      unevaluated = true;
      return false;
    }
    bool any = false;
    bool all = true;
    for (const auto& clause : value) {
      const bool hit = genai_match(clause, name, unevaluated);
      any = any || hit;
      all = all && hit;
    }
    return key == "or" ? any : all;
  }
  if (!value.is_string()) {
    unevaluated = true;
    return false;
  }
  const std::string text = to_lower(value.get<std::string>());
  if (key == "equals") {
    return name == text;
  }
  if (key == "starts_with") {
    return name.starts_with(text);
  }
  if (key == "ends_with") {
    return name.ends_with(text);
  }
  if (key == "contains") {
    return name.find(text) != std::string::npos;
  }
  unevaluated = true;
  return false;
}

// Reads one genai-prices provider's prices; every price goes through its
// number's text (parse_json_exact), never a double.
class GenaiReader
{
public:
  GenaiReader(std::string_view text, const std::string& origin, std::string provider)
    : m_text(text)
    , m_origin(origin)
    , m_provider(std::move(provider))
  {
    m_provider_at = find_member(m_text, 0, "id", m_provider);
    m_at = located(m_provider_at);
  }

  // Problems from here on are placed at this model's id (the provider's
  // when it is not found, e.g. an id written with escapes).
  void at_model(const std::string& id)
  {
    m_at =
        located(m_provider_at == std::string_view::npos ? m_provider_at : find_member(m_text, m_provider_at, "id", id));
  }
  const Location& location() const { return m_at; }

  Decimal amount(const plain_json& value, const std::string& where) const
  {
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>(); // a non-integer number, kept as its text
    } else if (value.is_number_integer()) {
      text = value.dump();
    }
    std::string why;
    const auto parsed = text.empty() ? std::nullopt : Decimal::parse_scientific(text, &why);
    if (!parsed || parsed->is_negative()) {
      throw Error(m_at, fmt::format("{}: {} is not a price", here(where), value.dump()),
                  "a JSON number of zero or more, e.g. 0.95");
    }
    return *parsed;
  }

  // A price that is a number, or tiered ({"base", "tiers": [{"start", "price"}]}):
  // the base is compared, the tiers are noted.
  Decimal token_price(const plain_json& value, const std::string& where, std::vector<std::string>& notes) const
  {
    if (!value.is_object()) {
      return amount(value, where);
    }
    const auto base = value.find("base");
    const auto tiers = value.find("tiers");
    if (base == value.end() || tiers == value.end() || !tiers->is_array()) {
      throw Error(m_at, fmt::format("{}: {} is not a price", here(where), value.dump()),
                  "a JSON number, or {\"base\": number, \"tiers\": [{\"start\": tokens, \"price\": number}]}");
    }
    std::vector<std::string> steps;
    for (const auto& tier : *tiers) {
      if (!tier.is_object() || !tier.contains("price") || !tier.contains("start") ||
          !tier["start"].is_number_unsigned()) {
        throw Error(m_at, fmt::format("{}: tier {} is not understood", here(where), tier.dump()),
                    "{\"start\": tokens, \"price\": number}");
      }
      steps.push_back(fmt::format("{} from {} tokens", amount(tier["price"], where).to_exact_string(2),
                                  tier["start"].get<std::uint64_t>()));
    }
    const Decimal base_price = amount(*base, where);
    notes.push_back(fmt::format("{} tiers not compared ({}; its base {} is)", last_key(where), join_texts(steps),
                                base_price.to_exact_string(2)));
    return base_price;
  }

  // One genai-prices ModelPrice as a price set; what the card has no place
  // for goes to `notes`.
  PriceSet price_set(const plain_json& prices, const std::string& where, std::vector<std::string>& notes) const
  {
    if (!prices.is_object()) {
      throw Error(m_at, fmt::format("{}: prices {} are not understood", here(where), prices.dump()),
                  "an object of prices such as {\"input_mtok\": 0.95, \"output_mtok\": 4}");
    }
    PriceSet set;
    for (const auto& [key, value] : prices.items()) {
      const std::string at = where + "." + key;
      std::optional<Price>* slot = key == "input_mtok"        ? &set.input
                                   : key == "cache_read_mtok" ? &set.cached_input
                                   : key == "output_mtok"     ? &set.output
                                                              : nullptr;
      if (slot != nullptr) {
        *slot = Price{token_price(value, at, notes), false, {}};
      } else if (key == "requests_kcount") {
        bool inexact = false;
        const Decimal per_request = amount(value, at).mul_div(Decimal::from_int(1), Decimal::from_int(1000), &inexact);
        if (inexact) {
          throw Error(m_at, fmt::format("{}: {} per 1,000 requests is not exact per request", here(at), value.dump()),
                      "a price with at most 9 decimal places");
        }
        set.request_fee = Price{per_request, false, {}};
        set.request_fee_label = "genai-prices requests_kcount / 1,000";
      } else {
        notes.push_back(fmt::format("{} {} not compared (the card has no such price)", key, shown(value)));
      }
    }
    return set;
  }

  // A model's prices: one set, or conditional ones ([{"constraint"?, "prices"}]),
  // of which the newest by start_date is compared and the rest noted.
  PriceSet model_prices(const plain_json& prices, const std::string& where, Day default_from,
                        std::vector<std::string>& notes) const
  {
    if (!prices.is_array()) {
      PriceSet set = price_set(prices, where, notes);
      set.from = default_from;
      return set;
    }
    const plain_json* newest = nullptr;
    std::optional<Day> newest_from;
    std::vector<std::string> earlier;
    for (std::size_t i = 0; i < prices.size(); ++i) {
      const plain_json& entry = prices[i];
      const std::string at = fmt::format("{}[{}]", where, i);
      if (!entry.is_object() || !entry.contains("prices")) {
        throw Error(m_at, fmt::format("{}: {} is not understood", here(at), entry.dump()),
                    "{\"constraint\": {...}, \"prices\": {...}}");
      }
      std::vector<std::string> unused;
      price_set(entry["prices"], at, unused); // every entry must be understood, compared or not
      const auto constraint = entry.find("constraint");
      if (constraint == entry.end() || constraint->is_null()) {
        if (newest == nullptr) {
          newest = &entry;
        } else {
          earlier.push_back("the prices without a start date");
        }
        continue;
      }
      if (constraint->is_object() && constraint->size() == 1 && constraint->contains("start_date") &&
          (*constraint)["start_date"].is_string()) {
        const auto day = parse_date((*constraint)["start_date"].get<std::string>());
        if (!day) {
          throw Error(m_at,
                      fmt::format("{}: start_date {} is not a date", here(at), (*constraint)["start_date"].dump()),
                      "YYYY-MM-DD");
        }
        if (!newest_from || *day > *newest_from) {
          if (newest != nullptr) {
            earlier.push_back(newest_from ? "the prices from " + format_date(*newest_from)
                                          : std::string("the prices without a start date"));
          }
          newest = &entry;
          newest_from = day;
        } else {
          earlier.push_back("the prices from " + format_date(*day));
        }
        continue;
      }
      if (constraint->is_object() && constraint->contains("start_time") && constraint->contains("end_time")) {
        notes.push_back(fmt::format("prices from {} to {} each day not compared (the card has no time-of-day prices)",
                                    shown((*constraint)["start_time"]), shown((*constraint)["end_time"])));
        continue;
      }
      notes.push_back(fmt::format("prices under the constraint {} not compared", constraint->dump()));
    }
    if (newest == nullptr) {
      throw Error(m_at, fmt::format("{}: no prices to compare", here(where)),
                  "one entry without a constraint or with a start_date");
    }
    if (!earlier.empty()) {
      notes.push_back(fmt::format("{} not compared (the card's current prices are compared with genai-prices' "
                                  "newest{})",
                                  join_texts(earlier),
                                  newest_from ? ", from " + format_date(*newest_from) : std::string()));
    }
    PriceSet set = price_set((*newest)["prices"], where, notes);
    set.from = newest_from.value_or(default_from);
    return set;
  }

  // "provider moonshotai, model kimi-k2.6: prices.output_mtok" (ids hold dots).
  // Numbers are kept as their text; anything else is shown as JSON.
  static std::string shown(const plain_json& value)
  {
    return value.is_string() ? value.get<std::string>() : value.dump();
  }

  std::string here(const std::string& where) const { return fmt::format("provider {}, {}", m_provider, where); }

private:
  static std::string last_key(const std::string& where) { return where.substr(where.rfind('.') + 1); }
  static std::string join_texts(const std::vector<std::string>& texts)
  {
    std::string out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      out += (i == 0 ? "" : "; ") + texts[i];
    }
    return out;
  }

  // Where `"key": "value"` is written in JSON text, from `from` on (blanks
  // around the colon), or npos.
  static std::size_t find_member(std::string_view text, std::size_t from, std::string_view key, std::string_view value)
  {
    const std::string quoted_key = fmt::format("\"{}\"", key);
    const std::string quoted_value = fmt::format("\"{}\"", value);
    auto blank = [&](std::size_t at) {
      while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' || text[at] == '\t')) {
        ++at;
      }
      return at;
    };
    for (auto at = text.find(quoted_key, from); at != std::string_view::npos; at = text.find(quoted_key, at + 1)) {
      std::size_t p = blank(at + quoted_key.size());
      if (p < text.size() && text[p] == ':') {
        p = blank(p + 1);
        if (text.substr(p, quoted_value.size()) == quoted_value) {
          return p;
        }
      }
    }
    return std::string_view::npos;
  }

  Location located(std::size_t offset) const
  {
    return offset == std::string_view::npos ? Location{m_origin} : location_of_offset(m_text, offset, m_origin);
  }

  std::string_view m_text;
  std::string m_origin;
  std::string m_provider;
  std::size_t m_provider_at = std::string_view::npos;
  Location m_at;
};

// The provider genai-prices picks for a route name: by id, then by its
// provider_match rule (genai-prices' find_provider_by_id).
const plain_json* genai_provider(const plain_json& root, const std::string& route)
{
  for (const auto& provider : root) {
    if (to_lower(provider.value("id", std::string())) == route) {
      return &provider;
    }
  }
  for (const auto& provider : root) {
    bool unevaluated = false;
    const auto rule = provider.find("provider_match");
    if (rule != provider.end() && genai_match(*rule, route, unevaluated)) {
      return &provider;
    }
  }
  return nullptr;
}

bool is_genai_provider(const plain_json& value)
{
  return value.is_object() && value.contains("id") && value["id"].is_string() && value.contains("api_pattern") &&
         value.contains("models");
}

} // namespace

std::optional<ForeignCard> card_from_genai_prices(std::string_view json_text, const std::string& origin,
                                                  const Card& like)
{
  plain_json root;
  try {
    root = parse_json_exact(json_text, origin);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!root.is_array() || root.empty() || !std::all_of(root.begin(), root.end(), is_genai_provider)) {
    return std::nullopt;
  }
  const plain_json* provider = genai_provider(root, to_lower(like.provider));
  if (provider == nullptr) {
    std::string ids;
    for (const auto& p : root) {
      ids += (ids.empty() ? "" : ", ") + p.value("id", std::string("?"));
    }
    throw Error(Location{origin}, fmt::format("no provider of this genai-prices data is route {}", like.provider),
                fmt::format("a route genai-prices lists (it has: {})", ids));
  }
  const std::string provider_id = provider->value("id", std::string());
  GenaiReader reader(json_text, origin, provider_id);

  ForeignCard out;
  out.missing = "not in genai-prices";
  out.compare_batch = false; // genai-prices has no batch prices
  Card& card = out.card;
  card.provider = like.provider;
  card.name = "genai-prices " + origin;
  card.currency = like.currency; // genai-prices is in USD, as the cards it can be diffed with
  card.origin = origin;
  card.tax_included = like.tax_included;
  card.effective_from = like.effective_from;
  card.web_search_call_fee = like.web_search_call_fee;
  card.sources.push_back(Source{"genai-prices", origin, {}, {}, {}, false});
  out.not_compared.push_back({"", fmt::format("genai-prices ({}, provider {}) has no batch prices: the card's batch "
                                              "prices are not compared",
                                              origin, provider_id)});

  static const std::set<std::string> k_provider_keys = {
      "id",          "name",           "pricing_urls", "api_pattern", "description", "price_comments",
      "model_match", "provider_match", "extractors",   "models"};
  for (const auto& [key, value] : provider->items()) {
    if (key == "fallback_model_providers") {
      out.not_compared.push_back(
          {"", fmt::format("genai-prices falls back to {} for models it lacks; not followed", value.dump())});
    } else if (k_provider_keys.count(key) == 0) {
      out.not_compared.push_back({"", fmt::format("genai-prices provider field {} not compared", key)});
    }
  }

  const plain_json& models = (*provider)["models"];
  if (!models.is_array()) {
    throw Error(reader.location(), fmt::format("{}: models is not a list", reader.here("models")),
                "an array of models");
  }
  // The entry genai-prices prices each card model by: the first whose rule
  // takes the model's id, else one of its aliases.
  std::vector<std::vector<const Model*>> takes(models.size());
  std::vector<bool> unevaluated(models.size(), false);
  for (const Model& model : like.models) {
    std::vector<std::string> names{model.id};
    names.insert(names.end(), model.aliases.begin(), model.aliases.end());
    bool found = false;
    for (const std::string& name : names) {
      for (std::size_t i = 0; i < models.size() && !found; ++i) {
        bool skipped = false;
        const auto rule = models[i].find("match");
        if (rule != models[i].end() && genai_match(*rule, to_lower(name), skipped)) {
          takes[i].push_back(&model);
          found = true;
        }
        unevaluated[i] = unevaluated[i] || skipped;
      }
      if (found) {
        break;
      }
    }
  }

  static const std::set<std::string> k_model_keys = {"id",     "name",           "description", "match",
                                                     "prices", "price_comments", "deprecated",  "context_window"};
  for (std::size_t i = 0; i < models.size(); ++i) {
    const plain_json& entry = models[i];
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() || !entry.contains("prices")) {
      throw Error(reader.location(), fmt::format("{}: model number {} is not understood", reader.here("models"), i + 1),
                  "{\"id\": \"...\", \"match\": {...}, \"prices\": {...}}");
    }
    const std::string id = entry["id"].get<std::string>();
    reader.at_model(id);
    std::vector<std::string> notes;
    PriceSet prices = reader.model_prices(entry["prices"], "model " + id + ": prices", like.effective_from, notes);
    prices.source = "genai-prices";
    for (const auto& [key, value] : entry.items()) {
      if (k_model_keys.count(key) == 0) {
        notes.push_back(fmt::format("field {} not compared", key));
      }
    }
    if (unevaluated[i]) {
      notes.push_back("a match rule llmcost does not evaluate (regex) was not tried on the card's model names");
    }
    const auto flag = entry.find("deprecated");
    const bool deprecated = flag != entry.end() && flag->is_boolean() && flag->get<bool>();
    const auto window = entry.find("context_window");
    const bool has_window = window != entry.end() && window->is_number_unsigned();
    if (window != entry.end() && !has_window) {
      notes.push_back(fmt::format("context_window {} not compared (not a number of tokens)", window->dump()));
    }
    const bool comparable = prices.input && prices.output;
    if (!comparable) {
      notes.push_back("no input_mtok and output_mtok: nothing to compare");
    }
    // Compared under each card model it prices; an entry that prices none is
    // a model the card lacks, under its genai-prices id.
    std::vector<std::string> ids;
    for (const Model* model : takes[i]) {
      ids.push_back(model->id);
    }
    if (ids.empty()) {
      ids.push_back(id);
    }
    for (const std::string& model_id : ids) {
      const Model* card_model = like.find_model(model_id);
      if (deprecated && card_model != nullptr && !card_model->deprecated && !card_model->retired) {
        out.not_compared.push_back({model_id, "genai-prices marks it deprecated; the card gives no deprecation or "
                                              "retirement date"});
      }
      for (const std::string& note : notes) {
        out.not_compared.push_back({model_id, "genai-prices " + id + ": " + note});
      }
      if (!comparable) {
        out.listed_uncompared.push_back(model_id);
        continue;
      }
      if (card.find_model(model_id) != nullptr) {
        continue; // two entries named the same
      }
      Model model;
      model.id = model_id;
      model.source = "genai-prices";
      if (has_window) {
        model.context_window = window->get<std::int64_t>();
      }
      model.periods.push_back(prices);
      card.models.push_back(std::move(model));
    }
  }
  return out;
}

} // namespace llmcost
