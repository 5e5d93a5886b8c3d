#include "llmcost/date.hpp"

#include <fmt/format.h>

namespace llmcost {

// Howard Hinnant's public-domain civil calendar algorithms, restated.
Day days_from_civil(int year, unsigned month, unsigned day)
{
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<Day>(era * 146097 + static_cast<int>(doe) - 719468);
}

void civil_from_days(Day days, int& year, unsigned& month, unsigned& day)
{
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

bool digits_at(std::string_view text, std::size_t from, std::size_t count, int& out)
{
  if (from + count > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<Day> parse_date(std::string_view text)
{
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!digits_at(text, 0, 4, year) || !digits_at(text, 5, 2, month) || !digits_at(text, 8, 2, day) || month < 1 ||
      month > 12 || day < 1) {
    return std::nullopt;
  }
  const Day result = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int y2 = 0;
  unsigned m2 = 0;
  unsigned d2 = 0;
  civil_from_days(result, y2, m2, d2);
  if (d2 != static_cast<unsigned>(day) || m2 != static_cast<unsigned>(month)) {
    return std::nullopt; // e.g. 2026-02-30
  }
  return result;
}

std::string format_date(Day day)
{
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(day, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

Day month_start(Day day)
{
  int year = 0;
  unsigned month = 0;
  unsigned mday = 0;
  civil_from_days(day, year, month, mday);
  return days_from_civil(year, month, 1);
}

Day next_month_start(Day day)
{
  int year = 0;
  unsigned month = 0;
  unsigned mday = 0;
  civil_from_days(day, year, month, mday);
  return month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
}

std::string week_key(Day day)
{
  // ISO 8601 week: the week belongs to the year of its Thursday.
  const int weekday = static_cast<int>((day + 3) % 7 + 7) % 7; // 0 = Monday
  const Day thursday = day - weekday + 3;
  int year = 0;
  unsigned month = 0;
  unsigned d = 0;
  civil_from_days(thursday, year, month, d);
  const Day first_of_year = days_from_civil(year, 1, 1);
  const int week = (thursday - first_of_year) / 7 + 1;
  return fmt::format("{:04}-W{:02}", year, week);
}

std::string month_key(Day day)
{
  return format_date(day).substr(0, 7);
}

} // namespace llmcost
