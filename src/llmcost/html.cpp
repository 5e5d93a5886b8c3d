#include "llmcost/html.hpp"

#include "llmcost/catalog.hpp"
#include "llmcost/date.hpp"
#include "llmcost/render.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llmcost {

std::string html_escape(const std::string& text)
{
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string html_page(const std::string& title, const std::string& body)
{
  // System fonts only: nothing is fetched when the file is opened. Print:
  // A4, tables wrap to the page's width instead of scrolling (a scrolled box
  // would print cut), headers repeat on each page, rows and charts whole; a
  // section that breaks the page (a wide table) prints in landscape.
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"llmcost\">\n"
         "<title>" +
         html_escape(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:72rem;"
         "padding:0 1rem;color:#1f2328;background:#fff;line-height:1.4}\n"
         "h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin:0 0 .5rem}\n"
         "section{margin-top:2rem}\n"
         "p.sub{color:#59636e;margin-top:0}\n"
         "dl.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.75rem;"
         "margin:1rem 0}\n"
         "dl.summary div{border:1px solid #d1d9e0;border-radius:6px;padding:.5rem .75rem}\n"
         "dl.summary dt{color:#59636e;font-size:.8rem}\n"
         "dl.summary dd{margin:0;font-size:1.15rem;font-weight:600;font-variant-numeric:tabular-nums;"
         "overflow-wrap:anywhere}\n"
         "dl.summary div.fail{border:2px solid #D55E00}dl.summary div.pass{border:2px solid #009E73}\n"
         "p.verdict{padding:.6rem .9rem;border-radius:6px;font-weight:600;border:2px solid}\n"
         "p.verdict.pass{border-color:#009E73;background:#e8f6f1}p.verdict.fail{border-color:#D55E00;"
         "background:#fbede4}\n"
         ".scroll{overflow:auto;width:fit-content;max-width:100%;max-height:36rem;margin:1rem 0;"
         "border:1px solid #d1d9e0;border-radius:6px}\n"
         "table{border-collapse:collapse;font-size:.9rem}\n"
         "th,td{padding:.3rem .7rem;border-bottom:1px solid #d1d9e0;vertical-align:top;white-space:nowrap}\n"
         "td.wrap{white-space:normal;min-width:10rem}\n"
         "th{text-align:left;background:#f6f8fa;border-bottom:2px solid #d1d9e0;position:sticky;top:0}\n"
         "th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
         "td[title]{text-decoration:underline dotted #8c959f}\n"
         "tr.total td{font-weight:600;border-top:2px solid #59636e}\n"
         "svg{display:block;margin:1rem 0;max-width:100%;height:auto}\n"
         "svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1f2328}\n"
         "svg .bar{fill:#0072B2}svg .axis{stroke:#59636e}svg .limit{stroke:#1f2328;stroke-width:2}\n"
         "svg .track{fill:#eaeef2}\n"
         "ul.notes{color:#59636e;font-size:.9rem}\n"
         "ul.cards ul{font-size:.85rem;color:#59636e}code{overflow-wrap:anywhere}\n"
         "@page{size:A4;margin:14mm}@page wide{size:A4 landscape;margin:12mm}\n"
         "@media print{\n"
         "body{max-width:none;margin:0;padding:0;font-size:10pt}\n"
         "section{margin-top:1.2rem}section.break{break-before:page;page:wide}\n"
         "h1,h2{break-after:avoid}\n"
         ".scroll{overflow:visible;max-height:none;border:0}\n"
         "table{width:100%;font-size:7.5pt}\n"
         "th,td{white-space:normal;overflow-wrap:break-word;padding:.15rem .3rem}td.wrap{min-width:0}\n"
         "td.num{white-space:nowrap}\n"
         "th{position:static}thead{display:table-header-group}\n"
         "tr,svg,dl.summary div,p.verdict{break-inside:avoid}\n"
         "td[title]{text-decoration:none}\n"
         "*{print-color-adjust:exact;-webkit-print-color-adjust:exact}\n"
         "}\n"
         "</style>\n</head>\n<body>\n" +
         body + "</body>\n</html>\n";
}

std::string html_section(const std::string& heading, const std::string& content, bool page_break)
{
  return std::string(page_break ? "<section class=\"break\">\n" : "<section>\n") + "<h2>" + html_escape(heading) +
         "</h2>\n" + content + "</section>\n";
}

std::string html_notes(const std::vector<std::string>& notes)
{
  if (notes.empty()) {
    return {};
  }
  std::string out = "<ul class=\"notes\">\n";
  for (const auto& note : notes) {
    out += "<li>" + html_escape(note) + "</li>\n";
  }
  return out + "</ul>\n";
}

std::string html_summary(const std::vector<SummaryItem>& items)
{
  std::string out = "<dl class=\"summary\">\n";
  for (const auto& item : items) {
    out += item.tone.empty() ? "<div>" : "<div class=\"" + html_escape(item.tone) + "\">";
    out += "<dt>" + html_escape(item.label) + "</dt><dd";
    if (!item.exact.empty() && item.exact != item.value) {
      out += " title=\"" + html_escape(item.exact) + "\"";
    }
    out += ">" + html_escape(item.value) + "</dd></div>\n";
  }
  return out + "</dl>\n";
}

std::string html_verdict(bool pass, const std::string& text)
{
  return fmt::format("<p class=\"verdict {}\">{}</p>\n", pass ? "pass" : "fail", html_escape(text));
}

std::string html_table(const TextTable& table, bool totals_row, const CellTitles& titles, const std::vector<bool>& wrap)
{
  auto numeric = [&](std::size_t i) { return i < table.numeric.size() && table.numeric[i]; };
  auto wraps = [&](std::size_t i) { return i < wrap.size() && wrap[i]; };
  auto title = [&](std::size_t r, std::size_t i) -> std::string {
    if (r >= titles.size() || i >= titles[r].size() || titles[r][i].empty() || titles[r][i] == table.rows[r][i]) {
      return {};
    }
    return " title=\"" + html_escape(titles[r][i]) + "\"";
  };
  std::string out = "<div class=\"scroll\"><table>\n<thead><tr>";
  for (std::size_t i = 0; i < table.headers.size(); ++i) {
    out += numeric(i) ? "<th class=\"num\">" : "<th>";
    out += html_escape(table.headers[i]) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const bool total = totals_row && r + 1 == table.rows.size();
    out += total ? "<tr class=\"total\">" : "<tr>";
    for (std::size_t i = 0; i < table.rows[r].size(); ++i) {
      out += numeric(i) ? "<td class=\"num\"" : wraps(i) ? "<td class=\"wrap\"" : "<td";
      out += title(r, i) + ">" + html_escape(table.rows[r][i]) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
}

namespace {

Decimal largest(const BarChart& chart)
{
  Decimal max;
  for (const auto& bar : chart.bars) {
    max = std::max(max, bar.value);
  }
  return max;
}

Decimal magnitude(Decimal value)
{
  return value.is_negative() ? -value : value;
}

// An SVG element of this size, titled (for screen readers and on the page).
std::string svg_start(std::size_t width, std::size_t height, const std::string& title)
{
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
                     "role=\"img\" aria-label=\"{}\">\n<text x=\"0\" y=\"16\" font-weight=\"600\">{}</text>\n",
                     width, height, width, height, html_escape(title), html_escape(title));
}

// A label's width in pixels at 12px, near enough to lay out a legend.
std::size_t text_pixels(const std::string& text)
{
  return display_width(text) * 7;
}

} // namespace

std::string svg_bar_chart(const BarChart& chart, int precision, std::size_t coloured)
{
  constexpr std::size_t label_width = 260;
  constexpr std::size_t bar_space = 420;
  constexpr std::size_t row = 24;
  const std::size_t height = 30 + row * chart.bars.size() + 10;
  const std::size_t width = label_width + bar_space + 110;
  const Decimal max = largest(chart);
  std::string out = svg_start(width, height, chart.title);
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    const std::size_t y = 30 + i * row;
    const std::size_t length = bar_units(bar.value, max, bar_space, 1);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_width - 8, y + 16,
                       html_escape(elide(bar.label, 34)));
    const std::string_view fill = coloured == 0  ? k_palette[0]
                                  : i < coloured ? k_palette[i % k_palette.size()]
                                                 : k_other_colour;
    out += fmt::format("<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\n",
                       fill, label_width, y + 3, std::max<std::size_t>(length, bar.value.is_zero() ? 0 : 1), row - 6,
                       html_escape(bar.label), bar.value.to_exact_string(2));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label_width + length + 6, y + 16,
                       format_money(bar.value, precision));
  }
  return out + "</svg>\n";
}

std::string svg_signed_bar_chart(const BarChart& chart, int precision)
{
  constexpr std::size_t label_width = 260;
  constexpr std::size_t half = 200; // each side of zero
  constexpr std::size_t row = 24;
  const std::size_t height = 30 + row * chart.bars.size() + 10;
  const std::size_t zero = label_width + half;
  const std::size_t width = zero + half + 120;
  Decimal max;
  for (const auto& bar : chart.bars) {
    max = std::max(max, magnitude(bar.value));
  }
  std::string out = svg_start(width, height, chart.title);
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"24\" x2=\"{}\" y2=\"{}\"/>\n", zero, zero, height - 6);
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    const std::size_t y = 30 + i * row;
    const std::size_t length =
        std::max<std::size_t>(bar_units(magnitude(bar.value), max, half, 1), bar.value.is_zero() ? 0 : 1);
    const bool under = bar.value.is_negative();
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_width - 8, y + 16,
                       html_escape(elide(bar.label, 34)));
    out += fmt::format("<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\n",
                       under ? k_under_colour : k_over_colour, under ? zero - length : zero, y + 3, length, row - 6,
                       html_escape(bar.label), bar.value.to_exact_string(2));
    // The figure in its own column, sign written: colour is never the only cue.
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", width - 4, y + 16,
                       format_signed_money(bar.value, precision));
  }
  return out + "</svg>\n";
}

std::string svg_limit_bar(const std::string& title, Decimal spent, Decimal limit, int precision)
{
  constexpr std::size_t left = 10;
  constexpr std::size_t span = 640;
  constexpr std::size_t top = 50;
  constexpr std::size_t bar_height = 28;
  const Decimal scale = std::max(spent, limit);
  const std::size_t width = left + span + 130;
  const std::size_t height = top + bar_height + 34;
  const std::size_t limit_x = left + bar_units(limit, scale, span, 1);
  const std::size_t spent_len = bar_units(spent, scale, span, 1);
  const std::size_t within = std::min(spent_len, limit_x - left);
  std::string out = svg_start(width, height, title);
  out += fmt::format("<rect class=\"track\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", left, top, span,
                     bar_height);
  out += fmt::format("<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>spend: {}</title></rect>\n",
                     k_palette[0], left, top, within, bar_height, spent.to_exact_string(2));
  if (spent_len > within) {
    out += fmt::format(
        "<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>over the limit: {}</title></rect>\n",
        k_over_colour, left + within, top, spent_len - within, bar_height, (spent - limit).to_exact_string(2));
  }
  out += fmt::format("<line class=\"limit\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", limit_x, top - 8, limit_x,
                     top + bar_height + 8);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">limit {}</text>\n", limit_x, top - 12,
                     limit_x > left + span / 2 ? "end" : "start", format_money(limit, precision));
  out += fmt::format("<text x=\"{}\" y=\"{}\">spend {}</text>\n", left + span + 8, top + 19,
                     format_money(spent, precision));
  return out + "</svg>\n";
}

std::string svg_column_chart(const BarChart& chart, int precision)
{
  StackedChart one;
  one.title = chart.title;
  one.series = {"total"};
  one.values.emplace_back();
  for (const auto& bar : chart.bars) {
    one.columns.push_back(bar.label);
    one.values[0].push_back(bar.value);
  }
  return svg_stacked_column_chart(one, precision);
}

StackedChart stack_top(const std::string& title, const std::map<std::string, std::map<std::string, Decimal>>& sums,
                       std::size_t top)
{
  StackedChart chart;
  chart.title = title;
  std::map<std::string, Decimal> per_column;
  std::vector<std::pair<std::string, Decimal>> totals;
  for (const auto& [series, columns] : sums) {
    Decimal total;
    for (const auto& [column, value] : columns) {
      total += value;
      per_column[column];
    }
    totals.emplace_back(series, total);
  }
  // Ordered by name already: a stable sort keeps ties that way.
  std::stable_sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [column, unused] : per_column) {
    chart.columns.push_back(column);
  }
  const bool fold = totals.size() > top + 1; // one left over is shown by name, not as "other"
  for (std::size_t i = 0; i < totals.size(); ++i) {
    const bool other = fold && i >= top;
    if (!other || i == top) {
      chart.series.push_back(other ? "other" : totals[i].first);
      chart.values.emplace_back(chart.columns.size());
    }
    std::vector<Decimal>& into = chart.values.back();
    const auto& columns = sums.at(totals[i].first);
    for (std::size_t c = 0; c < chart.columns.size(); ++c) {
      if (auto found = columns.find(chart.columns[c]); found != columns.end()) {
        into[c] += found->second;
      }
    }
  }
  return chart;
}

std::string svg_stacked_column_chart(const StackedChart& chart, int precision)
{
  constexpr std::size_t left = 70;
  constexpr std::size_t top = 30;
  constexpr std::size_t plot_height = 240;
  const std::size_t count = std::max<std::size_t>(chart.columns.size(), 1);
  const std::size_t slot = std::clamp<std::size_t>(720 / count, 6, 60);
  const std::size_t base = top + plot_height;
  // Legend rows under the rotated labels; one row for a single series is not needed.
  const bool legend = chart.series.size() > 1;
  constexpr std::size_t legend_width = 780;
  std::vector<std::pair<std::size_t, std::size_t>> legend_at; // x, row
  std::size_t x = 0;
  std::size_t rows = 0;
  for (const auto& name : chart.series) {
    const std::size_t w = 22 + text_pixels(elide(name, 40)) + 18;
    if (x > 0 && x + w > legend_width) {
      x = 0;
      ++rows;
    }
    legend_at.emplace_back(x, rows);
    x += w;
  }
  const std::size_t legend_top = base + 80;
  const std::size_t width = std::max(left + slot * count + 20, legend ? legend_width : 0);
  const std::size_t height = legend_top + (legend ? (rows + 1) * 20 + 6 : 0);
  std::vector<Decimal> column_totals(chart.columns.size());
  for (const auto& series : chart.values) {
    for (std::size_t c = 0; c < series.size() && c < column_totals.size(); ++c) {
      column_totals[c] += series[c];
    }
  }
  Decimal max;
  for (const Decimal& total : column_totals) {
    max = std::max(max, total);
  }
  auto colour = [&](std::size_t s) {
    return chart.series[s] == "other" && s + 1 == chart.series.size() && s > 0 ? k_other_colour
                                                                               : k_palette[s % k_palette.size()];
  };
  std::string out = svg_start(width, height, chart.title);
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", left, base,
                     left + slot * count + 10, base);
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", left, top, left, base);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6, top + 4,
                     format_money(max, precision));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n", left - 6, base + 4);
  // Label every column when they fit, else about twelve of them.
  const std::size_t label_every = std::max<std::size_t>(1, (chart.columns.size() + 11) / 12);
  for (std::size_t c = 0; c < chart.columns.size(); ++c) {
    const std::size_t cx = left + c * slot + slot / 8;
    const std::size_t w = slot - slot / 4;
    // Heights from the running sums, so the segments meet and the column's
    // height is its total's, whatever the rounding of each segment.
    Decimal below;
    for (std::size_t s = 0; s < chart.values.size(); ++s) {
      const Decimal value = c < chart.values[s].size() ? chart.values[s][c] : Decimal{};
      if (value.is_zero()) {
        continue;
      }
      const std::size_t y0 = bar_units(below, max, plot_height, 1);
      below += value;
      const std::size_t y1 = std::max(bar_units(below, max, plot_height, 1), y0 + 1);
      const std::string what = chart.series.size() > 1 ? chart.columns[c] + ", " + chart.series[s] : chart.columns[c];
      out +=
          fmt::format("<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\n",
                      colour(s), cx, base - y1, w, y1 - y0, html_escape(what), value.to_exact_string(2));
    }
    if (c % label_every == 0) {
      const std::size_t mid = cx + w / 2;
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-45 {} {})\">{}</text>\n", mid,
                         base + 14, mid, base + 14, html_escape(chart.columns[c]));
    }
  }
  if (legend) {
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const auto [lx, row] = legend_at[s];
      const std::size_t ly = legend_top + row * 20;
      Decimal total;
      for (const Decimal& v : chart.values[s]) {
        total += v;
      }
      out += fmt::format("<rect fill=\"{}\" x=\"{}\" y=\"{}\" width=\"14\" height=\"14\"><title>{}: {}</title></rect>"
                         "<text x=\"{}\" y=\"{}\">{}</text>\n",
                         colour(s), lx, ly, html_escape(chart.series[s]), total.to_exact_string(2), lx + 20, ly + 12,
                         html_escape(elide(chart.series[s], 40)));
    }
  }
  return out + "</svg>\n";
}

std::string html_file_list(const std::vector<std::string>& inputs)
{
  if (inputs.empty()) {
    return {};
  }
  std::string out = "<ul>\n";
  for (const auto& input : inputs) {
    out += "<li><code>" + html_escape(input) + "</code></li>\n";
  }
  return out + "</ul>\n";
}

std::string html_cards(const Catalog& catalog, const std::vector<std::string>& routes)
{
  std::string out = "<p>Rate cards:</p>\n<ul class=\"cards\">\n";
  for (const Card& card : catalog.cards()) {
    if (!routes.empty() && std::find(routes.begin(), routes.end(), card.provider) == routes.end()) {
      continue;
    }
    out += fmt::format("<li><b>{}</b>: {}; prices from {}; {} card\n<ul>\n", html_escape(card.provider),
                       html_escape(card.name), format_date(card.effective_from), html_escape(card.origin));
    for (const Source& s : card.sources) {
      // Addresses as text, never links: the page fetches nothing.
      std::string line = s.title;
      if (!s.date.empty()) {
        line += ", " + s.date;
      }
      if (s.official) {
        line += *s.official ? " (official)" : " (third-party)";
      }
      out += "<li>" + html_escape(line) + (s.url.empty() ? "" : " <code>" + html_escape(s.url) + "</code>") + "</li>\n";
    }
    out += "</ul></li>\n";
  }
  return out + "</ul>\n";
}

} // namespace llmcost
