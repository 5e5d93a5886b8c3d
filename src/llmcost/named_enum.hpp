#pragma once
// Enums named by a constexpr to_string(value) that returns "" past the last
// value (a switch without default, so -Wswitch keeps names and values in
// step): the list of their values and parsing a name, in one place.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace llmcost {

// Every value of `Enum`, in enum order.
template <typename Enum> constexpr auto all_named_values()
{
  constexpr std::size_t count = [] {
    std::size_t n = 0;
    while (!to_string(static_cast<Enum>(n)).empty()) {
      ++n;
    }
    return n;
  }();
  std::array<Enum, count> all{};
  for (std::size_t i = 0; i < count; ++i) {
    all[i] = static_cast<Enum>(i);
  }
  return all;
}

// The value named `text` among `values`, or none.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> parse_named(const std::array<Enum, N>& values, std::string_view text)
{
  for (const Enum value : values) {
    if (to_string(value) == text) {
      return value;
    }
  }
  return std::nullopt;
}

} // namespace llmcost
