// Terminal bar charts: exact bar lengths, eliding, ASCII fallback.

#include "llmcost/chart.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

using namespace llmcost;
using llmcost::test::dec;

TEST_SUITE("chart")
{
  TEST_CASE("bar lengths are exact integer shares of the largest value")
  {
    CHECK(bar_units(dec("50"), dec("100"), 10, 8) == 40);
    CHECK(bar_units(dec("100"), dec("100"), 10, 8) == 80);
    CHECK(bar_units(dec("1"), dec("3"), 10, 1) == 3);   // 3.33 -> 3
    CHECK(bar_units(dec("0.25"), dec("1"), 2, 1) == 0); // 0.5 -> 0 (half to even)
    CHECK(bar_units(dec("0.75"), dec("1"), 2, 1) == 2); // 1.5 -> 2
    CHECK(bar_units(dec("-5"), dec("10"), 10, 8) == 0);
    CHECK(bar_units(dec("5"), dec("0"), 10, 8) == 0);
  }

  TEST_CASE("elide keeps both ends and marks the cut")
  {
    CHECK(elide("moonshot/kimi-k2.6", 40) == "moonshot/kimi-k2.6");
    CHECK(elide("moonshot/kimi-k2.6", 10) == "moons…k2.6");
    CHECK(display_width(elide("moonshot/kimi-k2.6", 10)) == 10);
    CHECK(elide("moonshot/kimi-k2.6", 10, false) == "moon...2.6");
    CHECK(elide("héllo wörld", 7) == "hél…rld");
  }

  TEST_CASE("unicode and ascii bars")
  {
    BarChart chart{"cost per day (USD)", {{"2026-01-01", dec("10")}, {"2026-01-02", dec("5")}}};
    const std::string unicode = render_bar_chart(chart, {40, true, 2});
    CHECK(unicode == "cost per day (USD)\n\n"
                     "2026-01-01  ██████████████████████ 10.00\n"
                     "2026-01-02  ███████████             5.00\n");
    const std::string ascii = render_bar_chart(chart, {40, false, 2});
    CHECK(ascii == "cost per day (USD)\n\n"
                   "2026-01-01  ###################### 10.00\n"
                   "2026-01-02  ###########             5.00\n");
  }
}
