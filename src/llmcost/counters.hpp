#pragma once
// The counters of usage a record carries and a group sums (requests, tokens
// of each kind, web search calls): one enum, one table of their names, and
// Counts<T>, an array of them indexed by the enum, so that code which treats
// them alike (adds, scales, stores, lists them) loops instead of naming seven
// fields.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmcost {

enum class Counter : std::uint8_t {
  requests,
  input,        // uncached input tokens (cache writes included)
  cached_input, // cache hits
  cache_write,  // of input: tokens written to a cache (Anthropic), billed at input
  output,       // output tokens, reasoning included
  reasoning,    // of output: for information only
  web_search_calls,
};

inline constexpr std::size_t k_counters = 7;

struct CounterName
{
  Counter counter;
  std::string_view key;   // JSON member and Usage field ("cached_input")
  std::string_view label; // human column heading ("cached tok")
  bool tokens;            // under "tokens" in JSON, "_tokens" in CSV headers
};

// In enum order (checked below): reports list the counters in this order.
inline constexpr std::array<CounterName, k_counters> k_counter_names{{
    {Counter::requests, "requests", "requests", false},
    {Counter::input, "input", "input tok", true},
    {Counter::cached_input, "cached_input", "cached tok", true},
    {Counter::cache_write, "cache_write", "cache write tok", true},
    {Counter::output, "output", "output tok", true},
    {Counter::reasoning, "reasoning", "reasoning tok", true},
    {Counter::web_search_calls, "web_search_calls", "search calls", false},
}};

constexpr std::size_t index_of(Counter c)
{
  return static_cast<std::size_t>(c);
}

constexpr bool counter_names_in_order()
{
  for (std::size_t i = 0; i < k_counters; ++i) {
    if (index_of(k_counter_names[i].counter) != i) {
      return false;
    }
  }
  return true;
}
static_assert(counter_names_in_order(), "k_counter_names must list the counters in enum order");

// The counters in enum order, for range-for.
inline constexpr std::array<Counter, k_counters> k_all_counters = [] {
  std::array<Counter, k_counters> all{};
  for (std::size_t i = 0; i < k_counters; ++i) {
    all[i] = k_counter_names[i].counter;
  }
  return all;
}();

// One value per counter. An aggregate (no constructor), so a record or a
// group's sums stay trivially copyable and the fixed-size loops below unroll.
template <typename T> struct Counts
{
  std::array<T, k_counters> values{};

  constexpr T& operator[](Counter c) { return values[index_of(c)]; }
  constexpr const T& operator[](Counter c) const { return values[index_of(c)]; }

  // Adds counts of a narrower type (a record's into a group's sums).
  template <typename U> constexpr Counts& operator+=(const Counts<U>& other)
  {
    for (std::size_t i = 0; i < k_counters; ++i) {
      values[i] += other.values[i];
    }
    return *this;
  }

  // f(Counter, value) for each counter in enum order.
  template <typename F> constexpr void for_each(F&& f) const
  {
    for (std::size_t i = 0; i < k_counters; ++i) {
      f(static_cast<Counter>(i), values[i]);
    }
  }

  bool operator==(const Counts&) const = default;
};

} // namespace llmcost
