// Warehouse export: literals per dialect, exact per-token prices, the tables
// built from a card, and the SQL and CSV around them.

#include "llmcost/catalog.hpp"
#include "llmcost/warehouse_export.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace llmcost;
using llmcost::test::contains;
using llmcost::test::error_of;

namespace {

const std::string k_card = R"({
  "schema_version": 1,
  "provider": "acme",
  "name": "Acme's route",
  "currency": "USD",
  "tax": {"included": true},
  "effective_from": "2026-01-01",
  "sources": [{"id": "s", "title": "a source"}],
  "batch": {"available": true},
  "tools": {"web_search": {"price": "0.0025", "unit": "call", "source": "s"}},
  "models": [
    {"id": "Chat-1", "aliases": ["It's \\ odd"], "kind": "chat", "source": "s",
     "prices": {"input": {"price": "1.25", "unit": "1M tokens"},
                "output": {"price": "2.00", "unit": "1M tokens"},
                "batch_input": {"price": "0.625", "unit": "1M tokens"},
                "batch_output": {"price": "1.00", "unit": "1M tokens"}},
     "history": [{"from": "2025-06-01", "prices": {"input": {"price": "1.50", "unit": "1M tokens"},
                                                   "output": {"price": "3.00", "unit": "1M tokens"}}}]}
  ]
})";

Catalog acme()
{
  CardLoad load = load_card(k_card, "acme.json");
  REQUIRE(load.card.has_value());
  Catalog catalog;
  catalog.add(std::move(*load.card));
  return catalog;
}

const ExportTable& table(const std::vector<ExportTable>& tables, const std::string& name)
{
  for (const auto& t : tables) {
    if (t.name == name) {
      return t;
    }
  }
  throw std::runtime_error("no table " + name);
}

std::string cell(const ExportTable& t, std::size_t row, const std::string& column)
{
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == column) {
      return t.rows.at(row)[i].value_or("NULL");
    }
  }
  throw std::runtime_error("no column " + column);
}

} // namespace

TEST_SUITE("llmcost/warehouse_export")
{
  TEST_CASE("string literals: doubled quotes in PostgreSQL and DuckDB, backslash escapes in Spark and BigQuery")
  {
    CHECK(sql_string_literal("it's a \\ b", SqlDialect::postgres) == "'it''s a \\ b'");
    CHECK(sql_string_literal("it's a \\ b", SqlDialect::duckdb) == "'it''s a \\ b'");
    CHECK(sql_string_literal("it's a \\ b\nc", SqlDialect::spark) == "'it\\'s a \\\\ b\\nc'");
    CHECK(sql_string_literal("it's a \\ b\nc", SqlDialect::bigquery) == "'it\\'s a \\\\ b\\nc'");
    CHECK(sql_string_literal("", SqlDialect::postgres) == "''");
  }

  TEST_CASE("decimal literals are exact; BigQuery's are BIGNUMERIC, never FLOAT64")
  {
    CHECK(sql_literal(std::string("0.00000095"), ColumnType::unit_price, SqlDialect::postgres) == "0.00000095");
    CHECK(sql_literal(std::string("0.00000095"), ColumnType::unit_price, SqlDialect::spark) == "0.00000095");
    CHECK(sql_literal(std::string("0.95"), ColumnType::price, SqlDialect::bigquery) == "BIGNUMERIC '0.95'");
    CHECK(sql_literal(std::nullopt, ColumnType::price, SqlDialect::duckdb) == "NULL");
    CHECK(sql_literal(std::string("true"), ColumnType::boolean, SqlDialect::spark) == "TRUE");
    CHECK(sql_literal(std::string("2026-01-01"), ColumnType::date, SqlDialect::bigquery) == "DATE '2026-01-01'");
    CHECK(sql_literal(std::string("2026-01-01"), ColumnType::timestamp, SqlDialect::postgres) ==
          "TIMESTAMPTZ '2026-01-01 00:00:00+00:00'");
    CHECK(sql_literal(std::string("2026-01-01"), ColumnType::timestamp, SqlDialect::spark) ==
          "TIMESTAMP '2026-01-01 00:00:00+00:00'");
  }

  TEST_CASE("column types: exact decimals with room for 18 places per token")
  {
    // Below $10 a token: a count below 10^17 times it fits a DECIMAL(36,18) cost.
    CHECK(sql_type(ColumnType::unit_price, SqlDialect::postgres) == "NUMERIC(19,18)");
    CHECK(sql_type(ColumnType::unit_price, SqlDialect::duckdb) == "DECIMAL(19,18)");
    CHECK(sql_type(ColumnType::price, SqlDialect::spark) == "DECIMAL(24,12)");
    CHECK(sql_type(ColumnType::amount, SqlDialect::bigquery) == "BIGNUMERIC");
    CHECK(sql_type(ColumnType::text, SqlDialect::spark) == "STRING");
    CHECK(sql_type(ColumnType::integer, SqlDialect::bigquery) == "INT64");
  }

  TEST_CASE("per-1M prices become per-token prices by moving the point, exactly")
  {
    CHECK(shift_decimal_left("0.95", 6) == "0.00000095");
    CHECK(shift_decimal_left("4", 6) == "0.000004");
    CHECK(shift_decimal_left("33.75", 6) == "0.00003375");
    CHECK(shift_decimal_left("1234567", 6) == "1.234567");
    CHECK(shift_decimal_left("12345678.5", 6) == "12.3456785");
    CHECK(shift_decimal_left("0.000000000001", 6) == "0.000000000000000001");
    CHECK(shift_decimal_left("0", 6) == "0");
    CHECK(shift_decimal_left("-0.5", 6) == "-0.0000005");
  }

  TEST_CASE("dialect names")
  {
    CHECK(parse_sql_dialect("duckdb") == SqlDialect::duckdb);
    CHECK(parse_sql_dialect("PostgreSQL") == SqlDialect::postgres);
    CHECK(parse_sql_dialect("postgres") == SqlDialect::postgres);
    CHECK(parse_sql_dialect("spark") == SqlDialect::spark);
    CHECK(parse_sql_dialect("bigquery") == SqlDialect::bigquery);
    CHECK_FALSE(parse_sql_dialect("mysql").has_value());
  }

  TEST_CASE("prices: one row per period, batch as the CLI applies it, cached falling back to input per token")
  {
    const auto tables = warehouse_tables(acme());
    const ExportTable& prices = table(tables, "llmcost_prices");
    REQUIRE(prices.rows.size() == 2);
    CHECK(cell(prices, 0, "effective_from") == "2025-06-01");
    CHECK(cell(prices, 0, "effective_to") == "2026-01-01");
    CHECK(cell(prices, 0, "input_per_1m") == "1.5");
    CHECK(cell(prices, 1, "effective_from") == "2026-01-01");
    CHECK(cell(prices, 1, "effective_to") == "NULL");
    CHECK(cell(prices, 1, "cached_input_per_1m") == "NULL");
    CHECK(cell(prices, 1, "cached_input_per_token") == "0.00000125");
    CHECK(cell(prices, 1, "batch_input_per_1m") == "0.625");
    CHECK(cell(prices, 1, "batch_cached_input_per_token") == "0.000000625"); // falls back to batch input
    CHECK(cell(prices, 0, "batch_input_per_1m") == "NULL"); // no batch price: a batch row is not priced
    CHECK(cell(prices, 1, "batch_output_per_token") == "0.000001");
  }

  TEST_CASE("names: ids and aliases lower-cased, with how many models answer to each")
  {
    const auto tables = warehouse_tables(Catalog::bundled());
    const ExportTable& names = table(tables, "llmcost_model_names");
    int kimi = 0;
    for (std::size_t r = 0; r < names.rows.size(); ++r) {
      if (cell(names, r, "name") == "kimi-k2.6") {
        ++kimi;
        CHECK(cell(names, r, "name_models") == "2"); // sold by kyma and moonshot: ambiguous without a route
      }
      if (cell(names, r, "name") == "kimi k2.6") {
        CHECK(cell(names, r, "provider") == "moonshot");
        CHECK(cell(names, r, "is_alias") == "true");
        CHECK(cell(names, r, "name_models") == "1");
      }
    }
    CHECK(kimi == 2);
  }

  TEST_CASE("SQL: quoted names, schema-qualified objects, a transaction where DDL is transactional")
  {
    const std::string pg = render_warehouse_sql(acme(), {SqlDialect::postgres, "wh", ""});
    CHECK(contains(pg, "BEGIN;"));
    CHECK(contains(pg, "COMMIT;"));
    // Re-runnable under dependent views: no DROP; tables refilled, the view replaced.
    CHECK(contains(pg, "CREATE TABLE IF NOT EXISTS wh.llmcost_prices (\n"));
    CHECK(contains(pg, "DELETE FROM wh.llmcost_prices;\n"));
    CHECK(contains(pg, "CREATE TABLE IF NOT EXISTS wh.llmcost_usage ("));
    CHECK(contains(pg, "CREATE OR REPLACE VIEW wh.llmcost_price AS"));
    CHECK_FALSE(contains(pg, "DROP "));
    CHECK(contains(pg, "AS NUMERIC(36,18))"));
    CHECK(contains(pg, "'it''s \\ odd'"));
    CHECK(contains(pg, "'no price in effect on the record''s date'"));

    const std::string spark = render_warehouse_sql(acme(), {SqlDialect::spark, "", "raw.requests"});
    CHECK_FALSE(contains(spark, "BEGIN;"));
    CHECK(contains(spark, "'it\\'s \\\\ odd'"));
    CHECK(contains(spark, "INSTR(r.name_key, '/')"));
    CHECK(contains(spark, "FROM raw.requests u"));
    CHECK_FALSE(contains(spark, "llmcost_usage")); // the given usage table is used, not created
    CHECK(contains(spark, ") USING parquet;"));
    CHECK(contains(spark, "DROP TABLE IF EXISTS llmcost_prices;"));
    CHECK_FALSE(contains(spark, "DROP VIEW"));
  }

  TEST_CASE("SQL: a name part that is not a plain identifier is quoted in the dialect's way")
  {
    const std::string bq = render_warehouse_sql(acme(), {SqlDialect::bigquery, "my-project-123.finance", ""});
    CHECK(contains(bq, "CREATE OR REPLACE TABLE `my-project-123`.finance.llmcost_prices ("));
    CHECK(contains(bq, "CREATE OR REPLACE VIEW `my-project-123`.finance.llmcost_price AS"));
    const std::string spark = render_warehouse_sql(acme(), {SqlDialect::spark, "team-a", "raw-zone.requests"});
    CHECK(contains(spark, "CREATE TABLE `team-a`.llmcost_prices ("));
    CHECK(contains(spark, "FROM `raw-zone`.requests u"));
    const std::string pg = render_warehouse_sql(acme(), {SqlDialect::postgres, "2026_wh", ""});
    CHECK(contains(pg, "CREATE TABLE IF NOT EXISTS \"2026_wh\".llmcost_prices ("));
  }

  TEST_CASE("SQL: names that are not plain identifiers are refused")
  {
    CHECK(contains(error_of([] {
                     render_warehouse_sql(acme(), {SqlDialect::duckdb, "a;b", ""});
                   }),
                   "--schema \"a;b\" is not a plain SQL name"));
    CHECK(contains(error_of([] {
                     render_warehouse_sql(acme(), {SqlDialect::duckdb, "", "x y"});
                   }),
                   "--usage-table \"x y\" is not a plain SQL name"));
  }

  TEST_CASE("CSV: one table, null as an empty field, quoted where needed")
  {
    const std::string csv = render_warehouse_csv(acme(), "model_names");
    CHECK(csv == "name,provider,model_id,is_alias,name_models\n"
                 "chat-1,acme,Chat-1,false,1\n"
                 "it's \\ odd,acme,Chat-1,true,1\n");
    const std::string routes = render_warehouse_csv(acme(), "llmcost_routes");
    CHECK(routes == "provider,name,currency,tax_included,effective_from,batch_available,web_search_call_fee\n"
                    "acme,Acme's route,USD,true,2026-01-01,true,0.0025\n");
    CHECK(contains(error_of([] { render_warehouse_csv(acme(), "usage"); }),
                   "--table \"usage\" is not an exported table (expected one of: routes, models, model_names, "
                   "prices, media_tiers)"));
  }

  TEST_CASE("a price too large for its column is an error, not a rounded value")
  {
    std::string card = k_card;
    card.replace(card.find("\"1.25\""), 6, "\"123456789\""); // 123.456789 USD per token
    CardLoad load = load_card(card, "acme.json");
    REQUIRE(load.card.has_value());
    Catalog catalog;
    catalog.add(std::move(*load.card));
    CHECK(error_of([&] { warehouse_tables(catalog); }) ==
          "llmcost_prices.input_per_token: 123.456789 (acme/Chat-1) does not fit the warehouse column "
          "DECIMAL(19,18) (expected a value below 10^1)");
  }

  TEST_CASE("dbt: seeds with exact column types, the view over ref() and source(), an incremental model")
  {
    const std::vector<DbtFile> files = render_warehouse_dbt(acme(), SqlDialect::postgres);
    auto file = [&](std::string_view path) {
      for (const DbtFile& f : files) {
        if (f.path == path) {
          return f.text;
        }
      }
      FAIL("no file " << path);
      return std::string();
    };
    const std::string project = file("dbt_project.yml");
    CHECK(contains(project, "    llmcost_prices:\n      +column_types:\n        provider: TEXT\n"));
    CHECK(contains(project, "        input_per_token: NUMERIC(19,18)\n"));
    CHECK(file("seeds/llmcost_routes.csv") == render_warehouse_csv(acme(), "routes"));
    CHECK(contains(file("seeds/schema.yml"), "- name: llmcost_prices"));
    CHECK(contains(file("models/sources.yml"), "- name: llmcost_usage"));
    const std::string view = file("models/llmcost_price.sql");
    CHECK(contains(view, "FROM {{ source('llmcost', 'llmcost_usage') }} u"));
    CHECK(contains(view, "LEFT JOIN {{ ref('llmcost_routes') }} rr ON"));
    CHECK_FALSE(contains(view, "CREATE"));
    CHECK(view.back() == '\n');
    CHECK(view.ends_with("FROM costed\n")); // a model is a query, not a statement: no ";"
    const std::string incremental = file("models/llmcost_price_incremental.sql");
    CHECK(contains(incremental, "materialized='incremental'"));
    CHECK(contains(incremental, "WHERE usage_time > (SELECT MAX(usage_time) FROM {{ this }})"));
  }
}
