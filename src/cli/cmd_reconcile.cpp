// `llmcost reconcile`: re-price a provider export line by line and explain every variance.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "cli/inputs.hpp"

#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/files.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/reconcile.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmcost::cli {

namespace {

struct ReconcileCommandOptions
{
  CommonOptions common;
  UsageInputOptions usage;
  std::vector<std::string> inputs;
  std::string tolerance = "0";
  std::string tolerance_pct;
  std::string invoice_total;
  std::string invoice_tolerance = "0";
  std::string invoice_file;
  int billed_precision = -1;
  bool require_billed = false;
  std::size_t top = 20;
};

void run_reconcile(const ReconcileCommandOptions& o, Context& context)
{
  const Catalog catalog = load_catalog(o.common);
  ReconcileOptions options;
  if (!o.common.by.empty()) {
    options.group_by = parse_group_by(o.common.by);
  }
  options.provider_hint = o.common.provider;
  options.model_mapping = model_mapping(o.usage, o.inputs, catalog, user_config(context), o.common.provider);
  options.strict = !o.usage.allow_rejects;
  options.show_rejects = o.usage.show_rejects;
  options.require_billed = o.require_billed;
  const DateWindow window = date_window(o.usage);
  options.since = window.since;
  options.until = window.until;
  options.tz_offset_seconds = tz_flag(o.usage.tz);
  options.tolerance = number_flag(o.tolerance, "--tolerance", NumberKind::amount).value_or(Decimal{});
  options.tolerance_pct = number_flag(o.tolerance_pct, "--tolerance-pct", NumberKind::percent);
  if (const auto total = number_flag(o.invoice_total, "--invoice-total", NumberKind::amount)) {
    options.invoice_total = InvoiceAmount{*total, invoice_places(o.invoice_total)};
  }
  options.invoice_tolerance =
      number_flag(o.invoice_tolerance, "--invoice-tolerance", NumberKind::amount).value_or(Decimal{});
  if (!o.invoice_file.empty()) {
    options.invoice_lines = read_invoice_lines(read_file(o.invoice_file), o.invoice_file, o.usage.decimal_comma);
  }
  if (o.billed_precision >= 0) {
    options.billed_precision = o.billed_precision;
  }
  if (o.inputs.empty()) {
    throw Error(Location{}, "nothing to reconcile", "a usage export FILE (CSV or JSONL) with billed amounts");
  }
  RenderOptions render = render_options(o.common, context, "reconcile");
  render.inputs = o.inputs; // the HTML page names what it read
  render.catalog = &catalog;
  options.focus = render.format == OutputFormat::focus;
  Reconciler reconciler(catalog, options);
  read_inputs(o.inputs, o.usage, reconciler, nullptr, context.err);
  // Rows flagged as repeating a request id were matched by fingerprint: the
  // inputs are read again to confirm each by its text (only when some were).
  if (!reconciler.repeated_id_prints().empty()) {
    if (std::find(o.inputs.begin(), o.inputs.end(), "-") != o.inputs.end()) {
      reconciler.note("repeated request ids were matched by 96-bit fingerprints, not confirmed by their text "
                      "(standard input cannot be read twice)");
    } else {
      RepeatedIdCheck check(reconciler.repeated_id_prints());
      UsageInputOptions again = o.usage;
      again.explain = false;
      read_inputs(o.inputs, again, check, nullptr, context.err);
      check.confirm();
    }
  }
  const ReconcileResult result = reconciler.finish();
  const bool failed = rejections_fail(result.records, o.usage);
  // Exit 1 (differences found) still writes the disputes; a failed run (2)
  // leaves an --output FILE as it was.
  if (failed && writes_to_file(o.common)) {
    context.err << fmt::format("llmcost: error: {}; {} not written\n", rejections_message(result.records, o.usage),
                               o.common.output);
    context.exit_code = 2;
    return;
  }
  emit(o.common, context, render_reconcile(result, render, o.top));
  if (failed) {
    context.err << fmt::format("llmcost: error: {}\n", rejections_message(result.records, o.usage));
    context.exit_code = 2;
  } else if (!result.failures.empty()) {
    context.exit_code = 1;
  }
}

} // namespace

void setup_reconcile(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<ReconcileCommandOptions>();
  cmd.add_option("inputs", options->inputs,
                 "Usage exports with billed amounts (CSV or JSONL; directories; - for stdin)");
  add_pricing_options(cmd, options->common);
  add_output_options(cmd, options->common,
                     {OutputFormat::table, OutputFormat::json, OutputFormat::csv, OutputFormat::markdown,
                      OutputFormat::html, OutputFormat::focus});
  cmd.add_option("--by", options->common.by,
                 fmt::format("Break the variance down by: {}", fmt::join(group_by_names(k_group_usage, false), ", ")));
  cmd.add_option("--tolerance", options->tolerance, "Allowed difference in USD, per line and on the total")
      ->capture_default_str();
  cmd.add_option("--tolerance-pct", options->tolerance_pct, "Allowed difference in percent of expected (0.5 or 0.5%)");
  cmd.add_option("--invoice-total", options->invoice_total,
                 "The invoice's total, checked against the export's billed sum rounded half-up to the decimals it "
                 "is written with (at least cents)");
  cmd.add_option("--invoice-tolerance", options->invoice_tolerance,
                 "Allowed difference in USD on each invoice line and the invoice total (not --tolerance)")
      ->capture_default_str();
  cmd.add_option("--invoice", options->invoice_file,
                 "Invoice lines (CSV: model or line_item, amount) checked against the export per model");
  cmd.add_option("--billed-precision", options->billed_precision,
                 "Decimals the billed amounts were rounded to (default: as each amount is written)")
      ->check(CLI::Range(0, 11));
  cmd.add_flag("--require-billed", options->require_billed,
               "Fail (exit 2) on a row without a billed amount instead of leaving it unchecked");
  cmd.add_option("--top", options->top, "How many of the largest discrepancies the table lists")->capture_default_str();
  add_usage_input_options(cmd, options->usage, true);
  add_model_mapping_options(cmd, options->usage);
  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    run_reconcile(*options, context);
  });
}

} // namespace llmcost::cli
