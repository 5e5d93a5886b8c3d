// The reconcile engine on small in-memory exports: what it refuses, and the
// exact sums its outputs promise.

#include "llmcost/catalog.hpp"
#include "llmcost/reconcile.hpp"
#include "llmcost/usage_csv.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace llmcost;
using llmcost::test::bundled;
using llmcost::test::contains;
using llmcost::test::dec;
using llmcost::test::error_of;

namespace {

ReconcileResult reconcile_csv(const std::string& text, ReconcileOptions options = {})
{
  Reconciler reconciler(bundled(), std::move(options));
  read_usage_csv(text, "t.csv", ColumnMap{}, reconciler);
  return reconciler.finish();
}

} // namespace

TEST_SUITE("reconcile")
{
  TEST_CASE("every billed column name the error message lists is read as the billed amount")
  {
    for (const std::string_view name : column_aliases(UsageField::billed)) {
      CAPTURE(name);
      const auto result = reconcile_csv("timestamp,model,input_tokens,output_tokens," + std::string(name) +
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
    CHECK(result.first_unbilled == "t.csv:3:1");
    CHECK(result.failures.empty());

    ReconcileOptions require;
    require.require_billed = true;
    CHECK(contains(error_of([&] { reconcile_csv(mixed, require); }), "t.csv:3:1: no billed amount"));
  }

  TEST_CASE("ids sealed as they grow still find every repeat, to the line")
  {
    std::string text = "timestamp,request_id,model,input_tokens,output_tokens,cost\n";
    for (int i = 0; i < 3000; ++i) {
      text += "2026-01-05T09:00:00Z,req-" + std::to_string(i % 2500) + ",moonshot/kimi-k2.6,1000,300,0.00215\n";
    }
    ReconcileOptions sealing;
    sealing.seal_ids_every = 64; // 39 sealed sets, merged down to 8 as they come
    const auto sealed = reconcile_csv(text, sealing);
    const auto whole = reconcile_csv(text);
    REQUIRE(sealed.discrepancies.size() == 500);
    CHECK(sealed.discrepancies.front().line == 2502);
    CHECK(sealed.discrepancies.back().line == 3001);
    for (std::size_t i = 0; i < sealed.discrepancies.size(); ++i) {
      CHECK(sealed.discrepancies[i].cause == "duplicate request id");
      CHECK(sealed.discrepancies[i].line == whole.discrepancies[i].line);
    }
  }

  TEST_CASE("a repeated request id is confirmed by its text; two ids under one fingerprint fail the run")
  {
    const std::string text = "timestamp,request_id,model,input_tokens,output_tokens,cost\n"
                             "2026-01-05T09:00:00Z,req-a,moonshot/kimi-k2.6,1000,300,0.00215\n"
                             "2026-01-05T09:00:00Z,req-b,moonshot/kimi-k2.6,1000,300,0.00215\n"
                             "2026-01-05T09:00:00Z,req-a,moonshot/kimi-k2.6,1000,300,0.00215\n";
    Reconciler reconciler(bundled(), {});
    read_usage_csv(text, "t.csv", ColumnMap{}, reconciler);
    REQUIRE(reconciler.repeated_id_prints().size() == 1);
    RepeatedIdCheck same(reconciler.repeated_id_prints());
    read_usage_csv(text, "t.csv", ColumnMap{}, same);
    CHECK(same.records_read() == 3);
    CHECK_NOTHROW(same.confirm());

    // Every id given one fingerprint: req-a's is flagged, and req-b's text
    // under it is found on the second read.
    const RepeatedIdCheck::Print one_print = [](std::string_view) { return fingerprint("same"); };
    RepeatedIdCheck clash({ResponseKey(fingerprint("same"), 0)}, one_print);
    read_usage_csv(text, "t.csv", ColumnMap{}, clash);
    const std::string message = error_of([&] { clash.confirm(); });
    CHECK(contains(message, "request ids \"req-a\" (t.csv:2:1) and \"req-b\" (t.csv:3:1) share a 96-bit fingerprint"));

    // Forked readers joined in order find the same, with the file's lines.
    RepeatedIdCheck joined({ResponseKey(fingerprint("same"), 0)}, one_print);
    auto first = joined.fork();
    auto second = joined.fork();
    read_usage_csv(text.substr(0, text.find("\n2026")) + "\n2026-01-05T09:00:00Z,req-a,m,1,1,0\n", "t.csv", ColumnMap{},
                   *first);
    read_usage_csv("timestamp,request_id,model,input_tokens,output_tokens,cost\n2026-01-05T09:00:00Z,req-c,m,1,1,0\n",
                   "t.csv", ColumnMap{}, *second);
    joined.join(*first, 0);
    joined.join(*second, 10);
    CHECK(contains(error_of([&] { joined.confirm(); }), "\"req-a\" (t.csv:2:1) and \"req-c\" (t.csv:12:1)"));
  }
}

TEST_SUITE("reconcile invoices")
{
  TEST_CASE("invoice amounts round half-up (away from zero) at their written precision, at least cents")
  {
    CHECK(dec("7.595326").round_half_up(2) == dec("7.60"));
    CHECK(dec("7.594999").round_half_up(2) == dec("7.59"));
    CHECK(dec("0.005").round_half_up(2) == dec("0.01")); // half-to-even would give 0.00
    CHECK(dec("0.015").round_half_up(2) == dec("0.02"));
    CHECK(dec("-0.005").round_half_up(2) == dec("-0.01"));
    CHECK(dec("-0.0049").round_half_up(2) == dec("0"));
    CHECK(dec("1.000000000001").round_half_up(12) == dec("1.000000000001"));
    CHECK(dec("2.5").round_half_up(0) == dec("3"));
    CHECK(invoice_places("7.60") == 2);
    CHECK(invoice_places("7.6") == 2);
    CHECK(invoice_places("8") == 2);
    CHECK(invoice_places("7.5953") == 4);
  }

  TEST_CASE("an invoice total in cents passes against the exact billed sum it rounds to; a cent off fails")
  {
    const std::string rows = "timestamp,model,input_tokens,cached_input_tokens,output_tokens,cost_usd\n"
                             "2026-02-02T10:00:00Z,moonshot/kimi-k2.5,2000000,0,500000,2.70000000\n"
                             "2026-02-09T10:00:00Z,moonshot/kimi-k2.5,3000000,1000000,800000,3.70000000\n"
                             "2026-02-16T10:00:00Z,moonshot/kimi-k2.6,1003526,200030,100000,1.19532600\n";
    for (const char* written : {"7.60", "7.6", "7.595", "7.5953", "7.59", "7.61", "7.596", "8"}) {
      const std::string text = written;
      CAPTURE(text);
      ReconcileOptions options;
      options.invoice_total = InvoiceAmount{dec(written), invoice_places(written)};
      const auto result = reconcile_csv(rows, options);
      CHECK(result.billed_total == dec("7.595326"));
      CHECK(result.failures.empty() == (text == "7.60" || text == "7.6" || text == "7.595" || text == "7.5953"));
    }
  }
}
