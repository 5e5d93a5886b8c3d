// HTML pieces: the top-N stacking, exact titles, signed bars, the limit bar,
// and that every chart draws in the fixed palette.

#include "llmcost/html.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace llmcost;
using llmcost::test::dec;

namespace {

// The fill colours an SVG uses.
std::set<std::string> fills(const std::string& svg)
{
  // A plain scan: std::regex trips GCC 12's -Wmaybe-uninitialized in the
  // sanitizer build.
  std::set<std::string> out;
  const std::string mark = "fill=\"#";
  for (std::size_t at = svg.find(mark); at != std::string::npos; at = svg.find(mark, at + 1)) {
    const std::string colour = svg.substr(at + mark.size() - 1, 7);
    const bool hex = colour.size() == 7 && std::all_of(colour.begin() + 1, colour.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
                     });
    if (hex && svg.compare(at + mark.size() + 6, 1, "\"") == 0) {
      out.insert(colour);
    }
  }
  return out;
}

bool in_palette(const std::string& colour)
{
  return colour == k_other_colour ||
         std::find(k_palette.begin(), k_palette.end(), std::string_view(colour)) != k_palette.end();
}

} // namespace

TEST_SUITE("html")
{
  TEST_CASE("stack_top keeps the largest series and sums the rest as other")
  {
    std::map<std::string, std::map<std::string, Decimal>> sums;
    sums["a"] = {{"2026-01-01", dec("1")}, {"2026-01-02", dec("2")}};
    sums["b"] = {{"2026-01-02", dec("5")}};
    sums["c"] = {{"2026-01-01", dec("0.5")}};
    sums["d"] = {{"2026-01-03", dec("0.25")}};
    const StackedChart chart = stack_top("t", sums, 2);
    CHECK(chart.columns == std::vector<std::string>{"2026-01-01", "2026-01-02", "2026-01-03"});
    CHECK(chart.series == std::vector<std::string>{"b", "a", "other"});
    REQUIRE(chart.values.size() == 3);
    CHECK(chart.values[2] == std::vector<Decimal>{dec("0.5"), dec("0"), dec("0.25")});
    // One series past the top is named, not folded into "other".
    CHECK(stack_top("t", sums, 3).series == std::vector<std::string>{"b", "a", "c", "d"});
  }

  TEST_CASE("ties in stack_top go by name, so the page is the same every run")
  {
    std::map<std::string, std::map<std::string, Decimal>> sums;
    sums["y"] = {{"w", dec("1")}};
    sums["x"] = {{"w", dec("1")}};
    CHECK(stack_top("t", sums, 6).series == std::vector<std::string>{"x", "y"});
  }

  TEST_CASE("stacked columns: palette colours, other in grey, exact values in titles, a legend")
  {
    std::map<std::string, std::map<std::string, Decimal>> sums;
    for (int i = 0; i < 9; ++i) {
      sums["m" + std::to_string(i)] = {{"d1", Decimal::from_int(10 - i)}, {"d2", dec("0.123456789")}};
    }
    const std::string svg = svg_stacked_column_chart(stack_top("cost per day by model (USD)", sums, 6), 2);
    const auto used = fills(svg);
    CHECK(used.size() == 7);
    CHECK(used.count(std::string(k_other_colour)) == 1);
    CHECK(std::all_of(used.begin(), used.end(), in_palette));
    CHECK(svg.find("<title>d2, m0: 0.123456789</title>") != std::string::npos);
    CHECK(svg.find(">other</text>") != std::string::npos); // the legend names it
  }

  TEST_CASE("bars beside a stacked chart keep its colours; the rest are other")
  {
    BarChart chart{"cost by model (USD)", {{"a", dec("3")}, {"b", dec("2")}, {"c", dec("1")}}};
    const std::string svg = svg_bar_chart(chart, 2, 2);
    const auto first = svg.find(std::string(k_palette[0]));
    const auto second = svg.find(std::string(k_palette[1]));
    const auto grey = svg.find(std::string(k_other_colour));
    CHECK(first < second);
    CHECK(second < grey);
    CHECK(grey != std::string::npos);
    CHECK(fills(svg_bar_chart(chart, 2)) == std::set<std::string>{std::string(k_palette[0])});
  }

  TEST_CASE("signed bars: over to the right, under to the left, the sign written")
  {
    BarChart chart{"variance by cause (USD)", {{"cache discount not applied", dec("0.5")}, {"fee missing", dec("-1")}}};
    const std::string svg = svg_signed_bar_chart(chart, 2);
    CHECK(svg.find("fill=\"#D55E00\" x=\"460\"") != std::string::npos); // from zero, rightwards
    CHECK(svg.find("fill=\"#0072B2\" x=\"260\" y=\"57\" width=\"200\"") != std::string::npos);
    CHECK(svg.find(">+0.50</text>") != std::string::npos);
    CHECK(svg.find(">-1.00</text>") != std::string::npos);
  }

  TEST_CASE("the limit bar marks the limit and colours the spend over it")
  {
    const std::string over = svg_limit_bar("t", dec("150"), dec("100"), 2);
    CHECK(over.find("<line class=\"limit\" x1=\"437\"") != std::string::npos); // 10 + 640 * 100/150
    CHECK(over.find("<title>over the limit: 50.00</title>") != std::string::npos);
    CHECK(over.find(">limit 100.00</text>") != std::string::npos);
    const std::string under = svg_limit_bar("t", dec("50"), dec("100"), 2);
    CHECK(under.find("over the limit") == std::string::npos);
    CHECK(under.find("<line class=\"limit\" x1=\"650\"") != std::string::npos);
  }

  TEST_CASE("tables: exact values as titles only where the cell rounds; wrapping by column")
  {
    TextTable t;
    t.headers = {"model", "total $", "cause"};
    t.numeric = {false, true, false};
    t.rows = {{"a<b", "0.12", "x y"}, {"c", "0.50", "z"}};
    const std::string html = html_table(t, false, {{"", "0.123", ""}, {"", "0.50", ""}}, {false, false, true});
    CHECK(html.find("<td>a&lt;b</td><td class=\"num\" title=\"0.123\">0.12</td><td class=\"wrap\">x y</td>") !=
          std::string::npos);
    CHECK(html.find("<td class=\"num\">0.50</td>") != std::string::npos);
    CHECK(html.find("<div class=\"scroll\"><table>") == 0);
  }

  TEST_CASE("the page has a print stylesheet and nothing that fetches or runs")
  {
    const std::string page = html_page("t", html_section("s", "<p>x</p>", true));
    CHECK(page.find("@media print{") != std::string::npos);
    CHECK(page.find("<section class=\"break\">") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("url(") == std::string::npos);
    CHECK(page.find("src=") == std::string::npos);
  }
}
