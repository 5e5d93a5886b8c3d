#pragma once
// Timestamps as usage records write them, and the days they fall on at a
// UTC offset (--tz).

#include "llmcost/date.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmcost {

// Unix seconds of a timestamp: ISO 8601 ("2026-01-05T10:00:00Z",
// "2026-01-05 10:00:00.123+02:00", "2026-01-05"; no zone means UTC), or Unix
// seconds / milliseconds (12 digits or more).
std::optional<std::int64_t> parse_timestamp(std::string_view text);
// The day a Unix time falls on at a UTC offset.
Day day_at_offset(std::int64_t unix_seconds, std::int32_t offset_seconds);
// True for a dated record outside [since, until] (inclusive bounds, either optional).
bool outside_window(std::optional<Day> day, std::optional<Day> since, std::optional<Day> until);
// "UTC", "Z", "+05:30", "-08:00", "+0530": seconds east of UTC.
std::optional<std::int32_t> parse_utc_offset(std::string_view text);

} // namespace llmcost
