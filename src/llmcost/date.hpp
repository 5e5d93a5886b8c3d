#pragma once
// Calendar dates as days since 1970-01-01 (proleptic Gregorian, UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmcost {

using Day = std::int32_t;

Day days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(Day days, int& year, unsigned& month, unsigned& day);

// "YYYY-MM-DD" exactly; nullopt when malformed or not a real date.
std::optional<Day> parse_date(std::string_view text);
std::string format_date(Day day);

// The first day of `day`'s month, and of the month after it.
Day month_start(Day day);
Day next_month_start(Day day);

// `count` decimal digits of `text` from `from` as a number; false when any is
// not a digit or the text is too short.
bool digits_at(std::string_view text, std::size_t from, std::size_t count, int& out);

// Group key text for a day: "2026-01-05", ISO week "2026-W02", month "2026-01".
std::string week_key(Day day);
std::string month_key(Day day);

} // namespace llmcost
