#include "llmcost/timestamp.hpp"

#include "llmcost/strings.hpp"

#include <cstdint>

namespace llmcost {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

} // namespace

std::optional<std::int32_t> parse_utc_offset(std::string_view text)
{
  if (text == "UTC" || text == "utc" || text == "Z" || text == "z" || text == "GMT") {
    return 0;
  }
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) {
    return std::nullopt;
  }
  int hours = 0;
  int minutes = 0;
  if (!digits_at(text, 1, 2, hours)) {
    return std::nullopt;
  }
  std::size_t pos = 3;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
  }
  if (pos < text.size() && !digits_at(text, pos, 2, minutes)) {
    return std::nullopt;
  }
  if (pos < text.size() && pos + 2 != text.size()) {
    return std::nullopt;
  }
  if (hours > 14 || minutes > 59) {
    return std::nullopt;
  }
  const int seconds = hours * 3600 + minutes * 60;
  return text[0] == '-' ? -seconds : seconds;
}

namespace {

// "YYYY-MM-DDTHH:MM:SS" (or a space for the T) at the start of `text`, the
// shape nearly every export writes; nullopt sends it to the general parser.
std::optional<std::int64_t> iso_seconds_fast(std::string_view text)
{
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto digit = [&](std::size_t i) { return static_cast<unsigned>(text[i] - '0'); };
  unsigned bad = 0;
  for (std::size_t i : {11, 12, 14, 15, 17, 18}) {
    bad |= digit(i) > 9 ? 1U : 0U;
  }
  const unsigned hour = digit(11) * 10 + digit(12);
  const unsigned minute = digit(14) * 10 + digit(15);
  const unsigned second = digit(17) * 10 + digit(18);
  if (bad != 0 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  // Rows come in time order, so the date is nearly always the last one seen.
  struct LastDate
  {
    std::uint64_t head = 0; // "YYYY-MM-"
    std::uint16_t tail = 0; // "DD"
    Day day = 0;
    bool valid = false;
  };
  thread_local LastDate last;
  std::uint64_t head = 0;
  std::uint16_t tail = 0;
  std::memcpy(&head, text.data(), 8);
  std::memcpy(&tail, text.data() + 8, 2);
  if (!last.valid || last.head != head || last.tail != tail) {
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      bad |= digit(i) > 9 ? 1U : 0U;
    }
    if (bad != 0) {
      return std::nullopt;
    }
    const int year = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3));
    const unsigned month = digit(5) * 10 + digit(6);
    const unsigned day = digit(8) * 10 + digit(9);
    static constexpr unsigned k_month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > k_month_days[month - 1]) {
      return std::nullopt;
    }
    if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
      return std::nullopt;
    }
    last = LastDate{head, tail, days_from_civil(year, month, day), true};
  }
  return static_cast<std::int64_t>(last.day) * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text)
{
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.size() == 19 || (text.size() == 20 && (text[19] == 'Z' || text[19] == 'z'))) {
    if (auto seconds = iso_seconds_fast(text)) {
      return seconds;
    }
  }
  if (text.size() == 10) {
    // Unix seconds of this century (as "created" in chat completions): one SWAR step.
    if (const std::int64_t high = eight_digits(load_bytes<std::uint64_t>(text.data()));
        high >= 0 && static_cast<unsigned>(text[8] - '0') <= 9 && static_cast<unsigned>(text[9] - '0') <= 9) {
      return high * 100 + (text[8] - '0') * 10 + (text[9] - '0');
    }
  }
  // Unix seconds (or milliseconds from 12 digits on), read as they are checked.
  std::int64_t unix_value = 0;
  std::size_t digits = 0;
  while (digits < text.size() && static_cast<unsigned>(text[digits] - '0') <= 9) {
    if (digits < 16) {
      unix_value = unix_value * 10 + (text[digits] - '0');
    }
    ++digits;
  }
  if (digits == text.size()) {
    if (text.size() > 16) {
      return std::nullopt;
    }
    return text.size() >= 12 ? unix_value / 1000 : unix_value;
  }
  const auto day = parse_date(text.substr(0, std::min<std::size_t>(10, text.size())));
  if (!day) {
    return std::nullopt;
  }
  std::int64_t seconds = static_cast<std::int64_t>(*day) * 86400;
  if (text.size() == 10) {
    return seconds;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits_at(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' || !digits_at(text, 14, 2, minute) ||
      hour > 23 || minute > 59) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits_at(text, pos + 1, 2, second) || second > 60) {
      return std::nullopt;
    }
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ++pos; // fractions of a second do not move the day
      }
    }
  }
  seconds += hour * 3600 + minute * 60 + second;
  if (pos == text.size()) {
    return seconds; // no zone: UTC
  }
  const auto offset = parse_utc_offset(text.substr(pos));
  if (!offset) {
    return std::nullopt;
  }
  return seconds - *offset;
}

Day day_at_offset(std::int64_t unix_seconds, std::int32_t offset_seconds)
{
  return static_cast<Day>(floor_div(unix_seconds + offset_seconds, 86400));
}

bool outside_window(std::optional<Day> day, std::optional<Day> since, std::optional<Day> until)
{
  return day && ((since && *day < *since) || (until && *day > *until));
}

} // namespace llmcost
