// Catalog: which route's model a name in the input means.

#include "llmcost/catalog.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using namespace llmcost;
using llmcost::test::bundled;
using llmcost::test::contains;
using llmcost::test::error_of;

namespace {

// "provider/id" of what `name` resolves to, or "failure: problem (expected)".
std::string resolve(std::string_view name, std::string_view provider = "", std::string_view hint = "")
{
  ResolveFailure failure;
  auto found = bundled().resolve(name, provider, hint, failure);
  if (!found) {
    return "failure: " + failure.problem + " (expected " + failure.expected + ")";
  }
  return found->card->provider + "/" + found->model->id;
}

ResolveFailure failure_of(std::string_view name, std::string_view provider = "", std::string_view hint = "")
{
  ResolveFailure failure;
  const auto found = bundled().resolve(name, provider, hint, failure);
  CHECK_FALSE(found.has_value());
  return failure;
}

} // namespace

TEST_SUITE("llmcost/catalog")
{
  TEST_CASE("provider-qualified ids choose the route")
  {
    CHECK(resolve("moonshot/kimi-k2.6") == "moonshot/kimi-k2.6");
    CHECK(resolve("kyma/kimi-k2.6") == "kyma/kimi-k2.6");
    CHECK(resolve("KYMA/Kimi-K2.6") == "kyma/kimi-k2.6");
    CHECK(resolve("kyma/sonar") == "kyma/sonar");
    // The provider prefix beats a hint for the other route.
    CHECK(resolve("moonshot/kimi-k2.6", "", "kyma") == "moonshot/kimi-k2.6");
  }

  TEST_CASE("a record's own provider chooses the route")
  {
    CHECK(resolve("kimi-k2.6", "moonshot") == "moonshot/kimi-k2.6");
    CHECK(resolve("kimi-k2.6", "Kyma") == "kyma/kimi-k2.6");
    // The record's provider beats the hint.
    CHECK(resolve("kimi-k2.6", "kyma", "moonshot") == "kyma/kimi-k2.6");
    // A route that does not sell the model.
    const ResolveFailure f = failure_of("kimi-k2.7-code", "kyma");
    CHECK(contains(f.problem, "route kyma does not sell model \"kimi-k2.7-code\""));
    CHECK(contains(f.expected, "moonshot/kimi-k2.7-code"));
    // A prefix contradicting the record's provider.
    CHECK(contains(failure_of("kyma/kimi-k2.6", "moonshot").problem, "names route kyma but the record says moonshot"));
  }

  TEST_CASE("a very long unknown name is cut in the message and ranked by its prefix")
  {
    // Regression: a 100 MB name took hours in the quadratic did-you-mean search.
    const std::string name = "kimi-k2.6" + std::string(1'000'000, 'x');
    const ResolveFailure f = failure_of(name);
    CHECK(f.category == "unknown model");
    CHECK(contains(f.problem, "unknown model \"kimi-k2.6xxx"));
    CHECK(contains(f.problem, "... (1000009 bytes)\""));
    CHECK(f.problem.size() < 300);
    CHECK(contains(f.expected, "kimi-k2.6"));
  }

  TEST_CASE("card files: bounded size, regular files only, names the path")
  {
    const std::string dir = std::string(LLMCOST_SOURCE_DIR) + "/tests/bad/pricing-dir-symlink/cards";
    CHECK(contains(read_card_file(dir + "/acme.json"), "\"provider\": \"acme\""));
    CHECK(error_of([&] { read_card_file(dir); }) ==
          dir + ": not a regular file (expected a rate card file (JSON) or a directory of them)");
    CHECK(contains(error_of([&] { read_card_file(dir + "/absent.json"); }), "absent.json: cannot open: "));
    Catalog catalog = Catalog::bundled();
    CHECK(error_of([&] { catalog.load_path(dir); }) ==
          dir + "/other.json: is a symbolic link (expected a regular *.json file; links in a card directory are not "
                "followed: name the target with --pricing)");
    // The link's target itself, named on the command line, is read.
    catalog.load_path(dir + "/other.json");
    CHECK(catalog.find_card("acme") != nullptr);
  }

  TEST_CASE("a name sold by two routes is ambiguous and names both")
  {
    // "moonshotai/kimi-k2.6" is an alias on both cards, not a route prefix.
    const ResolveFailure alias = failure_of("moonshotai/kimi-k2.6");
    CHECK(contains(alias.problem, "2 routes"));
    CHECK(contains(alias.expected, "moonshot/kimi-k2.6"));
    CHECK(contains(alias.expected, "kyma/kimi-k2.6"));

    const ResolveFailure bare = failure_of("kimi-k2.6");
    CHECK(contains(bare.problem, "kimi-k2.6"));
    CHECK(contains(bare.expected, "moonshot/kimi-k2.6"));
    CHECK(contains(bare.expected, "kyma/kimi-k2.6"));
    CHECK(contains(bare.expected, "--provider"));

    const std::string thrown = error_of([] { bundled().resolve_or_throw("kimi-k2.5", "", ""); });
    CHECK(contains(thrown, "moonshot/kimi-k2.5"));
    CHECK(contains(thrown, "kyma/kimi-k2.5"));
  }

  TEST_CASE("the provider hint settles an ambiguous bare id")
  {
    CHECK(resolve("kimi-k2.6", "", "kyma") == "kyma/kimi-k2.6");
    CHECK(resolve("kimi-k2.6", "", "moonshot") == "moonshot/kimi-k2.6");
    CHECK(resolve("moonshotai/kimi-k2.6", "", "kyma") == "kyma/kimi-k2.6");
    // A hint for a route that does not sell the model is not an error when
    // only one route sells it.
    CHECK(resolve("kimi-k2.7-code", "", "kyma") == "moonshot/kimi-k2.7-code");
    CHECK(resolve("sonar", "", "moonshot") == "kyma/sonar");
  }

  TEST_CASE("aliases and display names, case-insensitively")
  {
    CHECK(resolve("Kimi K2.7 Code") == "moonshot/kimi-k2.7-code");
    CHECK(resolve("kimi k2.7 code") == "moonshot/kimi-k2.7-code");
    CHECK(resolve("KIMI-K2.7-CODE") == "moonshot/kimi-k2.7-code");
    CHECK(resolve("transcribe") == "kyma/whisper-v3-turbo");
    CHECK(resolve("Transcribe") == "kyma/whisper-v3-turbo");
    CHECK(resolve("transcribe-quality") == "kyma/gpt-4o-mini-transcribe-2025-12-15");
    CHECK(resolve("moonshotai/kimi-k2-turbo-preview") == "moonshot/kimi-k2-turbo-preview");
    CHECK(resolve("moonshot-v1-8k") == "moonshot/moonshot-v1-8k");
  }

  TEST_CASE("an unknown model lists the three closest ids")
  {
    // Edit distances from "kimi-k2.66": kimi-k2.6 is 1 (drop a 6) on both
    // routes; kimi-k2.5 is 2 (6->5, drop a 6) on both. Ties sort by name, so
    // the three are kyma/kimi-k2.6, moonshot/kimi-k2.6, kyma/kimi-k2.5.
    const ResolveFailure f = failure_of("kimi-k2.66");
    CHECK(f.problem == "unknown model \"kimi-k2.66\"");
    CHECK(contains(f.expected, "moonshot/kimi-k2.6"));
    CHECK(contains(f.expected, "kyma/kimi-k2.6"));
    CHECK(contains(f.expected, "kyma/kimi-k2.5"));
    CHECK_FALSE(contains(f.expected, "moonshot/kimi-k2.5"));

    const std::vector<std::string> near = bundled().closest("kimi-k2.66", 3);
    CHECK(near == std::vector<std::string>{"kyma/kimi-k2.6", "moonshot/kimi-k2.6", "kyma/kimi-k2.5"});
    CHECK(bundled().closest("kimi-k2.66", 1).size() == 1);

    // An unknown model on a known route is still "unknown", with suggestions.
    const ResolveFailure routed = failure_of("moonshot/kimi-k9");
    CHECK(contains(routed.problem, "unknown model"));
    CHECK_FALSE(routed.expected.empty());
  }

  TEST_CASE("a model the card leaves out says why, still an unknown model")
  {
    const std::string why = "moonshot/kimi-latest is not priced by llmcost: billed by context tier";
    for (const auto& [name, provider] :
         {std::pair{"kimi-latest", ""}, std::pair{"Moonshot/Kimi-Latest", ""}, std::pair{"kimi-latest", "moonshot"}}) {
      CAPTURE(name);
      const ResolveFailure f = failure_of(name, provider);
      CHECK(f.category == "unknown model");
      CHECK(f.problem.rfind(why, 0) == 0);
      CHECK(f.problem.find('\n') == std::string::npos);
      CHECK(f.expected == "a model from `llmcost models`");
    }
    // Only the route whose card names it: on Kyma it is a plain unknown model.
    const ResolveFailure kyma = failure_of("kimi-latest", "kyma");
    CHECK(kyma.problem == "unknown model \"kimi-latest\"");
    CHECK(failure_of("kyma/kimi-latest").problem == "unknown model \"kyma/kimi-latest\"");
    const auto [card, entry] = bundled().find_not_carried("moonshot/moonshot-v1-auto", "");
    REQUIRE(entry != nullptr);
    CHECK(card->provider == "moonshot");
    CHECK(bundled().find_not_carried("moonshot-v1-auto", "kyma").second == nullptr);
    CHECK(bundled().find_not_carried("kimi-k2.6", "").second == nullptr);
  }

  TEST_CASE("cards from outside replace bundled ones of the same provider")
  {
    Catalog catalog = Catalog::bundled();
    Card card = *catalog.find_card("kyma");
    card.models.erase(card.models.begin() + 1, card.models.end());
    const std::string kept = card.models.front().id;
    catalog.add(card);
    CHECK(catalog.cards().size() == bundled().cards().size());
    CHECK(catalog.find_card("kyma")->models.size() == 1);
    ResolveFailure failure;
    CHECK(catalog.resolve(kept, "", "", failure).has_value());
    // kimi-k2.6 now has one seller: the bare id is no longer ambiguous.
    const auto k26 = catalog.resolve("kimi-k2.6", "", "", failure);
    REQUIRE(k26.has_value());
    CHECK(k26->card->provider == "moonshot");
  }

  TEST_CASE("route names come from the cards, in card order")
  {
    Catalog catalog = Catalog::bundled();
    CHECK(catalog.routes() == std::vector<std::string>{"kyma", "moonshot"});
    Card card = *catalog.find_card("kyma");
    card.provider = "acme";
    catalog.add(card);
    CHECK(catalog.routes() == std::vector<std::string>{"kyma", "moonshot", "acme"});
  }

  TEST_CASE("the cards compiled into the binary are pricing/*.json exactly")
  {
    // The build generates C++ from the cards (src/tools/cards_to_cpp.cpp); it
    // must build what load_card reads from the files, every field of it.
    Catalog loaded;
    loaded.load_path(LLMCOST_SOURCE_DIR "/pricing");
    const auto& compiled = bundled().cards();
    REQUIRE(compiled.size() == loaded.cards().size());
    for (std::size_t c = 0; c < compiled.size(); ++c) {
      Card expected = loaded.cards()[c];
      expected.origin = "bundled";
      INFO("card ", expected.provider);
      REQUIRE(compiled[c].models.size() == expected.models.size());
      for (std::size_t m = 0; m < expected.models.size(); ++m) {
        INFO("model ", expected.models[m].id);
        CHECK(compiled[c].models[m] == expected.models[m]);
      }
      CHECK(compiled[c] == expected);
    }
  }
}

TEST_CASE("the bundled routes, listed without building the cards, are the cards' routes")
{
  CHECK(Catalog::bundled_routes() == bundled().routes());
}
