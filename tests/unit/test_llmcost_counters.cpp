// The usage counters as one type: Counts<T> indexed by Counter, the table of
// their names, and Usage's fields reached through the same enum.

#include "llmcost/counters.hpp"
#include "llmcost/usage.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace llmcost;

TEST_CASE("Counts: indexed by Counter, added element by element")
{
  Counts<std::uint64_t> record = k_one_request;
  CHECK(record[Counter::requests] == 1);
  record[Counter::input] = 100;
  record[Counter::web_search_calls] = 2;

  Counts<uint128> sums;
  sums += record;
  sums += record;
  CHECK(sums[Counter::requests] == 2);
  CHECK(sums[Counter::input] == 200);
  CHECK(sums[Counter::cached_input] == 0);
  CHECK(sums[Counter::web_search_calls] == 4);

  // Sums of 64-bit counts do not wrap.
  Counts<std::uint64_t> huge;
  huge[Counter::output] = UINT64_MAX;
  Counts<uint128> total;
  total += huge;
  total += huge;
  CHECK(total[Counter::output] == static_cast<uint128>(UINT64_MAX) * 2);

  std::vector<std::string> seen;
  record.for_each([&](Counter c, std::uint64_t v) {
    seen.push_back(std::string(k_counter_names[index_of(c)].key) + "=" + std::to_string(v));
  });
  CHECK(seen == std::vector<std::string>{"requests=1", "input=100", "cached_input=0", "cache_write=0", "output=0",
                                         "reasoning=0", "web_search_calls=2"});
}

TEST_CASE("Usage: each counter is the field of its name")
{
  Usage u;
  for (const Counter c : k_all_counters) {
    u[c] = Decimal::from_int(static_cast<std::int64_t>(index_of(c)) + 1);
  }
  CHECK(u.requests == Decimal::from_int(1));
  CHECK(u.input == Decimal::from_int(2));
  CHECK(u.cached_input == Decimal::from_int(3));
  CHECK(u.cache_write == Decimal::from_int(4));
  CHECK(u.output == Decimal::from_int(5));
  CHECK(u.reasoning == Decimal::from_int(6));
  CHECK(u.web_search_calls == Decimal::from_int(7));
  CHECK(u.media_units.is_zero());

  Counts<uint128> sums;
  sums[Counter::cached_input] = 5;
  sums[Counter::reasoning] = 3;
  const Usage from = usage_from_counts(sums);
  CHECK(from.cached_input == Decimal::from_int(5));
  CHECK(from.reasoning == Decimal::from_int(3));
  CHECK(from.requests.is_zero());

  Usage twice = u;
  twice += u;
  CHECK(twice.web_search_calls == Decimal::from_int(14));
}
