// `llmcost models`: the bundled (and added) models with their prices.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "cli/terminal.hpp"
#include "llmcost/json_util.hpp"

#include "llmcost/catalog_view.hpp"
#include "llmcost/error.hpp"
#include "llmcost/group_by.hpp"

#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace llmcost::cli {

namespace {

struct ModelsOptions
{
  CommonOptions common;
  std::string kind;
};

std::string render_models(const TextTable& table, OutputFormat format, bool to_terminal)
{
  switch (format) {
  case OutputFormat::table:
    return render_aligned(table, terminal_columns(to_terminal));
  case OutputFormat::json: {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    // One key per models_table column, in its order.
    const std::array<const char*, 9> keys = {"provider", "model",       "kind",           "input", "cached_input",
                                             "output",   "other_price", "context_window", "status"};
    for (const auto& row : table.rows) {
      nlohmann::ordered_json r;
      for (std::size_t i = 0; i < row.size() && i < keys.size(); ++i) {
        r[keys[i]] = row[i];
      }
      rows.push_back(r);
    }
    return dump_json(nlohmann::ordered_json{{"models", rows}});
  }
  case OutputFormat::csv:
    return render_csv_table(table);
  case OutputFormat::markdown:
    return render_markdown_table(table);
  case OutputFormat::html:
  case OutputFormat::focus:
    break;
  }
  format_not_offered(format, "models");
}

void run_models(const ModelsOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  if (!o.common.provider.empty() && catalog.find_card(o.common.provider) == nullptr) {
    const auto routes = catalog.routes();
    throw Error(Location{}, "--provider: unknown route \"" + o.common.provider + "\"",
                or_list({routes.begin(), routes.end()}));
  }
  const TextTable table =
      models_table(catalog, o.common.provider, o.kind.empty() ? std::nullopt : parse_model_kind(o.kind));
  emit(o.common, context,
       render_models(table, output_format(o.common), context.stdout_is_tty && o.common.output.empty()));
}

} // namespace

void setup_models(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<ModelsOptions>();
  cmd.add_option("--pricing", options->common.pricing_paths, "Rate card FILE or DIR to add or override (repeatable)");
  cmd.add_option("--provider", options->common.provider,
                 fmt::format("Only this route ({})", fmt::join(bundled_routes(), ", ")));
  cmd.add_option("--kind", options->kind, "Only this kind of model")
      ->check(CLI::IsMember({"chat", "image", "video", "audio", "tts", "music", "voice"}));
  add_output_options(cmd, options->common);
  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    run_models(*options, context);
  });
}

} // namespace llmcost::cli
