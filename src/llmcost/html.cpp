#include "llmcost/html.hpp"

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
  // System fonts only: nothing is fetched when the file is opened.
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"llmcost\">\n"
         "<title>" +
         html_escape(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:72rem;"
         "padding:0 1rem;color:#1f2328;background:#fff}\n"
         "h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}\n"
         "p.sub{color:#59636e;margin-top:0}\n"
         "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}\n"
         "th,td{padding:.3rem .7rem;border-bottom:1px solid #d1d9e0;white-space:nowrap}\n"
         "th{text-align:left;background:#f6f8fa;border-bottom:2px solid #d1d9e0}\n"
         "th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
         "tr.total td{font-weight:600;border-top:2px solid #59636e}\n"
         ".scroll{overflow-x:auto}\n"
         "svg{display:block;margin:1rem 0;max-width:100%;height:auto}\n"
         "svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1f2328}\n"
         "svg .bar{fill:#0969da}svg .axis{stroke:#59636e}\n"
         "ul.notes{color:#59636e;font-size:.9rem}\n"
         "</style>\n</head>\n<body>\n" +
         body + "</body>\n</html>\n";
}

std::string html_table(const TextTable& table, bool totals_row)
{
  auto numeric = [&](std::size_t i) { return i < table.numeric.size() && table.numeric[i]; };
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
      out += numeric(i) ? "<td class=\"num\">" : "<td>";
      out += html_escape(table.rows[r][i]) + "</td>";
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

} // namespace

// An SVG element of this size, titled (for screen readers and on the page).
std::string svg_start(std::size_t width, std::size_t height, const std::string& title)
{
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
                     "role=\"img\" aria-label=\"{}\">\n<text x=\"0\" y=\"16\" font-weight=\"600\">{}</text>\n",
                     width, height, width, height, html_escape(title), html_escape(title));
}

std::string svg_bar_chart(const BarChart& chart, int precision)
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
                       html_escape(elide(bar.label, 40)));
    out +=
        fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\n",
                    label_width, y + 3, std::max<std::size_t>(length, bar.value.is_zero() ? 0 : 1), row - 6,
                    html_escape(bar.label), format_money(bar.value, precision));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label_width + length + 6, y + 16,
                       format_money(bar.value, precision));
  }
  return out + "</svg>\n";
}

std::string svg_column_chart(const BarChart& chart, int precision)
{
  constexpr std::size_t left = 70;
  constexpr std::size_t top = 30;
  constexpr std::size_t plot_height = 240;
  const std::size_t count = std::max<std::size_t>(chart.bars.size(), 1);
  const std::size_t slot = std::clamp<std::size_t>(720 / count, 6, 60);
  const std::size_t width = left + slot * count + 20;
  const std::size_t height = top + plot_height + 80;
  const Decimal max = largest(chart);
  std::string out = svg_start(width, height, chart.title);
  const std::size_t base = top + plot_height;
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", left, base, width - 10, base);
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", left, top, left, base);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6, top + 4,
                     format_money(max, precision));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n", left - 6, base + 4);
  // Label every bar when they fit, else about twelve of them.
  const std::size_t label_every = std::max<std::size_t>(1, (chart.bars.size() + 11) / 12);
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    const std::size_t h = bar_units(bar.value, max, plot_height, 1);
    const std::size_t x = left + i * slot + slot / 8;
    out +=
        fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\n",
                    x, base - h, slot - slot / 4, h, html_escape(bar.label), format_money(bar.value, precision));
    if (i % label_every == 0) {
      const std::size_t cx = x + (slot - slot / 4) / 2;
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-45 {} {})\">{}</text>\n", cx,
                         base + 14, cx, base + 14, html_escape(bar.label));
    }
  }
  return out + "</svg>\n";
}

} // namespace llmcost
