// Locations in messages: FILE:LINE:COL, column 1 for a whole line.

#include "llmcost/error.hpp"

#include <doctest/doctest.h>

using namespace llmcost;

TEST_SUITE("llmcost/error")
{
  TEST_CASE("a location in a file has a line and a column, 1 for a whole line")
  {
    CHECK(Location{"a.csv", 3, 7}.to_string() == "a.csv:3:7");
    CHECK(Location{"a.csv", 3, 0}.to_string() == "a.csv:3:1");
    CHECK(Location{"a.csv"}.to_string() == "a.csv");
    CHECK(Location{"", 3, 0}.to_string() == "line 3");
    CHECK(Location{"", 3, 2}.to_string() == "line 3:2");
    CHECK(Location{}.to_string().empty());
    CHECK(std::string(Error(Location{"a.csv", 2}, "bad", "good").what()) == "a.csv:2:1: bad (expected good)");
  }
}
