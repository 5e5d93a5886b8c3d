#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmcost {

std::string to_lower(std::string_view text);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
std::string_view trim(std::string_view text);

} // namespace llmcost
