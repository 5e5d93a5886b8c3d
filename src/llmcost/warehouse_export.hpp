#pragma once
// The rate cards as warehouse tables (SQL DDL + INSERTs, or CSV), and the
// `llmcost_price` view that prices a usage table by the rules of pricing.cpp:
// the same route resolution, price periods, batch, cache and fee rules, so a
// warehouse sums to what `llmcost estimate` prints. docs/warehouse.md
// documents the tables and the usage columns.

#include "llmcost/catalog.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

enum class SqlDialect { duckdb, postgres, spark, bigquery };

std::optional<SqlDialect> parse_sql_dialect(std::string_view text);
std::string_view to_string(SqlDialect dialect);

// Column types; each dialect spells them (and their literals) its own way.
enum class ColumnType {
  text,
  integer, // 64-bit
  boolean,
  date,       // YYYY-MM-DD
  timestamp,  // an instant; values are a date, meaning 00:00 UTC that day
  price,      // DECIMAL(24,12): prices per 1M tokens or per media unit, multipliers
  unit_price, // DECIMAL(20,18): per token or per call, what the view multiplies by
  amount      // DECIMAL(38,12): billed money
};

struct ExportColumn
{
  std::string name;
  ColumnType type = ColumnType::text;
};

// A cell is its value's text (decimal, date, "true"/"false"), or null.
using ExportRow = std::vector<std::optional<std::string>>;

struct ExportTable
{
  std::string name; // without schema
  std::string comment;
  std::vector<ExportColumn> columns;
  std::vector<ExportRow> rows;
};

// llmcost_routes, llmcost_models, llmcost_model_names, llmcost_prices,
// llmcost_media_tiers, built from the catalog. Throws Error when a price
// does not fit its column type.
std::vector<ExportTable> warehouse_tables(const Catalog& catalog);
// The names of those tables, for --table.
std::vector<std::string> warehouse_table_names();

struct WarehouseOptions
{
  SqlDialect dialect = SqlDialect::postgres;
  std::string schema;      // qualifies every object ("analytics" -> analytics.llmcost_prices)
  std::string usage_table; // the view's input; empty: llmcost_usage, created when missing
};

// A script that (re)creates the tables, loads them, creates the usage table
// when needed, and the llmcost_price view. Deterministic text.
std::string render_warehouse_sql(const Catalog& catalog, const WarehouseOptions& options);

// A dbt project (`--format dbt`): dbt_project.yml (the seeds' column types
// in the dialect), seeds/ (the tables as CSV) with schema tests,
// models/llmcost_price.sql (the view over ref() and a source() for the
// usage table) and models/llmcost_price_incremental.sql (keyed on
// usage_time). Paths are relative to the project directory.
struct DbtFile
{
  std::string path;
  std::string text;
};
std::vector<DbtFile> render_warehouse_dbt(const Catalog& catalog, SqlDialect dialect);

// One table as RFC 4180 CSV with a header; null is an empty field. `table`
// is one of warehouse_table_names() (Error otherwise).
std::string render_warehouse_csv(const Catalog& catalog, std::string_view table);

// Literals, exposed for tests.
std::string sql_string_literal(std::string_view text, SqlDialect dialect);
std::string sql_literal(const std::optional<std::string>& value, ColumnType type, SqlDialect dialect);
std::string sql_type(ColumnType type, SqlDialect dialect);
// "0.95" per 1M -> "0.00000095" per token: the decimal point moved `places` left, exactly.
std::string shift_decimal_left(std::string_view decimal_text, int places);

} // namespace llmcost
