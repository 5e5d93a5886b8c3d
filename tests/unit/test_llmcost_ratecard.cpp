// Rate cards: the bundled Kyma and Moonshot cards, and the loader's problems.

#include "llmcost/catalog.hpp"
#include "llmcost/error.hpp"
#include "llmcost/ratecard.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using llmcost::test::error_of;

using namespace llmcost;
using llmcost::test::bundled;
using llmcost::test::contains;
using llmcost::test::dec;
using llmcost::test::read_source_file;

namespace {

const Card& bundled_card(std::string_view provider)
{
  const Card* card = bundled().find_card(provider);
  REQUIRE(card != nullptr);
  return *card;
}

const Model& bundled_model(std::string_view provider, std::string_view id)
{
  const Model* model = bundled_card(provider).find_model(id);
  REQUIRE_MESSAGE(model != nullptr, provider, "/", id);
  return *model;
}

Decimal amount(const std::optional<Price>& price)
{
  REQUIRE(price.has_value());
  return price->amount;
}

// A valid one-model card around `models` (the JSON array's contents).
std::string card_with_models(const std::string& models)
{
  return R"({
  "schema_version": 1,
  "provider": "test",
  "name": "Test route",
  "currency": "USD",
  "tax": {"included": false},
  "effective_from": "2026-01-01",
  "sources": [{"id": "s", "title": "a source"}],
  "batch": {"available": false},
  "models": [)" +
         models + "]\n}\n";
}

void replace_once(std::string& text, const std::string& from, const std::string& to)
{
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

const std::string k_good_model = R"(
    {"id": "m1", "kind": "chat", "source": "s",
     "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                "output": {"price": "2.00", "unit": "1M tokens"}}})";

// "name=price name=price ..." in the order the card loader kept.
std::string tiers_text(const MediaPrice& media)
{
  std::string out;
  for (const auto& [name, price] : media.tiers) {
    out += (out.empty() ? "" : " ") + name + "=" + price.to_exact_string(0);
  }
  return out;
}

std::string problems_text(const CardLoad& load)
{
  std::string out;
  for (const auto& p : load.problems) {
    out += p.where + " | " + p.message + "\n";
  }
  return out;
}

// The problem reported at `where`, or nullptr.
const CardProblem* problem_at(const CardLoad& load, const std::string& where)
{
  for (const auto& p : load.problems) {
    if (p.where == where) {
      return &p;
    }
  }
  return nullptr;
}

// Counts keys holding money under `node`, and collects the JSON paths of any
// that hold a JSON number (anywhere below them) instead of a decimal string.
void walk_money(const nlohmann::json& node, const std::string& path, std::size_t& money_keys,
                std::vector<std::string>& numbers)
{
  static const std::set<std::string> k_money_keys = {"price",     "amount",  "amounts",
                                                     "threshold", "minimum", "min_purchase"};
  auto find_numbers = [&](const nlohmann::json& value, const std::string& at, auto& self) -> void {
    if (value.is_number()) {
      numbers.push_back(at);
    } else if (value.is_object()) {
      for (const auto& [key, child] : value.items()) {
        self(child, at + "/" + key, self);
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        self(value[i], at + "/" + std::to_string(i), self);
      }
    }
  };
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      const std::string here = path + "/" + key;
      // Media "tiers" is an object of tier name to price; rate-limit "tiers"
      // is an array of limits (counts, not money), walked like any array.
      const bool money = k_money_keys.count(key) != 0 || (key == "tiers" && child.is_object());
      if (money) {
        ++money_keys;
        find_numbers(child, here, find_numbers);
      } else {
        walk_money(child, here, money_keys, numbers);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      walk_money(node[i], path + "/" + std::to_string(i), money_keys, numbers);
    }
  }
}

} // namespace

TEST_SUITE("llmcost/ratecard")
{
  TEST_CASE("the bundled cards load without problems")
  {
    for (const char* file : {"pricing/moonshot.json", "pricing/kyma.json"}) {
      CAPTURE(file);
      const CardLoad load = load_card(read_source_file(file), file);
      CHECK_MESSAGE(load.problems.empty(), problems_text(load));
      CHECK(load.card.has_value());
    }
    REQUIRE_NOTHROW(Catalog::bundled());
    CHECK(bundled().find_card("moonshot") != nullptr);
    CHECK(bundled().find_card("kyma") != nullptr);
    CHECK(bundled_card("moonshot").origin == "bundled");
    CHECK(bundled_card("moonshot").currency == "USD");
    CHECK(bundled_card("kyma").currency == "USD");
  }

  TEST_CASE("moonshot card: the models of seeds 001 and 003")
  {
    const Card& card = bundled_card("moonshot");
    for (const char* id : {"kimi-k2.6", "kimi-k2.7-code", "kimi-k2.7-code-highspeed", "kimi-k2.5"}) {
      CAPTURE(id);
      CHECK(card.find_model(id) != nullptr);
    }
    // Five K2 preview / turbo / thinking models (seed 001).
    std::vector<std::string> k2;
    std::vector<std::string> v1;
    for (const auto& m : card.models) {
      if (m.id.rfind("kimi-k2-", 0) == 0) {
        k2.push_back(m.id);
      }
      if (m.id.rfind("moonshot-v1-", 0) == 0) {
        v1.push_back(m.id);
      }
    }
    std::sort(k2.begin(), k2.end());
    CHECK(k2 == std::vector<std::string>{"kimi-k2-0711-preview", "kimi-k2-0905-preview", "kimi-k2-thinking",
                                         "kimi-k2-thinking-turbo", "kimi-k2-turbo-preview"});
    // Three V1 context sizes, each with a vision-preview variant.
    std::sort(v1.begin(), v1.end());
    CHECK(v1 == std::vector<std::string>{"moonshot-v1-128k", "moonshot-v1-128k-vision-preview", "moonshot-v1-32k",
                                         "moonshot-v1-32k-vision-preview", "moonshot-v1-8k",
                                         "moonshot-v1-8k-vision-preview"});
    CHECK(card.find_model("kimi-k3") != nullptr);
    CHECK(card.models.size() == 1 + 4 + 5 + 6);
  }

  TEST_CASE("moonshot card: launches, retirements and prices from the launch")
  {
    // kimi-k3: 1,048,576 context, launched 2026-07-16, flat 3.00 / 0.30 / 15.00.
    const Model& k3 = bundled_model("moonshot", "kimi-k3");
    CHECK(k3.context_window == 1048576);
    REQUIRE(k3.launched.has_value());
    CHECK(k3.launched->day == *parse_date("2026-07-16"));
    CHECK(k3.periods.size() == 1);
    CHECK(k3.current().from == *parse_date("2026-07-16"));
    CHECK(amount(k3.current().input) == dec("3.00"));
    CHECK(amount(k3.current().cached_input) == dec("0.30"));
    CHECK(amount(k3.current().output) == dec("15.00"));
    CHECK_FALSE(k3.retired.has_value());
    // 2025 K2 usage is priced from the launch at 0.60 / 0.15 / 2.50.
    for (const char* id : {"kimi-k2-0711-preview", "kimi-k2-0905-preview", "kimi-k2-thinking"}) {
      CAPTURE(id);
      const Model& m = bundled_model("moonshot", id);
      REQUIRE(m.launched.has_value());
      CHECK(m.current().from == m.launched->day);
      CHECK(m.launched->day < *parse_date("2026-01-01"));
      CHECK(amount(m.current().input) == dec("0.60"));
      CHECK(amount(m.current().cached_input) == dec("0.15"));
      CHECK(amount(m.current().output) == dec("2.50"));
    }
    // The K2 series retired on 2026-05-25; every lifecycle date names a source.
    const Card& card = bundled_card("moonshot");
    for (const auto& m : card.models) {
      CAPTURE(m.id);
      if (m.id.rfind("kimi-k2-", 0) == 0) {
        REQUIRE(m.retired.has_value());
        CHECK(m.retired->day == *parse_date("2026-05-25"));
      }
      for (const auto* event : {&m.launched, &m.deprecated, &m.retired}) {
        if (*event) {
          CHECK_FALSE((*event)->source.empty());
        }
      }
    }
    CHECK(bundled_model("moonshot", "kimi-k2-thinking-turbo").successor == "kimi-k2.6");
    CHECK_FALSE(bundled_model("moonshot", "kimi-k2.6").retired.has_value());
  }

  TEST_CASE("a LiteLLM-style price map is read as a card of the other side's route")
  {
    const Card& moonshot = bundled_card("moonshot");
    const std::string map = R"({
      "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "see docs"},
      "moonshot/kimi-k2.6": {"litellm_provider": "moonshot", "mode": "chat", "input_cost_per_token": 9.5e-07,
                             "output_cost_per_token": 4e-06, "cache_read_input_token_cost": 1.6e-07,
                             "max_input_tokens": 262144},
      "kimi-k2.6": {"litellm_provider": "moonshot", "mode": "chat", "input_cost_per_token": 1,
                    "output_cost_per_token": 1},
      "moonshot/embed": {"litellm_provider": "moonshot", "mode": "embedding", "input_cost_per_token": 1e-07,
                         "output_cost_per_token": 0},
      "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
                 "output_cost_per_token": 1e-05}})";
    const auto card = card_from_price_map(map, "map.json", moonshot);
    REQUIRE(card.has_value());
    REQUIRE(card->models.size() == 1); // the first kimi-k2.6 only; no embedding, no openai
    const Model& m = card->models[0];
    CHECK(m.id == "kimi-k2.6");
    CHECK(amount(m.current().input) == dec("0.95")); // exact from "9.5e-07", never through a double
    CHECK(amount(m.current().cached_input) == dec("0.16"));
    CHECK(amount(m.current().output) == dec("4"));
    CHECK(m.context_window == 262144);
    CHECK(card->effective_from == moonshot.effective_from);

    CHECK_FALSE(card_from_price_map(card_with_models(k_good_model), "card.json", moonshot).has_value());
    CHECK_THROWS_AS(card_from_price_map(R"({"moonshot/x": {"litellm_provider": "moonshot",
                                          "input_cost_per_token": "cheap", "output_cost_per_token": 1}})",
                                        "map.json", moonshot),
                    Error);
  }

  TEST_CASE("genai-prices provider data is read as a card of the other side's route")
  {
    const Card& moonshot = bundled_card("moonshot");
    // The shape of genai-prices' prices/data.json: an array of providers.
    const std::string data = R"([
      {"id": "moonshot", "name": "A decoy whose provider_match would not match",
       "api_pattern": "x", "provider_match": {"equals": "nobody"}, "models": []},
      {"id": "other", "api_pattern": "y", "provider_match": {"contains": "moon"}, "models": []},
      {"id": "moonshotai", "api_pattern": "https://api\\.moonshot\\.", "provider_match": {"contains": "moonshot"},
       "models": [
         {"id": "kimi-k2.6", "match": {"starts_with": "KIMI-K2.6"}, "context_window": 262144,
          "prices": {"input_mtok": 0.95, "cache_read_mtok": 0.16, "output_mtok": 4}},
         {"id": "v1", "match": {"or": [{"equals": "moonshot-v1-8k"}, {"regex": "^moonshot-v1-8k-vision"}]},
          "deprecated": true, "prices": {"input_mtok": 0.2, "output_mtok": 2, "requests_kcount": 1.5}},
         {"id": "kimi-k3", "match": {"equals": "kimi-k3"},
          "prices": [{"prices": {"input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]},
                                 "output_mtok": 15}},
                     {"constraint": {"start_date": "2026-07-16"},
                      "prices": {"input_mtok": 3.0000001, "output_mtok": 15, "cache_write_mtok": 3.75}},
                     {"constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"},
                      "prices": {"input_mtok": 1, "output_mtok": 1}}]},
         {"id": "audio-only", "match": {"equals": "kimi-k2.5"}, "prices": {"input_audio_mtok": 1}},
         {"id": "kimi-new", "match": {"equals": "kimi-new"}, "capabilities": {},
          "prices": {"input_mtok": 1, "output_mtok": 2}}]}])";
    const auto foreign = card_from_genai_prices(data, "data.json", moonshot);
    REQUIRE(foreign.has_value());
    CHECK(foreign->missing == "not in genai-prices");
    CHECK_FALSE(foreign->compare_batch);
    // By id first, as genai-prices picks a provider: the decoy's id is the
    // route's name (its models are empty, so every card model is missing).
    CHECK(foreign->card.models.empty());
    const auto by_id =
        card_from_genai_prices(R"([{"id": "MOONSHOT", "api_pattern": "x", "models": []}])", "d.json", moonshot);
    REQUIRE(by_id.has_value());
    CHECK(by_id->card.models.empty());

    // Without the decoy: provider_match, in order ("other" comes first).
    std::string matched = data;
    replace_once(matched, R"({"id": "moonshot", )", R"({"id": "decoy", )");
    const auto picked = card_from_genai_prices(matched, "data.json", moonshot);
    REQUIRE(picked.has_value());
    CHECK(picked->card.models.empty()); // "other" matches "moonshot" first (contains "moon")

    replace_once(matched, R"("contains": "moon"})", R"("contains": "zzzz"})");
    const auto found = card_from_genai_prices(matched, "data.json", moonshot);
    REQUIRE(found.has_value());
    const Card& c = found->card;
    auto notes_of = [&](const std::string& model) {
      std::string out;
      for (const auto& n : found->not_compared) {
        if (n.model == model) {
          out += n.what + "\n";
        }
      }
      return out;
    };
    // Exact from the number's text; matched case-insensitively.
    const Model* k26 = c.find_model("kimi-k2.6");
    REQUIRE(k26 != nullptr);
    CHECK(amount(k26->current().input) == dec("0.95"));
    CHECK(amount(k26->current().cached_input) == dec("0.16"));
    CHECK(amount(k26->current().output) == dec("4"));
    CHECK(k26->context_window == 262144);
    // An `or` rule prices moonshot-v1-8k; its regex clause is not tried (noted).
    const Model* v1 = c.find_model("moonshot-v1-8k");
    REQUIRE(v1 != nullptr);
    CHECK(amount(v1->current().request_fee) == dec("0.0015")); // 1.5 per 1,000 requests
    CHECK(c.find_model("moonshot-v1-8k-vision-preview") == nullptr);
    CHECK(contains(notes_of("moonshot-v1-8k"), "regex"));
    // The newest start_date is compared: 3.0000001 exactly, no double rounding.
    const Model* k3 = c.find_model("kimi-k3");
    REQUIRE(k3 != nullptr);
    CHECK(amount(k3->current().input) == dec("3.0000001"));
    CHECK(k3->current().from == *parse_date("2026-07-16"));
    const std::string k3_notes = notes_of("kimi-k3");
    CHECK_MESSAGE(contains(k3_notes, "the prices without a start date not compared"), k3_notes);
    CHECK_MESSAGE(contains(k3_notes, "cache_write_mtok 3.75 not compared"), k3_notes);
    CHECK_MESSAGE(contains(k3_notes, "from 00:30:00Z to 16:30:00Z each day not compared"), k3_notes);
    // An entry with no token price is listed, not compared, not "missing".
    CHECK(c.find_model("kimi-k2.5") == nullptr);
    CHECK(std::find(found->listed_uncompared.begin(), found->listed_uncompared.end(), "kimi-k2.5") !=
          found->listed_uncompared.end());
    CHECK(contains(notes_of("kimi-k2.5"), "input_audio_mtok 1 not compared"));
    // A model the card lacks, under its genai-prices id; an unknown field is noted.
    REQUIRE(c.find_model("kimi-new") != nullptr);
    CHECK(contains(notes_of("kimi-new"), "field capabilities not compared"));

    SUBCASE("tiers: the base is compared, the tiers noted")
    {
      std::string tiered = matched;
      replace_once(tiered, R"("input_mtok": 3.0000001)",
                   R"("input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]})");
      const auto t = card_from_genai_prices(tiered, "data.json", moonshot);
      REQUIRE(t.has_value());
      CHECK(amount(t->card.find_model("kimi-k3")->current().input) == dec("3"));
      bool noted = false;
      for (const auto& n : t->not_compared) {
        noted = noted || (n.model == "kimi-k3" && contains(n.what, "input_mtok tiers not compared (6.00 from 200000"));
      }
      CHECK(noted);
    }
    SUBCASE("not genai-prices data: nullopt; no provider of the route or a bad price: an error")
    {
      CHECK_FALSE(card_from_genai_prices(card_with_models(k_good_model), "card.json", moonshot).has_value());
      CHECK_FALSE(card_from_genai_prices("[1, 2]", "a.json", moonshot).has_value());
      CHECK_FALSE(card_from_genai_prices("not json", "a.json", moonshot).has_value());
      CHECK(contains(error_of([&] {
                       card_from_genai_prices(R"([{"id": "openai", "api_pattern": "x", "models": []}])", "d.json",
                                              moonshot);
                     }),
                     "no provider of this genai-prices data is route moonshot"));
      for (const char* bad : {R"("cheap")", R"(-1)", R"({"per": "1M", "usd": 4})", R"({"base": 1, "tiers": [1]})"}) {
        CAPTURE(bad);
        const std::string text =
            std::string(
                R"([{"id": "moonshotai", "api_pattern": "x", "provider_match": {"contains": "moonshot"}, "models": [
          {"id": "kimi-k2.6", "match": {"equals": "kimi-k2.6"}, "prices": {"input_mtok": 1, "output_mtok": )") +
            bad + "}}]}]";
        CHECK(contains(error_of([&] { card_from_genai_prices(text, "d.json", moonshot); }),
                       "provider moonshotai, model kimi-k2.6: prices.output_mtok"));
        // Placed at the model's id: line 2 of the text.
        CHECK(contains(error_of([&] { card_from_genai_prices(text, "d.json", moonshot); }), "d.json:2:"));
      }
    }
  }

  TEST_CASE("a route-wide batch multiplier is refused, naming the fix")
  {
    // Issue 18 removed the assumed-discount rule: a card that still states
    // one must not load with its batch prices silently gone.
    std::string text = card_with_models(k_good_model);
    const std::string no_batch = R"("batch": {"available": false})";
    text.replace(text.find(no_batch), no_batch.size(), R"("batch": {"available": true, "default_multiplier": "0.6"})");
    const auto load = load_card(text, "t.json");
    CHECK_FALSE(load.card.has_value());
    const CardProblem* p = problem_at(load, "t.json: /batch/default_multiplier");
    REQUIRE_MESSAGE(p != nullptr, problems_text(load));
    CHECK(contains(p->message, "no longer read"));
    CHECK(contains(p->message, "batch_input, batch_cached_input and batch_output"));
  }

  TEST_CASE("not_carried: read with its reasons, and checked")
  {
    // The bundled card names the models it leaves out, each with a short reason.
    const Card& moonshot = bundled_card("moonshot");
    const NotCarried* latest = moonshot.find_not_carried("Kimi-Latest");
    REQUIRE(latest != nullptr);
    CHECK(latest->id == "kimi-latest");
    CHECK(latest->sources == std::vector<std::string>{"moonshot-models-page-cn", "litellm-price-map"});
    CHECK(contains(latest->summary(), "context tier"));
    CHECK(moonshot.find_not_carried("moonshot-v1-auto") != nullptr);
    CHECK(moonshot.find_not_carried("kimi-thinking-preview") != nullptr);
    CHECK(moonshot.find_not_carried("kimi-k2.6") == nullptr);
    CHECK(bundled_card("kyma").not_carried.empty());

    const std::string good = card_with_models(k_good_model);
    auto with = [&](const std::string& left_out) {
      std::string text = good;
      replace_once(text, R"("batch": {"available": false},)",
                   R"("batch": {"available": false}, "not_carried": )" + left_out + ",");
      return load_card(text, "t.json");
    };
    {
      // Without a reason, a message shows the note's first sentence.
      const auto load = with(R"({"note": "n", "models": [{"id": "x", "sources": ["s"],
                                 "note": "priced per tier. More detail."}]})");
      REQUIRE_MESSAGE(load.card.has_value(), problems_text(load));
      CHECK(load.card->not_carried_note == "n");
      REQUIRE(load.card->not_carried.size() == 1);
      CHECK(load.card->not_carried[0].summary() == "priced per tier");
    }
    // Malformed entries are refused, each at its JSON path.
    const std::vector<std::pair<std::string, std::string>> bad = {
        {R"([{"id": "x"}])", "t.json: /not_carried"},
        {R"({"models": [{"id": "x", "sources": ["s"], "reason": "r", "price": "1"}]})",
         "t.json: /not_carried/models/0/price"},
        {R"({"models": [{"id": "x", "reason": "r"}]})", "t.json: /not_carried/models/0"},
        {R"({"models": [{"id": "x", "sources": [], "reason": "r"}]})", "t.json: /not_carried/models/0/sources"},
        {R"({"models": [{"id": "x", "sources": ["nope"], "reason": "r"}]})", "t.json: /not_carried/models/0/sources/0"},
        {R"({"models": [{"id": "x", "sources": ["s"]}]})", "t.json: /not_carried/models/0"},
        {R"({"models": [{"id": "M1", "sources": ["s"], "reason": "r"}]})", "t.json: /not_carried/models/0/id"},
        {R"({"models": [{"id": "x", "sources": ["s"], "reason": "r"}, {"id": "x", "sources": ["s"], "reason": "r"}]})",
         "t.json: /not_carried/models/1/id"},
        {R"({"modles": []})", "t.json: /not_carried/modles"},
    };
    for (const auto& [left_out, where] : bad) {
      CAPTURE(left_out);
      const auto load = with(left_out);
      CHECK_FALSE(load.card.has_value());
      CHECK_MESSAGE(problem_at(load, where) != nullptr, problems_text(load));
    }
  }

  TEST_CASE("sources say whether they are official")
  {
    // Every source of the bundled cards says official or third-party.
    for (const char* provider : {"kyma", "moonshot"}) {
      for (const auto& source : bundled_card(provider).sources) {
        CAPTURE(source.id);
        CHECK(source.official.has_value());
      }
    }
    const Card& moonshot = bundled_card("moonshot");
    CHECK(moonshot.source_label("seed-001-moonshot-pricing") == "seed-001-moonshot-pricing (official)");
    CHECK(moonshot.source_label("seed-003-kimi-pricing-guide") == "seed-003-kimi-pricing-guide (third-party)");

    std::string text = card_with_models(k_good_model);
    text.replace(text.find(R"("title": "a source"})"), 20, R"("title": "a source", "official": "yes"})");
    const auto load = load_card(text, "t.json");
    CHECK_MESSAGE(problem_at(load, "t.json: /sources/0/official") != nullptr, problems_text(load));
  }

  TEST_CASE("lifecycle dates: read, and checked")
  {
    SUBCASE("launched and retired with their sources")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "launched": {"date": "2025-07-01", "source": "s"},
         "retired": {"date": "2026-05-25", "source": "s", "note": "n"}, "successor": "m2",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"}, "output": {"price": "2.00", "unit": "1M tokens"}}},
        {"id": "m2", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"}, "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      REQUIRE_MESSAGE(load.card.has_value(), problems_text(load));
      const Model& m = load.card->models[0];
      REQUIRE(m.launched.has_value());
      REQUIRE(m.retired.has_value());
      CHECK(m.launched->day == *parse_date("2025-07-01"));
      CHECK(m.retired->day == *parse_date("2026-05-25"));
      CHECK(m.retired->note == "n");
      CHECK(m.successor == "m2");
    }
    SUBCASE("an unknown source, a retirement before the launch, an unknown successor")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "launched": {"date": "2026-07-01", "source": "nobody"},
         "retired": {"date": "2026-05-25", "source": "s"}, "successor": "m9",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"}, "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      CHECK_MESSAGE(problem_at(load, "t.json: /models/0/launched/source") != nullptr, problems_text(load));
      CHECK_MESSAGE(problem_at(load, "t.json: /models/0/retired") != nullptr, problems_text(load));
      CHECK_MESSAGE(problem_at(load, "t.json: /models/0/successor") != nullptr, problems_text(load));
    }
    SUBCASE("a date that is not a date")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s", "retired": {"date": "soon", "source": "s"},
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"}, "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_MESSAGE(problem_at(load, "t.json: /models/0/retired/date") != nullptr, problems_text(load));
    }
  }

  TEST_CASE("moonshot card: prices as the seeds print them")
  {
    // Seed 003: K2.6 $0.95 / $0.16 cached / $4.00; batch $0.57 / $0.10 / $2.40.
    const PriceSet& k26 = bundled_model("moonshot", "kimi-k2.6").current();
    CHECK(amount(k26.input) == dec("0.95"));
    CHECK(amount(k26.cached_input) == dec("0.16"));
    CHECK(amount(k26.output) == dec("4.00"));
    CHECK(amount(k26.batch_input) == dec("0.57"));
    CHECK(amount(k26.batch_cached_input) == dec("0.10"));
    CHECK(amount(k26.batch_output) == dec("2.40"));
    // K2.7 Code: $0.95 / $0.19 / $4.00, no published batch price.
    const PriceSet& k27 = bundled_model("moonshot", "kimi-k2.7-code").current();
    CHECK(amount(k27.input) == dec("0.95"));
    CHECK(amount(k27.cached_input) == dec("0.19"));
    CHECK(amount(k27.output) == dec("4.00"));
    CHECK_FALSE(k27.batch_input.has_value());
    // K2.5: $0.60 / $0.10 / $3.00; batch $0.36 / $0.06 / $1.80.
    const PriceSet& k25 = bundled_model("moonshot", "kimi-k2.5").current();
    CHECK(amount(k25.input) == dec("0.60"));
    CHECK(amount(k25.cached_input) == dec("0.10"));
    CHECK(amount(k25.output) == dec("3.00"));
    CHECK(amount(k25.batch_input) == dec("0.36"));
    CHECK(amount(k25.batch_cached_input) == dec("0.06"));
    CHECK(amount(k25.batch_output) == dec("1.80"));
    // V1 legacy: input/output only.
    const PriceSet& v1 = bundled_model("moonshot", "moonshot-v1-128k").current();
    CHECK(amount(v1.input) == dec("2.00"));
    CHECK(amount(v1.output) == dec("5.00"));
    CHECK_FALSE(v1.cached_input.has_value());

    const Card& card = bundled_card("moonshot");
    CHECK(card.batch_available);
    CHECK(card.batch_source == "seed-003-kimi-pricing-guide");
    CHECK(amount(card.web_search_call_fee) == dec("0.005"));
  }

  TEST_CASE("moonshot card: rate-limit tiers and credits from SPEC.md")
  {
    const Card& card = bundled_card("moonshot");
    REQUIRE(card.tiers.size() == 6);
    CHECK(card.tiers[0].name == "Tier0");
    CHECK(card.tiers[0].min_purchase == dec("1"));
    CHECK(card.tiers[0].concurrency == std::optional<std::int64_t>(1));
    CHECK(card.tiers[0].rpm == std::optional<std::int64_t>(3));
    CHECK(card.tiers[0].tpm == std::optional<std::int64_t>(500000));
    CHECK(card.tiers[0].tpd == std::optional<std::int64_t>(1500000));
    CHECK(card.tiers[1].tpd == std::optional<std::int64_t>(k_unlimited));
    CHECK(card.tiers[5].name == "Tier5");
    CHECK(card.tiers[5].min_purchase == dec("3000"));
    CHECK(card.tiers[5].concurrency == std::optional<std::int64_t>(1000));
    CHECK(card.tiers[5].rpm == std::optional<std::int64_t>(10000));
    CHECK(card.tiers[5].tpm == std::optional<std::int64_t>(5000000));
    bool voucher = false;
    for (const auto& rule : card.credits) {
      if (rule.kind == "voucher") {
        voucher = true;
        CHECK(rule.amount == std::optional<Decimal>(dec("5")));
        CHECK(rule.threshold == std::optional<Decimal>(dec("5")));
      }
    }
    CHECK(voucher);
  }

  TEST_CASE("kyma card: sonar fee, image tiers, varies, no batch")
  {
    const Card& card = bundled_card("kyma");
    CHECK_FALSE(card.batch_available);

    const PriceSet& sonar = bundled_model("kyma", "sonar").current();
    CHECK(amount(sonar.request_fee) == dec("0.00675"));
    CHECK(sonar.request_fee_label == "web search");
    CHECK(amount(sonar.input) == dec("1.35"));
    CHECK(amount(sonar.output) == dec("1.35"));

    const Model& image = bundled_model("kyma", "gpt-image-2");
    CHECK(image.kind == ModelKind::image);
    REQUIRE(image.current().media.has_value());
    const MediaPrice& tiers = *image.current().media;
    CHECK(tiers.unit == MediaUnit::image);
    CHECK(tiers.tier_by == "image_quality");
    CHECK_FALSE(tiers.price.has_value());
    // Seed 000 prints low / medium / high; ratecard.hpp keeps tiers "in card order".
    CHECK(tiers_text(tiers) == "low=0.014 medium=0.081 high=0.297");

    const Model& flux = bundled_model("kyma", "flux-2-pro");
    REQUIRE(flux.current().media.has_value());
    CHECK(flux.current().media->tier_by == "image_size");
    CHECK(tiers_text(*flux.current().media) == "1MP=0.041 4MP=0.101");

    const Model& realtime = bundled_model("kyma", "gemini-2.5-flash-native-audio-preview-12-2025");
    REQUIRE(realtime.current().media.has_value());
    CHECK(realtime.current().media->varies);
    CHECK_FALSE(realtime.current().media->price.has_value());
    CHECK(realtime.current().media->unit == MediaUnit::minute);

    const Model& whisper = bundled_model("kyma", "whisper-v3-turbo");
    REQUIRE(whisper.current().media.has_value());
    CHECK(whisper.current().media->minimum == std::optional<Decimal>(dec("1")));

    const Model& kling = bundled_model("kyma", "kling-2.5-pro");
    REQUIRE(kling.current().media.has_value());
    CHECK(kling.current().media->default_seconds == std::optional<Decimal>(dec("5")));

    const Model& eleven = bundled_model("kyma", "eleven-flash-v2-5");
    REQUIRE(eleven.current().media.has_value());
    CHECK(eleven.current().media->approximate);

    // Kyma lists no cached price for Kimi, but does for the caching-enabled
    // models, at 10% of input: deepseek-v4-pro 2.35 -> 0.235.
    CHECK_FALSE(bundled_model("kyma", "kimi-k2.6").current().cached_input.has_value());
    CHECK(amount(bundled_model("kyma", "deepseek-v4-pro").current().cached_input) == dec("0.235"));
  }

  TEST_CASE("every price in the bundled cards is a decimal string")
  {
    for (const char* file : {"pricing/moonshot.json", "pricing/kyma.json"}) {
      CAPTURE(file);
      const auto root = nlohmann::json::parse(read_source_file(file));
      std::size_t money_keys = 0;
      std::vector<std::string> numbers;
      walk_money(root, "", money_keys, numbers);
      std::string listed;
      for (const auto& n : numbers) {
        listed += n + " ";
      }
      CHECK_MESSAGE(numbers.empty(), "JSON numbers at: ", listed);
      // Moonshot has 14 models with at least input+output each; Kyma more.
      CHECK(money_keys >= 28);
    }
  }

  TEST_CASE("the walker itself finds a JSON-number price")
  {
    const auto root = nlohmann::json::parse(
        R"({"models": [{"prices": {"input": {"price": 0.95}}}, {"prices": {"media": {"tiers": {"low": 0.014}}}}],
          "rate_limits": {"tiers": [{"rpm": 3, "min_purchase": 1}]}})");
    std::size_t money_keys = 0;
    std::vector<std::string> numbers;
    walk_money(root, "", money_keys, numbers);
    CHECK(numbers == std::vector<std::string>{"/models/0/prices/input/price", "/models/1/prices/media/tiers/low",
                                              "/rate_limits/tiers/0/min_purchase"});
  }

  TEST_CASE("a minimal card loads")
  {
    const CardLoad load = load_card(card_with_models(k_good_model), "t.json");
    CHECK_MESSAGE(load.problems.empty(), problems_text(load));
    REQUIRE(load.card.has_value());
    CHECK(load.card->provider == "test");
    REQUIRE(load.card->models.size() == 1);
    CHECK(amount(load.card->models[0].current().input) == dec("1.00"));
    CHECK(load.card->models[0].current().from == *parse_date("2026-01-01"));
  }

  TEST_CASE("load_card names the JSON path of each problem")
  {
    SUBCASE("negative price")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "-0.5", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/input/price");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "negative"));
      CHECK(contains(p->message, "-0.5"));
    }
    SUBCASE("price as a JSON number")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": 2.5, "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/output/price");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "JSON number"));
      CHECK(contains(p->message, "\"2.5\"")); // suggests the string form
    }
    SUBCASE("a media tier as a JSON number")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "img", "kind": "image", "source": "s",
         "prices": {"media": {"unit": "image", "tier_by": "image_quality",
                              "tiers": {"low": "0.014", "high": 0.297}}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/media/tiers/high");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "JSON number"));
    }
    SUBCASE("missing unit")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00"},
                    "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/input");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(p->message == "missing \"unit\"");
    }
    SUBCASE("unknown token unit")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1K tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/input/unit");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "unknown unit \"1K tokens\""));
    }
    SUBCASE("unknown media unit")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "v", "kind": "video", "source": "s",
         "prices": {"media": {"price": "0.10", "unit": "frame"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/prices/media/unit");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "unknown unit \"frame\""));
    }
    SUBCASE("unknown kind")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "embedding", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/kind");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "unknown kind \"embedding\""));
    }
    SUBCASE("two history sets with the same from")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}},
         "history": [
           {"from": "2025-06-01", "prices": {"input": {"price": "1.50", "unit": "1M tokens"},
                                             "output": {"price": "3.00", "unit": "1M tokens"}}},
           {"from": "2025-06-01", "prices": {"input": {"price": "1.20", "unit": "1M tokens"},
                                             "output": {"price": "2.50", "unit": "1M tokens"}}}]})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/history");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "2025-06-01"));
      CHECK(contains(p->message, "overlap"));
    }
    SUBCASE("a history set starting on the current set's date")
    {
      // The current prices take effect on the card's effective_from, 2026-01-01.
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}},
         "history": [
           {"from": "2026-01-01", "prices": {"input": {"price": "1.50", "unit": "1M tokens"},
                                             "output": {"price": "3.00", "unit": "1M tokens"}}}]})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/0/history");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "2026-01-01"));
    }
    SUBCASE("duplicate model id")
    {
      const auto load = load_card(card_with_models(k_good_model + "," + k_good_model), "t.json");
      CHECK_FALSE(load.card.has_value());
      const CardProblem* p = problem_at(load, "t.json: /models/1/id");
      REQUIRE_MESSAGE(p != nullptr, problems_text(load));
      CHECK(contains(p->message, "duplicate model id \"m1\""));
    }
    SUBCASE("every problem is reported, not only the first")
    {
      const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "-1", "unit": "1M tokens"},
                    "output": {"price": 2, "unit": "1M tokens"}}},
        {"id": "m2", "kind": "hologram", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}}})"),
                                  "t.json");
      CHECK_FALSE(load.card.has_value());
      CHECK_MESSAGE(load.problems.size() == 3, problems_text(load));
      CHECK(problem_at(load, "t.json: /models/0/prices/input/price") != nullptr);
      CHECK(problem_at(load, "t.json: /models/0/prices/output/price") != nullptr);
      CHECK(problem_at(load, "t.json: /models/1/kind") != nullptr);
    }
  }

  TEST_CASE("invalid JSON names file:line:col")
  {
    // Line 3 is `  "provider": oops,`: two spaces, "provider" (10 columns),
    // ':' at 13, a space at 14, so the bad literal starts at column 15.
    const std::string text = "{\n  \"schema_version\": 1,\n  \"provider\": oops,\n}\n";
    const CardLoad load = load_card(text, "bad.json");
    CHECK_FALSE(load.card.has_value());
    REQUIRE(load.problems.size() == 1);
    CHECK(contains(load.problems[0].message, "invalid JSON"));
    CHECK_MESSAGE(contains(load.problems[0].message, "bad.json:3:15: "), load.problems[0].message);

    // Truncated document: the problem is at the end, on line 2.
    const CardLoad cut = load_card("{\n  \"provider\": \"x\"", "cut.json");
    REQUIRE(cut.problems.size() == 1);
    CHECK_MESSAGE(contains(cut.problems[0].message, "cut.json:2:"), cut.problems[0].message);
  }

  TEST_CASE("prices_on picks the newest set on or before a day")
  {
    const auto load = load_card(card_with_models(R"(
        {"id": "m1", "kind": "chat", "source": "s",
         "prices": {"input": {"price": "1.00", "unit": "1M tokens"},
                    "output": {"price": "2.00", "unit": "1M tokens"}},
         "history": [
           {"from": "2025-06-01", "prices": {"input": {"price": "1.50", "unit": "1M tokens"},
                                             "output": {"price": "3.00", "unit": "1M tokens"}}}]})"),
                                "t.json");
    REQUIRE_MESSAGE(load.card.has_value(), problems_text(load));
    const Model& m = load.card->models[0];
    REQUIRE(m.periods.size() == 2);
    CHECK(m.prices_on(*parse_date("2025-05-31")) == nullptr);
    REQUIRE(m.prices_on(*parse_date("2025-06-01")) != nullptr);
    CHECK(amount(m.prices_on(*parse_date("2025-06-01"))->input) == dec("1.50"));
    CHECK(amount(m.prices_on(*parse_date("2025-12-31"))->input) == dec("1.50"));
    CHECK(amount(m.prices_on(*parse_date("2026-01-01"))->input) == dec("1.00"));
    CHECK(amount(m.current().input) == dec("1.00"));
  }
}

TEST_SUITE("llmcost/ratecard")
{
  // Regression (found by fuzz_card): a number beyond a double's range made
  // nlohmann throw out_of_range through load_card.
  TEST_CASE("a number beyond the double range is a problem, not an exception")
  {
    const std::string text = R"({"schema_version": 1, "provider": "x", "price": 1e400})";
    llmcost::CardLoad load;
    CHECK_NOTHROW(load = llmcost::load_card(text, "overflow.json"));
    CHECK_FALSE(load.card.has_value());
    REQUIRE(load.problems.size() == 1);
    CHECK(load.problems[0].message.find("out of range") != std::string::npos);
  }
}
