#pragma once
// Renders a Report as text: an aligned table, JSON, CSV or Markdown. No I/O.

#include "llmcost/output_format.hpp"
#include "llmcost/report.hpp"
#include "llmcost/text_sink.hpp"

#include <string>
#include <vector>

namespace llmcost {

class Catalog;

struct RenderOptions
{
  OutputFormat format = OutputFormat::table;
  int precision = 2;     // money decimals in table and markdown
  bool color = false;    // ANSI bold for headers and totals (tables only)
  std::string title;     // e.g. "estimate"
  bool chart = false;    // tables: bar charts after the table (cost over time; compare: per alternative)
  bool unicode = true;   // box and block characters; else ASCII
  std::size_t width = 0; // terminal columns for tables and charts; 0: unlimited (charts: 80)
  // HTML pages that say what they read (reconcile, budget): the inputs as
  // named on the command line, and the cards that priced them (null: the
  // page has no cards section).
  std::vector<std::string> inputs;
  const Catalog* catalog = nullptr;
};

// Table, JSON, CSV, Markdown or HTML (not FOCUS: reconcile's alone).
std::string render_report(const Report& report, const RenderOptions& options);
// The same text in pieces: JSON and CSV are written a row at a time, so
// a million groups cost their rows, not a second copy as text.
void render_report(const Report& report, const RenderOptions& options, const TextSink& sink);

// The record accounting lines ("records: 10 read, 9 priced, 1 rejected ...").
std::string render_record_summary(const Report& report);
// Whether render_report's `format` holds the record accounting (JSON's
// "records"); for the others, commands write render_record_summary to stderr.
bool report_holds_records(OutputFormat format);

// 1234567 -> "1,234,567"; fractional digits kept as given.
std::string group_thousands(const std::string& plain_number);
std::string format_quantity(Decimal value);
std::string format_money(Decimal value, int precision);
// A difference with its sign: "+1.50", "-0.25", and "0.00" when it rounds to zero.
std::string format_signed_money(Decimal value, int precision);

} // namespace llmcost
