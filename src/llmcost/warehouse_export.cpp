#include "llmcost/warehouse_export.hpp"

#include "llmcost/error.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/text_table.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

namespace llmcost {

namespace {

constexpr std::size_t k_rows_per_insert = 100;
// Per-token prices: a per-1M price (at most 12 decimals) moved 6 places.
constexpr int k_token_shift = 6;

const std::vector<std::string>& table_names()
{
  static const std::vector<std::string> names = {"llmcost_routes", "llmcost_models", "llmcost_model_names",
                                                 "llmcost_prices", "llmcost_media_tiers"};
  return names;
}

std::optional<std::string> text_of(const std::optional<Price>& price)
{
  return price ? std::optional<std::string>(price->amount.to_exact_string(0)) : std::nullopt;
}

std::optional<std::string> text_of(const std::optional<Decimal>& value)
{
  return value ? std::optional<std::string>(value->to_exact_string(0)) : std::nullopt;
}

std::optional<std::string> per_token(const std::optional<std::string>& per_million)
{
  return per_million ? std::optional<std::string>(shift_decimal_left(*per_million, k_token_shift)) : std::nullopt;
}

std::optional<std::string> boolean(bool value)
{
  return std::string(value ? "true" : "false");
}

// Integer digits a DECIMAL(p,s) column holds.
int integer_digits(ColumnType type)
{
  switch (type) {
  case ColumnType::price:
    return 12;
  case ColumnType::unit_price:
    return 1;
  case ColumnType::amount:
    return 26;
  default:
    return 0;
  }
}

// A value must fit its column exactly; a warehouse would otherwise round or fail.
void check_fits(const ExportTable& table, const ExportRow& row)
{
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnType type = table.columns[i].type;
    const int digits = integer_digits(type);
    if (digits == 0 || !row[i]) {
      continue;
    }
    const std::string& value = *row[i];
    std::string_view whole = value;
    if (!whole.empty() && whole[0] == '-') {
      whole.remove_prefix(1);
    }
    whole = whole.substr(0, whole.find('.'));
    while (whole.size() > 1 && whole[0] == '0') {
      whole.remove_prefix(1);
    }
    if (static_cast<int>(whole.size()) > digits) {
      const std::string owner = row.size() > 1 && row[0] && row[1] ? " (" + *row[0] + "/" + *row[1] + ")" : "";
      throw Error(Location{},
                  fmt::format("{}.{}: {}{} does not fit the warehouse column {}", table.name, table.columns[i].name,
                              value, owner, sql_type(type, SqlDialect::duckdb)),
                  fmt::format("a value below 10^{}", digits));
    }
  }
}

void add_row(ExportTable& table, ExportRow row)
{
  check_fits(table, row);
  table.rows.push_back(std::move(row));
}

ExportTable routes_table(const Catalog& catalog)
{
  ExportTable t{"llmcost_routes",
                "one row per route (rate card): currency, tax, batch and per-call tool rules",
                {{"provider", ColumnType::text},
                 {"name", ColumnType::text},
                 {"currency", ColumnType::text},
                 {"tax_included", ColumnType::boolean},
                 {"effective_from", ColumnType::date},
                 {"batch_available", ColumnType::boolean},
                 {"web_search_call_fee", ColumnType::unit_price}},
                {}};
  for (const Card& card : catalog.cards()) {
    add_row(t, {card.provider, card.name, card.currency, boolean(card.tax_included), format_date(card.effective_from),
                boolean(card.batch_available), text_of(card.web_search_call_fee)});
  }
  return t;
}

ExportTable models_table(const Catalog& catalog)
{
  ExportTable t{"llmcost_models",
                "one row per model a route sells",
                {{"provider", ColumnType::text},
                 {"model_id", ColumnType::text},
                 {"kind", ColumnType::text},
                 {"context_window", ColumnType::integer},
                 {"source", ColumnType::text},
                 {"note", ColumnType::text}},
                {}};
  for (const Card& card : catalog.cards()) {
    for (const Model& model : card.models) {
      add_row(t,
              {card.provider, model.id, std::string(to_string(model.kind)),
               model.context_window ? std::optional<std::string>(std::to_string(*model.context_window)) : std::nullopt,
               model.source, model.note.empty() ? std::nullopt : std::optional<std::string>(model.note)});
    }
  }
  return t;
}

ExportTable names_table(const Catalog& catalog)
{
  ExportTable t{"llmcost_model_names",
                "every lower-cased id and alias, per route that sells it; name_models counts the models (all "
                "routes) answering to the name: more than one makes a bare name ambiguous",
                {{"name", ColumnType::text},
                 {"provider", ColumnType::text},
                 {"model_id", ColumnType::text},
                 {"is_alias", ColumnType::boolean},
                 {"name_models", ColumnType::integer}},
                {}};
  struct Hit
  {
    const Card* card;
    const Model* model;
  };
  // As Catalog::reindex: a model counts once per name, in card and model order.
  std::map<std::string, std::vector<Hit>> hits;
  for (const Card& card : catalog.cards()) {
    for (const Model& model : card.models) {
      auto add = [&](const std::string& name) {
        auto& list = hits[to_lower(name)];
        if (std::none_of(list.begin(), list.end(), [&](const Hit& h) { return h.model == &model; })) {
          list.push_back({&card, &model});
        }
      };
      add(model.id);
      for (const auto& alias : model.aliases) {
        add(alias);
      }
    }
  }
  for (const auto& [name, list] : hits) {
    std::vector<const Hit*> per_route; // the first model per route wins, as Catalog::resolve does
    for (const Hit& h : list) {
      if (std::none_of(per_route.begin(), per_route.end(), [&](const Hit* p) { return p->card == h.card; })) {
        per_route.push_back(&h);
      }
    }
    std::sort(per_route.begin(), per_route.end(),
              [](const Hit* a, const Hit* b) { return a->card->provider < b->card->provider; });
    for (const Hit* h : per_route) {
      add_row(t, {name, h->card->provider, h->model->id, boolean(name != to_lower(h->model->id)),
                  std::to_string(list.size())});
    }
  }
  return t;
}

ExportTable prices_table(const Catalog& catalog)
{
  ExportTable t{"llmcost_prices",
                "one row per model and price period [effective_from, effective_to); token prices per 1M as "
                "published (cached NULL: billed at input), batch_* as published (NULL: no batch price, "
                "so a batch row is not priced), *_per_token ready to multiply (cached "
                "already falls back to input)",
                {{"provider", ColumnType::text},
                 {"model_id", ColumnType::text},
                 {"kind", ColumnType::text},
                 {"effective_from", ColumnType::date},
                 {"effective_to", ColumnType::date},
                 {"effective_from_ts", ColumnType::timestamp},
                 {"effective_to_ts", ColumnType::timestamp},
                 {"input_per_1m", ColumnType::price},
                 {"cached_input_per_1m", ColumnType::price},
                 {"output_per_1m", ColumnType::price},
                 {"batch_input_per_1m", ColumnType::price},
                 {"batch_cached_input_per_1m", ColumnType::price},
                 {"batch_output_per_1m", ColumnType::price},
                 {"input_per_token", ColumnType::unit_price},
                 {"cached_input_per_token", ColumnType::unit_price},
                 {"output_per_token", ColumnType::unit_price},
                 {"batch_input_per_token", ColumnType::unit_price},
                 {"batch_cached_input_per_token", ColumnType::unit_price},
                 {"batch_output_per_token", ColumnType::unit_price},
                 {"request_fee", ColumnType::unit_price},
                 {"request_fee_label", ColumnType::text},
                 {"approximate", ColumnType::boolean},
                 {"media_unit", ColumnType::text},
                 {"media_price", ColumnType::price},
                 {"media_tier_by", ColumnType::text},
                 {"media_varies", ColumnType::boolean},
                 {"media_minimum", ColumnType::price},
                 {"media_default_seconds", ColumnType::price},
                 {"source", ColumnType::text},
                 {"note", ColumnType::text}},
                {}};
  auto optional_text = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  for (const Card& card : catalog.cards()) {
    for (const Model& model : card.models) {
      for (std::size_t i = 0; i < model.periods.size(); ++i) {
        const PriceSet& ps = model.periods[i];
        const std::optional<Day> to =
            i + 1 < model.periods.size() ? std::optional<Day>(model.periods[i + 1].from) : std::nullopt;
        const std::optional<std::string> to_text = to ? std::optional<std::string>(format_date(*to)) : std::nullopt;
        ExportRow row{card.provider,        model.id, std::string(to_string(model.kind)), format_date(ps.from), to_text,
                      format_date(ps.from), to_text};
        const bool chat = model.kind == ModelKind::chat;
        std::optional<EffectiveTokenPrices> batch;
        if (chat) {
          batch = effective_token_prices(card, ps, true);
        }
        const auto input = text_of(ps.input);
        const auto cached = text_of(ps.cached_input);
        const auto output = text_of(ps.output);
        const auto b_input = batch ? text_of(batch->input) : std::nullopt;
        const auto b_cached = batch ? text_of(batch->cached_input) : std::nullopt;
        const auto b_output = batch ? text_of(batch->output) : std::nullopt;
        row.insert(row.end(), {input, cached, output, b_input, b_cached, b_output});
        row.insert(row.end(), {per_token(input), per_token(cached ? cached : input), per_token(output),
                               per_token(b_input), per_token(b_cached ? b_cached : b_input), per_token(b_output),
                               text_of(ps.request_fee), optional_text(ps.request_fee_label)});
        bool approximate = false;
        for (const auto* p : {&ps.input, &ps.cached_input, &ps.output}) {
          approximate = approximate || (*p && (*p)->approximate);
        }
        if (ps.media) {
          const MediaPrice& m = *ps.media;
          approximate = approximate || m.approximate;
          row.insert(row.end(),
                     {boolean(approximate), std::string(to_string(m.unit)), m.price ? text_of(m.price) : std::nullopt,
                      optional_text(m.tier_by), boolean(m.varies), text_of(m.minimum), text_of(m.default_seconds)});
        } else {
          row.insert(row.end(), {boolean(approximate), std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                 std::nullopt, std::nullopt});
        }
        row.insert(row.end(), {optional_text(ps.source.empty() ? model.source : ps.source), optional_text(ps.note)});
        add_row(t, std::move(row));
      }
    }
  }
  return t;
}

ExportTable media_tiers_table(const Catalog& catalog)
{
  ExportTable t{"llmcost_media_tiers",
                "per-unit prices of tiered media models (by image quality or size), per price period",
                {{"provider", ColumnType::text},
                 {"model_id", ColumnType::text},
                 {"effective_from", ColumnType::date},
                 {"tier_by", ColumnType::text},
                 {"tier", ColumnType::text},
                 {"price", ColumnType::price}},
                {}};
  for (const Card& card : catalog.cards()) {
    for (const Model& model : card.models) {
      for (const PriceSet& ps : model.periods) {
        if (!ps.media) {
          continue;
        }
        for (const auto& [tier, price] : ps.media->tiers) {
          add_row(t,
                  {card.provider, model.id, format_date(ps.from), ps.media->tier_by, tier, price.to_exact_string(0)});
        }
      }
    }
  }
  return t;
}

bool is_name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Dot-separated parts of letters, digits, '_' and '-' (BigQuery project ids,
// Spark database names have hyphens); nothing that would need escaping.
bool is_identifier(std::string_view text)
{
  if (text.empty() || text.front() == '.' || text.back() == '.' || text.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) { return is_name_char(c) || c == '-' || c == '.'; });
}

// Each part as is when it is a plain SQL name, else quoted in the dialect's
// way: "my-db" (PostgreSQL, DuckDB), `my-project-123` (Spark, BigQuery).
std::string quoted_name(std::string_view text, SqlDialect dialect)
{
  const char quote = dialect == SqlDialect::spark || dialect == SqlDialect::bigquery ? '`' : '"';
  std::string out;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('.', start);
    end = end == std::string_view::npos ? text.size() : end;
    const std::string_view part = text.substr(start, end - start);
    const bool plain = !(part[0] >= '0' && part[0] <= '9') && std::all_of(part.begin(), part.end(), is_name_char);
    out += start == 0 ? "" : ".";
    out += plain ? std::string(part) : quote + std::string(part) + quote;
    start = end + 1;
  }
  return out;
}

std::string decimal_type(int precision, int scale, SqlDialect dialect)
{
  switch (dialect) {
  case SqlDialect::postgres:
    return fmt::format("NUMERIC({},{})", precision, scale);
  case SqlDialect::bigquery:
    return "BIGNUMERIC"; // 38 decimal places: every product here is exact
  default:
    return fmt::format("DECIMAL({},{})", precision, scale);
  }
}

// The pricing rules of pricing.cpp and the resolution of Catalog::resolve,
// as SQL. Costs are exact: a count below 10^17 (DECIMAL(17,0); the CLI
// refuses larger ones too) times a per-token price below 10 (DECIMAL(19,18))
// is below 10^18 and fits DECIMAL(36,18); the total adds two pairs, (37,18)
// each, into DECIMAL(38,18). Spark, whose default drops scale beyond
// precision 38, keeps all 18 places too. CREATE OR REPLACE keeps the views a
// user built on this one.
constexpr const char* k_view_sql = R"sql(CREATE OR REPLACE VIEW {price_view} AS
WITH
usage_rows AS (
  SELECT
    u.usage_time,
    u.provider,
    u.model,
    u.request_id,
    u.project,
    u.api_key,
    u.session_id,
    COALESCE(u.requests, 1) AS requests,
    COALESCE(u.uncached_input_tokens, 0) AS uncached_input_tokens,
    COALESCE(u.cached_input_tokens, 0) AS cached_input_tokens,
    COALESCE(u.cache_write_tokens, 0) AS cache_write_tokens,
    COALESCE(u.output_tokens, 0) AS output_tokens,
    COALESCE(u.reasoning_tokens, 0) AS reasoning_tokens,
    COALESCE(u.web_search_calls, 0) AS web_search_calls,
    COALESCE(u.batch, FALSE) AS batch,
    u.billed_usd,
    LOWER(TRIM(u.model)) AS name_key,
    LOWER(TRIM(u.provider)) AS provider_key
  FROM {usage} u
),
named AS (
  -- The record's provider chooses the route only when it is a loaded route;
  -- a "route/" prefix does too, unless the whole name is itself an alias.
  SELECT
    r.*,
    rr.provider AS record_route,
    CASE WHEN kn.name IS NULL THEN pr.provider END AS prefix_route
  FROM usage_rows r
  LEFT JOIN {routes} rr ON rr.provider = r.provider_key
  LEFT JOIN (SELECT DISTINCT name FROM {names}) kn ON kn.name = r.name_key
  LEFT JOIN {routes} pr ON pr.provider = CASE WHEN {strpos}(r.name_key, '/') > 1
    THEN SUBSTR(r.name_key, 1, {strpos}(r.name_key, '/') - 1) END
),
keyed AS (
  SELECT
    n.*,
    COALESCE(n.prefix_route, n.record_route) AS route,
    CASE WHEN n.prefix_route IS NULL THEN n.name_key
      ELSE SUBSTR(n.name_key, {strpos}(n.name_key, '/') + 1) END AS model_key
  FROM named n
),
matched AS (
  SELECT
    k.*,
    onr.model_id AS route_model_id,
    anyr.name_models,
    anyr.only_provider,
    anyr.only_model_id
  FROM keyed k
  LEFT JOIN {names} onr ON onr.name = k.model_key AND onr.provider = k.route
  LEFT JOIN (
    SELECT name, MAX(name_models) AS name_models, MIN(provider) AS only_provider, MIN(model_id) AS only_model_id
    FROM {names}
    GROUP BY name
  ) anyr ON anyr.name = k.model_key
),
resolved AS (
  SELECT
    m.*,
    CASE
      WHEN m.name_key IS NULL OR m.name_key = '' THEN {r_no_model}
      WHEN m.prefix_route IS NOT NULL AND m.record_route IS NOT NULL AND m.prefix_route <> m.record_route
        THEN {r_conflicting_route}
      WHEN m.name_models IS NULL THEN {r_unknown_model}
      WHEN m.route IS NOT NULL AND m.route_model_id IS NULL THEN {r_not_on_route}
      WHEN m.route IS NULL AND m.name_models > 1 THEN {r_ambiguous}
    END AS resolve_problem,
    CASE WHEN m.route IS NOT NULL THEN m.route WHEN m.name_models = 1 THEN m.only_provider END AS candidate_provider,
    CASE WHEN m.route IS NOT NULL THEN m.route_model_id WHEN m.name_models = 1 THEN m.only_model_id END
      AS candidate_model
  FROM matched m
),
priced AS (
  -- Prices change on UTC dates: the period in effect at usage_time, or the
  -- current one for an undated record.
  SELECT
    s.*,
    rt.batch_available,
    rt.web_search_call_fee,
    md.kind AS model_kind,
    cur.request_fee AS current_request_fee,
    ps.effective_from AS period_from,
    CASE WHEN s.batch THEN ps.batch_input_per_token ELSE ps.input_per_token END AS input_price,
    CASE WHEN s.batch THEN ps.batch_cached_input_per_token ELSE ps.cached_input_per_token END AS cached_input_price,
    CASE WHEN s.batch THEN ps.batch_output_per_token ELSE ps.output_per_token END AS output_price,
    ps.request_fee
  FROM resolved s
  LEFT JOIN {routes} rt ON rt.provider = s.candidate_provider
  LEFT JOIN {models} md ON md.provider = s.candidate_provider AND md.model_id = s.candidate_model
  LEFT JOIN {prices} cur ON cur.provider = s.candidate_provider AND cur.model_id = s.candidate_model
    AND cur.effective_to IS NULL
  LEFT JOIN {prices} ps ON ps.provider = s.candidate_provider AND ps.model_id = s.candidate_model
    AND ((s.usage_time IS NULL AND ps.effective_to IS NULL)
      OR (ps.effective_from_ts <= s.usage_time AND (ps.effective_to_ts IS NULL OR s.usage_time < ps.effective_to_ts)))
),
checked AS (
  -- The same reasons, in the same order, as the CLI's rejections.
  SELECT
    p.*,
    CASE
      WHEN LEAST(p.requests, p.cached_input_tokens, p.cache_write_tokens, p.output_tokens, p.reasoning_tokens,
        p.web_search_calls) < 0 THEN {r_bad_field}
      -- The loads compute uncached as input - cached: below zero, cached exceeded input.
      WHEN p.uncached_input_tokens < 0 THEN {r_cached_exceeds}
      WHEN p.reasoning_tokens > p.output_tokens THEN {r_reasoning}
      WHEN GREATEST(p.requests, p.uncached_input_tokens, p.cached_input_tokens, p.output_tokens,
        p.web_search_calls) >= 100000000000000000 THEN {r_too_large}
      WHEN p.resolve_problem IS NOT NULL THEN p.resolve_problem
      WHEN p.model_kind <> 'chat' THEN {r_not_token}
      WHEN p.batch AND NOT p.batch_available THEN {r_batch_route}
      WHEN p.web_search_calls > 0 AND p.web_search_call_fee IS NULL AND p.current_request_fee IS NULL
        THEN {r_no_search}
      WHEN p.period_from IS NULL THEN {r_no_period}
      WHEN p.web_search_calls > 0 AND p.web_search_call_fee IS NULL AND p.request_fee IS NULL THEN {r_no_search}
      WHEN p.input_price IS NULL OR p.output_price IS NULL THEN {r_no_batch}
    END AS unpriced_reason
  FROM priced p
),
costed AS (
  SELECT
    c.*,
    CASE WHEN c.unpriced_reason IS NULL
      THEN CAST(CAST(c.uncached_input_tokens AS {count_type}) * c.input_price AS {cost_type}) END AS cost_input,
    CASE WHEN c.unpriced_reason IS NULL
      THEN CAST(CAST(c.cached_input_tokens AS {count_type}) * c.cached_input_price AS {cost_type}) END
      AS cost_cached_input,
    CASE WHEN c.unpriced_reason IS NULL
      THEN CAST(CAST(c.output_tokens AS {count_type}) * c.output_price AS {cost_type}) END AS cost_output,
    -- A per-request fee (Sonar) replaces the route's per-call search fee.
    CASE
      WHEN c.unpriced_reason IS NOT NULL THEN NULL
      WHEN c.request_fee IS NOT NULL THEN CAST(CAST(c.requests AS {count_type}) * c.request_fee AS {cost_type})
      WHEN c.web_search_calls > 0
        THEN CAST(CAST(c.web_search_calls AS {count_type}) * c.web_search_call_fee AS {cost_type})
      ELSE CAST(0 AS {cost_type})
    END AS cost_fees
  FROM checked c
)
SELECT
  usage_time,
  provider,
  model,
  request_id,
  project,
  api_key,
  session_id,
  requests,
  uncached_input_tokens,
  cached_input_tokens,
  cache_write_tokens,
  output_tokens,
  reasoning_tokens,
  web_search_calls,
  batch,
  billed_usd,
  CASE WHEN resolve_problem IS NULL THEN candidate_provider END AS resolved_provider,
  CASE WHEN resolve_problem IS NULL THEN candidate_model END AS resolved_model,
  CASE WHEN unpriced_reason IS NULL THEN period_from END AS price_effective_from,
  unpriced_reason,
  cost_input,
  cost_cached_input,
  cost_output,
  cost_fees,
  (cost_input + cost_cached_input) + (cost_output + cost_fees) AS cost_total
FROM costed;
)sql";

// True when some token or fee product can have more than 12 decimals: the
// CLI rounds those at 1e-12 per group, the view does not round per row.
bool needs_group_rounding(const std::vector<ExportTable>& tables)
{
  for (const auto& table : tables) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].type != ColumnType::unit_price) {
        continue;
      }
      for (const auto& row : table.rows) {
        const std::size_t dot = row[i] ? row[i]->find('.') : std::string::npos;
        if (dot != std::string::npos && row[i]->size() - dot - 1 > static_cast<std::size_t>(Decimal::k_scale_digits)) {
          return true;
        }
      }
    }
  }
  return false;
}

// The view's query (k_view_sql) over the given table names.
template <typename TableName>
std::string price_view_sql(SqlDialect d, const std::string& view, const TableName& table, const std::string& usage)
{
  auto reason = [&](std::string_view text) { return sql_string_literal(text, d); };
  return fmt::format(
      fmt::runtime(k_view_sql), fmt::arg("price_view", view), fmt::arg("usage", usage),
      fmt::arg("routes", table("llmcost_routes")), fmt::arg("names", table("llmcost_model_names")),
      fmt::arg("models", table("llmcost_models")), fmt::arg("prices", table("llmcost_prices")),
      fmt::arg("strpos", d == SqlDialect::spark ? "INSTR" : "STRPOS"), fmt::arg("count_type", decimal_type(17, 0, d)),
      fmt::arg("cost_type", decimal_type(36, 18, d)), fmt::arg("r_no_model", reason("no model")),
      fmt::arg("r_conflicting_route", reason("conflicting route")),
      fmt::arg("r_unknown_model", reason("unknown model")),
      fmt::arg("r_not_on_route", reason("model not sold on the route")),
      fmt::arg("r_ambiguous", reason("ambiguous model")), fmt::arg("r_bad_field", reason("bad field")),
      fmt::arg("r_reasoning", reason("reasoning exceeds output")),
      fmt::arg("r_cached_exceeds", reason("cached exceeds input")),
      fmt::arg("r_not_token", reason("not a token-priced model")),
      fmt::arg("r_batch_route", reason("batch on a route without batch pricing")),
      fmt::arg("r_no_search", reason("no web-search price")),
      fmt::arg("r_no_period", reason("no price in effect on the record's date")),
      fmt::arg("r_no_batch", reason("no batch price")), fmt::arg("r_too_large", reason("quantity too large")));
}

std::string usage_table_sql(const std::string& name, SqlDialect d)
{
  const std::string text = sql_type(ColumnType::text, d);
  const std::string integer = sql_type(ColumnType::integer, d);
  std::string out = fmt::format("CREATE TABLE IF NOT EXISTS {} (\n", name);
  const std::vector<std::pair<std::string, std::string>> columns = {{"usage_time", sql_type(ColumnType::timestamp, d)},
                                                                    {"provider", text},
                                                                    {"model", text},
                                                                    {"request_id", text},
                                                                    {"project", text},
                                                                    {"api_key", text},
                                                                    {"session_id", text},
                                                                    {"requests", integer},
                                                                    {"uncached_input_tokens", integer},
                                                                    {"cached_input_tokens", integer},
                                                                    {"cache_write_tokens", integer},
                                                                    {"output_tokens", integer},
                                                                    {"reasoning_tokens", integer},
                                                                    {"web_search_calls", integer},
                                                                    {"batch", sql_type(ColumnType::boolean, d)},
                                                                    {"billed_usd", sql_type(ColumnType::amount, d)}};
  for (std::size_t i = 0; i < columns.size(); ++i) {
    out += fmt::format("  {} {}{}\n", columns[i].first, columns[i].second, i + 1 < columns.size() ? "," : "");
  }
  out += d == SqlDialect::spark ? ") USING parquet;\n" : ");\n";
  return out;
}

} // namespace

std::optional<SqlDialect> parse_sql_dialect(std::string_view text)
{
  const std::string value = to_lower(text);
  if (value == "duckdb") {
    return SqlDialect::duckdb;
  }
  if (value == "postgres" || value == "postgresql") {
    return SqlDialect::postgres;
  }
  if (value == "spark") {
    return SqlDialect::spark;
  }
  if (value == "bigquery") {
    return SqlDialect::bigquery;
  }
  return std::nullopt;
}

std::string_view to_string(SqlDialect dialect)
{
  switch (dialect) {
  case SqlDialect::duckdb:
    return "duckdb";
  case SqlDialect::postgres:
    return "postgres";
  case SqlDialect::spark:
    return "spark";
  case SqlDialect::bigquery:
    return "bigquery";
  }
  return "postgres";
}

std::string shift_decimal_left(std::string_view decimal_text, int places)
{
  std::string sign;
  if (!decimal_text.empty() && decimal_text[0] == '-') {
    sign = "-";
    decimal_text.remove_prefix(1);
  }
  const std::size_t dot = decimal_text.find('.');
  std::string whole(decimal_text.substr(0, dot));
  std::string fraction(dot == std::string_view::npos ? std::string_view() : decimal_text.substr(dot + 1));
  if (static_cast<int>(whole.size()) <= places) {
    whole.insert(0, static_cast<std::size_t>(places) - whole.size() + 1, '0');
  }
  fraction.insert(0, whole.substr(whole.size() - static_cast<std::size_t>(places)));
  whole.resize(whole.size() - static_cast<std::size_t>(places));
  while (whole.size() > 1 && whole[0] == '0') {
    whole.erase(0, 1);
  }
  while (!fraction.empty() && fraction.back() == '0') {
    fraction.pop_back();
  }
  if (whole == "0" && fraction.empty()) {
    sign.clear();
  }
  return sign + whole + (fraction.empty() ? "" : "." + fraction);
}

std::string sql_string_literal(std::string_view text, SqlDialect dialect)
{
  std::string out = "'";
  const bool backslash_escapes = dialect == SqlDialect::spark || dialect == SqlDialect::bigquery;
  for (char c : text) {
    if (c == '\'') {
      out += backslash_escapes ? "\\'" : "''";
    } else if (backslash_escapes && c == '\\') {
      out += "\\\\";
    } else if (backslash_escapes && c == '\n') {
      out += "\\n";
    } else if (backslash_escapes && c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string sql_type(ColumnType type, SqlDialect dialect)
{
  const bool bq = dialect == SqlDialect::bigquery;
  switch (type) {
  case ColumnType::text:
    return dialect == SqlDialect::postgres ? "TEXT" : dialect == SqlDialect::duckdb ? "VARCHAR" : "STRING";
  case ColumnType::integer:
    return bq ? "INT64" : "BIGINT";
  case ColumnType::boolean:
    return bq ? "BOOL" : "BOOLEAN";
  case ColumnType::date:
    return "DATE";
  case ColumnType::timestamp:
    return dialect == SqlDialect::postgres || dialect == SqlDialect::duckdb ? "TIMESTAMPTZ" : "TIMESTAMP";
  case ColumnType::price:
    return decimal_type(24, 12, dialect);
  case ColumnType::unit_price:
    return decimal_type(19, 18, dialect);
  case ColumnType::amount:
    return decimal_type(38, 12, dialect);
  }
  return "TEXT";
}

std::string sql_literal(const std::optional<std::string>& value, ColumnType type, SqlDialect dialect)
{
  if (!value) {
    return "NULL";
  }
  switch (type) {
  case ColumnType::text:
    return sql_string_literal(*value, dialect);
  case ColumnType::integer:
    return *value;
  case ColumnType::boolean:
    return *value == "true" ? "TRUE" : "FALSE";
  case ColumnType::date:
    return "DATE '" + *value + "'";
  case ColumnType::timestamp:
    return fmt::format("{} '{} 00:00:00+00:00'", sql_type(ColumnType::timestamp, dialect), *value);
  case ColumnType::price:
  case ColumnType::unit_price:
  case ColumnType::amount:
    // BigQuery reads a bare 0.95 as FLOAT64; the others as an exact decimal.
    return dialect == SqlDialect::bigquery ? "BIGNUMERIC '" + *value + "'" : *value;
  }
  return "NULL";
}

std::vector<ExportTable> warehouse_tables(const Catalog& catalog)
{
  return {routes_table(catalog), models_table(catalog), names_table(catalog), prices_table(catalog),
          media_tiers_table(catalog)};
}

std::vector<std::string> warehouse_table_names()
{
  return table_names();
}

std::string render_warehouse_sql(const Catalog& catalog, const WarehouseOptions& options)
{
  const SqlDialect d = options.dialect;
  if (!options.schema.empty() && !is_identifier(options.schema)) {
    throw Error(Location{}, fmt::format("--schema \"{}\" is not a plain SQL name", options.schema),
                "letters, digits, '_', '-' and '.' (e.g. analytics or my-project-123.finance)");
  }
  if (!options.usage_table.empty() && !is_identifier(options.usage_table)) {
    throw Error(Location{}, fmt::format("--usage-table \"{}\" is not a plain SQL name", options.usage_table),
                "letters, digits, '_', '-' and '.' (e.g. raw.llm_requests)");
  }
  if (d == SqlDialect::bigquery && options.schema.empty()) {
    // A BigQuery view names its tables with their dataset; there is no default inside a view.
    throw Error(Location{}, "--dialect bigquery needs --schema", "--schema DATASET or --schema PROJECT.DATASET");
  }
  const std::string prefix = options.schema.empty() ? "" : quoted_name(options.schema, d) + ".";
  auto qualified = [&](const std::string& name) { return prefix + name; };
  const std::vector<ExportTable> tables = warehouse_tables(catalog);
  const bool transactional = d == SqlDialect::postgres || d == SqlDialect::duckdb;

  std::vector<std::string> cards;
  for (const Card& card : catalog.cards()) {
    cards.push_back(fmt::format("{} ({})", card.provider, card.origin));
  }
  std::string out = fmt::format("-- llmcost rate cards for {}: {}.\n", to_string(d), fmt::join(cards, ", "));
  out += "-- Generated by `llmcost rates export --format sql`; load it again after the cards change.\n"
         "-- llmcost_price prices the usage table as `llmcost estimate` does (see docs/warehouse.md).\n";
  if (needs_group_rounding(tables)) {
    out += "-- Note: a per-1M price here has more than 6 decimals. The view prices each row exactly (18\n"
           "-- decimals); the CLI rounds each group's cost once at 12 decimals (half to even), so sums may\n"
           "-- differ from `llmcost estimate` in the 12th decimal.\n";
  }
  if (d == SqlDialect::spark || d == SqlDialect::bigquery) {
    out += fmt::format("-- Not run by llmcost's test suite ({} is not available there); its SQL is checked by\n"
                       "-- golden tests only. The PostgreSQL and DuckDB forms are run and compared with the CLI.\n",
                       d == SqlDialect::spark ? "Spark" : "BigQuery");
  }
  out += "\n";
  if (transactional) {
    out += "BEGIN;\n\n";
  }
  // Re-runnable under views a user built on llmcost_price: PostgreSQL refuses
  // to drop what they depend on, so its tables (and DuckDB's) are emptied and
  // refilled; BigQuery replaces them; Spark, which tracks no view
  // dependencies, drops its parquet tables (REPLACE TABLE needs v2 tables).
  const std::string create = d == SqlDialect::bigquery ? "CREATE OR REPLACE TABLE"
                             : transactional           ? "CREATE TABLE IF NOT EXISTS"
                                                       : "CREATE TABLE";
  if (d == SqlDialect::spark) {
    for (const auto& table : tables) {
      out += fmt::format("DROP TABLE IF EXISTS {};\n", qualified(table.name));
    }
  }
  for (const auto& table : tables) {
    out += fmt::format("{}-- {}\n{} {} (\n", out.ends_with("\n\n") ? "" : "\n", table.comment, create,
                       qualified(table.name));
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      out += fmt::format("  {} {}{}\n", table.columns[i].name, sql_type(table.columns[i].type, d),
                         i + 1 < table.columns.size() ? "," : "");
    }
    out += d == SqlDialect::spark ? ") USING parquet;\n" : ");\n";
    if (transactional) {
      out += fmt::format("DELETE FROM {};\n", qualified(table.name));
    }
    for (std::size_t start = 0; start < table.rows.size(); start += k_rows_per_insert) {
      std::vector<std::string> names;
      for (const auto& column : table.columns) {
        names.push_back(column.name);
      }
      // Spark before 3.4 takes no column list; its VALUES follow the table's column order.
      out += d == SqlDialect::spark
                 ? fmt::format("INSERT INTO {} VALUES\n", qualified(table.name))
                 : fmt::format("INSERT INTO {} ({}) VALUES\n", qualified(table.name), fmt::join(names, ", "));
      const std::size_t end = std::min(table.rows.size(), start + k_rows_per_insert);
      for (std::size_t r = start; r < end; ++r) {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
          cells.push_back(sql_literal(table.rows[r][i], table.columns[i].type, d));
        }
        out += fmt::format("  ({}){}\n", fmt::join(cells, ", "), r + 1 < end ? "," : ";");
      }
    }
  }
  std::string usage = options.usage_table.empty() ? "" : quoted_name(options.usage_table, d);
  if (usage.empty()) {
    usage = qualified("llmcost_usage");
    out += "\n-- The usage to price: one normalised record per row (docs/warehouse.md); kept when it exists.\n";
    out += usage_table_sql(usage, d);
  }
  out += "\n-- Every usage row, priced; a row that cannot be priced has NULL costs and an unpriced_reason.\n";
  out += price_view_sql(d, qualified("llmcost_price"), qualified, usage);
  if (transactional) {
    out += "\nCOMMIT;\n";
  }
  return out;
}

std::vector<DbtFile> render_warehouse_dbt(const Catalog& catalog, SqlDialect dialect)
{
  const std::vector<ExportTable> tables = warehouse_tables(catalog);
  std::vector<DbtFile> files;
  std::string project = "# Generated by `llmcost rates export --format dbt`; export again after the cards change.\n"
                        "# The card tables are seeds (dbt seed), the view a model (dbt run); see\n"
                        "# docs/warehouse.md in llmcost.\n"
                        "name: llmcost\n"
                        "version: \"1.0.0\"\n"
                        "config-version: 2\n"
                        "profile: llmcost\n"
                        "seed-paths: [\"seeds\"]\n"
                        "model-paths: [\"models\"]\n"
                        "\n"
                        "seeds:\n"
                        "  llmcost:\n";
  // Exact types for every column: dbt would otherwise guess (floats for prices).
  for (const auto& table : tables) {
    project += fmt::format("    {}:\n      +column_types:\n", table.name);
    for (const auto& column : table.columns) {
      project += fmt::format("        {}: {}\n", column.name, sql_type(column.type, dialect));
    }
  }
  project += "\nmodels:\n  llmcost:\n    llmcost_price:\n      +materialized: view\n";
  files.push_back({"dbt_project.yml", project});
  for (const auto& table : tables) {
    files.push_back({"seeds/" + table.name + ".csv", render_warehouse_csv(catalog, table.name)});
  }
  files.push_back({"seeds/schema.yml",
                   "version: 2\n"
                   "\n"
                   "seeds:\n"
                   "  - name: llmcost_routes\n"
                   "    columns:\n"
                   "      - name: provider\n"
                   "        tests: [not_null, unique]\n"
                   "  - name: llmcost_models\n"
                   "    columns:\n"
                   "      - name: provider\n"
                   "        tests: [not_null, {relationships: {to: ref('llmcost_routes'), field: provider}}]\n"
                   "      - name: model_id\n"
                   "        tests: [not_null]\n"
                   "  - name: llmcost_model_names\n"
                   "    columns:\n"
                   "      - name: name\n"
                   "        tests: [not_null]\n"
                   "      - name: name_models\n"
                   "        tests: [not_null]\n"
                   "  - name: llmcost_prices\n"
                   "    columns:\n"
                   "      - name: provider\n"
                   "        tests: [not_null, {relationships: {to: ref('llmcost_routes'), field: provider}}]\n"
                   "      - name: model_id\n"
                   "        tests: [not_null]\n"
                   "      - name: effective_from\n"
                   "        tests: [not_null]\n"
                   "  - name: llmcost_media_tiers\n"
                   "    columns:\n"
                   "      - name: provider\n"
                   "        tests: [not_null]\n"});
  files.push_back({"models/sources.yml",
                   "version: 2\n"
                   "\n"
                   "# The usage to price, one normalised record per row (docs/warehouse.md). Point it\n"
                   "# at your table with vars: llmcost_usage_schema, llmcost_usage_table.\n"
                   "sources:\n"
                   "  - name: llmcost\n"
                   "    schema: \"{{ var('llmcost_usage_schema', target.schema) }}\"\n"
                   "    tables:\n"
                   "      - name: llmcost_usage\n"
                   "        identifier: \"{{ var('llmcost_usage_table', 'llmcost_usage') }}\"\n"});
  const std::string view = price_view_sql(
      dialect, "llmcost_price", [](const std::string& name) { return "{{ ref('" + name + "') }}"; },
      "{{ source('llmcost', 'llmcost_usage') }}");
  // The query of the CREATE VIEW, without its first line and final ";".
  std::string query = view.substr(view.find('\n') + 1);
  query.erase(query.rfind(';'));
  files.push_back({"models/llmcost_price.sql",
                   "-- Every usage row, priced as `llmcost estimate` prices it; a row that cannot be priced has\n"
                   "-- NULL costs and an unpriced_reason. Generated by `llmcost rates export --format dbt`.\n" +
                       query + "\n"});
  files.push_back({"models/llmcost_price_incremental.sql",
                   "-- llmcost_price as a table, for large usage tables: each run adds the rows newer than\n"
                   "-- the newest one priced. Rows that arrive late or undated, and price updates, need\n"
                   "-- `dbt run --full-refresh --select llmcost_price_incremental`.\n"
                   "{{ config(materialized='incremental', on_schema_change='fail') }}\n"
                   "SELECT * FROM {{ ref('llmcost_price') }}\n"
                   "{% if is_incremental() %}\n"
                   "WHERE usage_time > (SELECT MAX(usage_time) FROM {{ this }})\n"
                   "{% endif %}\n"});
  return files;
}

std::string render_warehouse_csv(const Catalog& catalog, std::string_view table)
{
  for (const auto& t : warehouse_tables(catalog)) {
    if (t.name != table && t.name != "llmcost_" + std::string(table)) {
      continue;
    }
    TextTable out;
    for (const auto& column : t.columns) {
      out.headers.push_back(column.name);
    }
    for (const auto& row : t.rows) {
      std::vector<std::string> cells;
      for (std::size_t i = 0; i < row.size(); ++i) {
        // An instant in ISO 8601 UTC, which loaders read as a timestamp.
        cells.push_back(!row[i] ? "" : t.columns[i].type == ColumnType::timestamp ? *row[i] + "T00:00:00Z" : *row[i]);
      }
      out.rows.push_back(std::move(cells));
    }
    return render_csv_table(out);
  }
  std::vector<std::string> names;
  for (const auto& name : table_names()) {
    names.push_back(name.substr(std::string_view("llmcost_").size()));
  }
  throw Error(Location{}, fmt::format("--table \"{}\" is not an exported table", table),
              fmt::format("one of: {}", fmt::join(names, ", ")));
}

} // namespace llmcost
