// `llmcost rates show|validate|diff|export`: inspect, check, compare and export rate cards.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "llmcost/json_util.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/warehouse_export.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace llmcost::cli {

namespace {

struct RatesOptions
{
  CommonOptions common;
  std::vector<std::string> show_names;
  std::vector<std::string> validate_files;
  std::string diff_old;
  std::string diff_new;
  std::string export_format = "sql";
  std::string dialect;
  std::string table = "prices";
  std::string schema;
  std::string usage_table;
};

void run_show(const RatesOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  const OutputFormat format = output_format(o.common);
  std::string text;
  std::vector<std::string> names = o.show_names;
  if (names.empty()) {
    for (const auto& card : catalog.cards()) {
      names.push_back(card.provider);
    }
  }
  for (const auto& name : names) {
    if (!text.empty() && format != OutputFormat::json) {
      text += "\n";
    }
    if (const Card* card = catalog.find_card(name)) {
      text += render_card_summary(*card, format);
      continue;
    }
    ResolveFailure failure;
    if (auto found = catalog.resolve(name, "", o.common.provider, failure)) {
      text += render_model_rates(*found->card, *found->model, format);
      continue;
    }
    // A model the card leaves out on purpose is explained, not an error.
    if (const auto [card, entry] = catalog.find_not_carried(name, ""); entry != nullptr) {
      text += render_not_carried(*card, *entry, format);
      continue;
    }
    throw Error(Location{}, failure.problem, failure.expected);
  }
  emit(o.common, context, text);
}

void run_validate(const RatesOptions& o, Context& context)
{
  bool all_ok = true;
  std::string text;
  for (const auto& file : o.validate_files) {
    const CardLoad load = load_card(file == "-" ? read_file(file) : read_card_file(file), file);
    if (load.card) {
      text += fmt::format("{}: ok: provider {}, {} models, effective from {}\n", file, load.card->provider,
                          load.card->models.size(), format_date(load.card->effective_from));
      continue;
    }
    all_ok = false;
    context.err << fmt::format("llmcost: error: {}: not a valid rate card ({} problem{})\n", file, load.problems.size(),
                               load.problems.size() == 1 ? "" : "s");
    for (const auto& p : load.problems) {
      context.err << "  " << (p.where.empty() ? p.message : p.where + ": " + p.message) << "\n";
    }
  }
  emit(o.common, context, text);
  if (!all_ok) {
    context.exit_code = 2;
  }
}

Card card_from(const std::string& name, const Catalog& catalog)
{
  std::error_code ec;
  if (std::filesystem::is_regular_file(name, ec) || name == "-") {
    CardLoad load = load_card(name == "-" ? read_file(name) : read_card_file(name), name);
    if (!load.card) {
      const auto& p = load.problems.front();
      throw Error(fmt::format("{}: not a valid rate card: {}{} (run `llmcost rates validate {}`)", name,
                              p.where.empty() ? "" : p.where + ": ", p.message, name));
    }
    return *load.card;
  }
  if (const Card* card = catalog.find_card(name)) {
    return *card;
  }
  throw Error(Location{name}, "neither a rate card file nor a loaded route",
              fmt::format("a card FILE, or {}", fmt::join(catalog.routes(), " / ")));
}

// CSV and JSON list the changes, none or many; the table and Markdown say
// when there are none.
std::string render_changes(const std::vector<CardChange>& changes, const RatesOptions& o, OutputFormat format)
{
  TextTable table;
  table.headers = {"model", "change"};
  for (const auto& c : changes) {
    table.rows.push_back({c.model.empty() ? "(card)" : c.model, c.what});
  }
  const std::string none = fmt::format("no price changes between {} and {}\n", o.diff_old, o.diff_new);
  switch (format) {
  case OutputFormat::table:
    return changes.empty() ? none : render_aligned(table);
  case OutputFormat::json: {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : changes) {
      list.push_back({{"model", c.model}, {"change", c.what}});
    }
    return dump_json(nlohmann::ordered_json{{"old", o.diff_old}, {"new", o.diff_new}, {"changes", list}});
  }
  case OutputFormat::csv:
    return render_csv_table(table);
  case OutputFormat::markdown:
    return changes.empty() ? none : render_markdown_table(table);
  case OutputFormat::html:
  case OutputFormat::focus:
    break;
  }
  format_not_offered(format, "rates diff");
}

// Another tool's price list read as a card of `like`'s route, or nullopt:
// a LiteLLM-style map (a JSON object) or genai-prices provider data (a JSON
// array), told apart by their shape.
std::optional<ForeignCard> foreign_card_from(const std::string& name, const Card& like)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(name, ec)) {
    return std::nullopt;
  }
  const std::string text = read_card_file(name);
  if (auto map = card_from_price_map(text, name, like)) {
    return ForeignCard{std::move(*map), "not in the price map", true, {}, {}};
  }
  return card_from_genai_prices(text, name, like);
}

void run_diff(const RatesOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  // One side may be another tool's price list (LiteLLM's map, genai-prices'
  // data): it is read as a card of the other side's route.
  std::optional<Card> before;
  std::optional<Card> after;
  std::optional<ForeignCard> foreign;
  bool new_is_foreign = false;
  try {
    before = card_from(o.diff_old, catalog);
  } catch (const Error&) {
    after = card_from(o.diff_new, catalog);
    foreign = foreign_card_from(o.diff_old, *after);
    if (!foreign) {
      throw;
    }
    before = foreign->card;
  }
  if (!after) {
    try {
      after = card_from(o.diff_new, catalog);
    } catch (const Error&) {
      foreign = foreign_card_from(o.diff_new, *before);
      if (!foreign) {
        throw;
      }
      after = foreign->card;
      new_is_foreign = true;
    }
  }
  std::vector<CardChange> changes = diff_cards(*before, *after, !foreign || foreign->compare_batch);
  if (foreign) {
    // A model the list has but could not compare is explained in its notes,
    // not reported as missing.
    std::erase_if(changes, [&](const CardChange& c) {
      return std::find(foreign->listed_uncompared.begin(), foreign->listed_uncompared.end(), c.model) !=
                 foreign->listed_uncompared.end() &&
             (c.what == "removed" || c.what.starts_with("added: "));
    });
    for (auto& change : changes) {
      if (new_is_foreign && change.what == "removed") {
        change.what = foreign->missing;
      }
    }
    // Agreement is news too when the other side is the community's list.
    std::vector<std::string> agree;
    for (const Model& model : after->models) {
      const bool changed =
          std::any_of(changes.begin(), changes.end(), [&](const CardChange& c) { return c.model == model.id; });
      if (!changed && before->find_model(model.id) != nullptr) {
        agree.push_back(model.id);
      }
    }
    if (!agree.empty()) {
      changes.push_back({"", fmt::format("no difference ({} model{}): {}", agree.size(), agree.size() == 1 ? "" : "s",
                                         fmt::join(agree, ", "))});
    }
    changes.insert(changes.end(), foreign->not_compared.begin(), foreign->not_compared.end());
  }
  emit(o.common, context, render_changes(changes, o, output_format(o.common)));
}

// The project's files under -o DIR (created; files there are replaced).
void write_dbt_project(const RatesOptions& o, const std::vector<DbtFile>& files)
{
  if (o.common.output.empty() || o.common.output == "-") {
    throw Error(Location{}, "--format dbt writes a directory", "-o DIR");
  }
  if (!o.schema.empty() || !o.usage_table.empty()) {
    throw Error(Location{}, "--format dbt takes no --schema or --usage-table",
                "the dbt profile's schema, and the vars llmcost_usage_schema / llmcost_usage_table");
  }
  const std::filesystem::path root(o.common.output);
  for (const DbtFile& file : files) {
    const std::filesystem::path path = root / file.path;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.text;
    out.close();
    if (ec || !out) {
      throw Error(Location{}, fmt::format("cannot write {}", path.string()), "a writable -o DIR");
    }
  }
}

void run_export(const RatesOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  if (o.export_format == "csv") {
    emit(o.common, context, render_warehouse_csv(catalog, o.table));
    return;
  }
  if (o.dialect.empty()) {
    throw Error(Location{}, fmt::format("--format {} needs --dialect", o.export_format),
                "--dialect duckdb, postgres, spark or bigquery");
  }
  const auto dialect = parse_sql_dialect(o.dialect);
  if (!dialect) {
    throw Error(Location{}, fmt::format("unknown --dialect \"{}\"", o.dialect),
                "one of: duckdb, postgres, spark, bigquery");
  }
  if (o.export_format == "dbt") {
    write_dbt_project(o, render_warehouse_dbt(catalog, *dialect));
    return;
  }
  emit(o.common, context, render_warehouse_sql(catalog, WarehouseOptions{*dialect, o.schema, o.usage_table}));
}

} // namespace

void setup_rates(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<RatesOptions>();
  cmd.require_subcommand(1);

  CLI::App* show = cmd.add_subcommand("show", "Show a model's prices (with sources and notes) or a route's card");
  show->add_option("names", options->show_names, "MODEL (id, alias, provider/id) or PROVIDER; default: every card");
  add_pricing_options(*show, options->common);
  add_output_options(*show, options->common, {OutputFormat::table, OutputFormat::json});
  show->callback([options, &context]() {
    apply_config(options->common, context);
    run_show(*options, context);
  });

  CLI::App* validate = cmd.add_subcommand("validate", "Check rate card files and explain every problem");
  validate->add_option("files", options->validate_files, "Rate card JSON files")->required();
  validate->callback([options, &context]() {
    apply_config(options->common, context);
    run_validate(*options, context);
  });

  CLI::App* diff = cmd.add_subcommand("diff", "What changed between two rate cards");
  diff->add_option("old", options->diff_old,
                   "Old card: FILE or a loaded PROVIDER; one side may be LiteLLM's price map or genai-prices data")
      ->required();
  diff->add_option("new", options->diff_new,
                   "New card: FILE or a loaded PROVIDER; one side may be LiteLLM's price map or genai-prices data")
      ->required();
  add_pricing_options(*diff, options->common);
  add_output_options(*diff, options->common);
  diff->callback([options, &context]() {
    apply_config(options->common, context);
    run_diff(*options, context);
  });

  CLI::App* exp = cmd.add_subcommand(
      "export", "The rate cards as warehouse tables plus the llmcost_price view (SQL), or one table as CSV");
  exp->add_option("--format", options->export_format,
                  "sql (DDL, INSERTs and the view), csv (one table) or dbt (a dbt project in -o DIR)")
      ->check(CLI::IsMember({"sql", "csv", "dbt"}))
      ->capture_default_str();
  exp->add_option("--dialect", options->dialect, "SQL dialect: duckdb, postgres, spark or bigquery");
  exp->add_option("--table", options->table,
                  "Table for --format csv: routes, models, model_names, prices or media_tiers")
      ->capture_default_str();
  exp->add_option("--schema", options->schema,
                  "Create every object in this schema or dataset (e.g. analytics, my-project-123.finance)");
  exp->add_option("--usage-table", options->usage_table,
                  "Table or view the llmcost_price view reads (default llmcost_usage, created when missing)");
  exp->add_option("--pricing", options->common.pricing_paths,
                  "Rate card FILE or DIR to add or override (repeatable; also LLMCOST_PRICING_PATH)");
  exp->add_option("-o,--output", options->common.output,
                  "Write the output to FILE instead of standard output (--format dbt: the project DIR)");
  exp->callback([options, &context]() {
    apply_config(options->common, context);
    run_export(*options, context);
  });
}

} // namespace llmcost::cli
