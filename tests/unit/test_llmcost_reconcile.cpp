// The reconcile engine on small in-memory exports: what it refuses, and the
// exact sums its outputs promise.

#include "llmcost/catalog.hpp"
#include "llmcost/reconcile.hpp"
#include "llmcost/usage_csv.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace llmcost;
using llmcost::test::contains;
using llmcost::test::dec;
using llmcost::test::error_of;

namespace {

const Catalog& catalog()
{
  static const Catalog bundled = Catalog::bundled();
  return bundled;
}

ReconcileResult reconcile_csv(const std::string& text, ReconcileOptions options = {})
{
  Reconciler reconciler(catalog(), std::move(options));
  read_usage_csv(text, "t.csv", ColumnMap{}, reconciler);
  return reconciler.finish();
}

} // namespace

TEST_SUITE("reconcile")
{
  TEST_CASE("every billed column name the error message lists is read as the billed amount")
  {
    for (const std::string& name : billed_column_names()) {
      CAPTURE(name);
      const auto result =
          reconcile_csv("timestamp,model,input_tokens,output_tokens," + name +
                        "\n2026-01-05T09:00:00Z,moonshot/kimi-k2.6,1000,300,0.00215000\n");
      CHECK(result.unbilled == 0);
      CHECK(result.billed_total == dec("0.00215"));
    }
  }

  TEST_CASE("no billed amount anywhere is an error naming the file and the fix; some missing are counted")
  {
    const std::string message = error_of(
        [&] { reconcile_csv("timestamp,model,input_tokens,output_tokens\n2026-01-05,moonshot/kimi-k2.6,1000,300\n"); });
    CHECK(contains(message, "t.csv: nothing to reconcile"));
    CHECK(contains(message, "--map COL=billed"));

    const std::string mixed = "timestamp,model,input_tokens,output_tokens,cost\n"
                              "2026-01-05T09:00:00Z,moonshot/kimi-k2.6,1000,300,0.00215\n"
                              "2026-01-05T09:00:00Z,moonshot/kimi-k2.6,1000,300,\n";
    const auto result = reconcile_csv(mixed);
    CHECK(result.unbilled == 1);
    CHECK(result.first_unbilled == "t.csv:3");
    CHECK(result.failures.empty());

    ReconcileOptions require;
    require.require_billed = true;
    CHECK(contains(error_of([&] { reconcile_csv(mixed, require); }), "t.csv:3: no billed amount"));
  }
}
