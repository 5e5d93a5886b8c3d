// Fuzzes rate-card loading: llmcost::load_card(json_text, origin).
// load_card reports every problem in CardLoad::problems and must not throw
// at all (not even llmcost::Error). A card is returned exactly when there
// are no problems. A card that loads is then used the way `models`,
// `rates show|diff`, `estimate` and `reconcile` use one: indexed in a
// Catalog, rendered, priced; there llmcost::Error and std::overflow_error
// are expected failures, anything else is a defect.

#include "fuzz_common.hpp"

#include "llmcost/catalog.hpp"
#include "llmcost/catalog_view.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/ratecard.hpp"
#include "llmcost/text_table.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

using namespace llmcost;
using llmcost_fuzz::defect;
using llmcost_fuzz::expect_clean;

namespace {

const Catalog& bundled()
{
  static const Catalog catalog = Catalog::bundled();
  return catalog;
}

Usage sample_usage()
{
  Usage u;
  u.requests = Decimal::from_int(3);
  u.input = Decimal::from_int(1200);
  u.cached_input = Decimal::from_int(800);
  u.cache_write = Decimal::from_int(100);
  u.output = Decimal::from_int(500);
  u.reasoning = Decimal::from_int(50);
  u.web_search_calls = Decimal::from_int(2);
  u.media_units = Decimal::from_int(4);
  return u;
}

void use_card(const Card& card)
{
  Catalog catalog;
  expect_clean([&] { catalog.add(card); });
  expect_clean([&] { (void)render_aligned(models_table(catalog, "", std::nullopt)); });
  expect_clean([&] { (void)render_csv_table(models_table(catalog, card.provider, ModelKind::chat)); });
  for (OutputFormat format : {OutputFormat::table, OutputFormat::json}) {
    expect_clean([&] { (void)render_card_summary(card, format); });
  }
  expect_clean([&] { (void)diff_cards(card, card); });
  if (const Card* shipped = bundled().find_card(card.provider)) {
    expect_clean([&] { (void)diff_cards(*shipped, card); });
  }
  const Usage usage = sample_usage();
  std::size_t budget = 64; // models examined per input
  for (const Model& model : card.models) {
    if (budget-- == 0) {
      break;
    }
    if (model.periods.empty()) {
      defect("loaded card has a model without prices", model.id);
    }
    for (OutputFormat format : {OutputFormat::table, OutputFormat::json}) {
      expect_clean([&] { (void)render_model_rates(card, model, format); });
    }
    expect_clean([&] {
      ResolveFailure failure;
      (void)catalog.resolve(model.id, "", "", failure);
      (void)catalog.resolve(card.provider + "/" + model.id, "", "", failure);
      for (const auto& alias : model.aliases) {
        (void)catalog.resolve(alias, card.provider, "", failure);
      }
      (void)catalog.closest(model.id, 3);
    });
    for (Day day : {Day{-1}, Day{0}, Day{20000}, Day{1'000'000}}) {
      (void)model.prices_on(day);
    }
    for (const PriceSet& prices : model.periods) {
      expect_clean([&] { (void)describe_prices(card, model, prices); });
      for (bool batch : {false, true}) {
        expect_clean([&] { (void)effective_token_prices(card, prices, batch); });
        PriceRequest request;
        request.card = &card;
        request.model = &model;
        request.prices = &prices;
        request.batch = batch;
        if (prices.media && !prices.media->tiers.empty()) {
          request.media_tier = prices.media->tiers.front().first;
        }
        expect_clean([&] {
          const Priced priced = price_usage(request, usage);
          if (priced.cost) {
            (void)priced.cost->total();
          } else if (priced.not_priceable.empty()) {
            defect("price_usage gave neither a cost nor a reason", model.id);
          }
        });
      }
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CardLoad load;
  try {
    load = load_card(text, "fuzz.json");
  } catch (const std::exception& e) {
    if (llmcost_fuzz::known_defect(e.what())) {
      return 0;
    }
    defect((std::string("load_card threw ") + typeid(e).name()).c_str(), e.what());
  } catch (...) {
    defect("load_card threw a non-std exception", "");
  }
  if (load.card.has_value() == !load.problems.empty()) {
    defect("CardLoad: a card must be returned exactly when there are no problems",
           load.problems.empty() ? "no card and no problem" : load.problems.front().message);
  }
  for (const auto& problem : load.problems) {
    if (problem.message.empty()) {
      defect("card problem without a message", problem.where);
    }
  }
  if (load.card) {
    use_card(*load.card);
  }
  return 0;
}
