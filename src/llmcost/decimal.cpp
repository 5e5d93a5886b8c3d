#include "llmcost/decimal.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace llmcost {

namespace {

constexpr int128 k_int128_max = static_cast<int128>(~static_cast<uint128>(0) >> 1);

// Little-endian 64-bit limbs of an unsigned 256-bit value.
using U256 = std::array<std::uint64_t, 4>;

U256 mul_128x128(uint128 a, uint128 b)
{
  const std::uint64_t a_lo = static_cast<std::uint64_t>(a);
  const std::uint64_t a_hi = static_cast<std::uint64_t>(a >> 64);
  const std::uint64_t b_lo = static_cast<std::uint64_t>(b);
  const std::uint64_t b_hi = static_cast<std::uint64_t>(b >> 64);

  const uint128 ll = static_cast<uint128>(a_lo) * b_lo;
  const uint128 lh = static_cast<uint128>(a_lo) * b_hi;
  const uint128 hl = static_cast<uint128>(a_hi) * b_lo;
  const uint128 hh = static_cast<uint128>(a_hi) * b_hi;

  U256 r{};
  r[0] = static_cast<std::uint64_t>(ll);
  uint128 mid = (ll >> 64) + static_cast<std::uint64_t>(lh) + static_cast<std::uint64_t>(hl);
  r[1] = static_cast<std::uint64_t>(mid);
  uint128 high = (mid >> 64) + (lh >> 64) + (hl >> 64) + static_cast<std::uint64_t>(hh);
  r[2] = static_cast<std::uint64_t>(high);
  r[3] = static_cast<std::uint64_t>((high >> 64) + (hh >> 64));
  return r;
}

// (high:low) / divisor, with high < divisor so that the quotient fits in
// 64 bits: one machine division on x86-64, where the generic 128-bit
// division was a tenth of re-pricing a row.
std::uint64_t div_128_by_64(std::uint64_t high, std::uint64_t low, std::uint64_t divisor, std::uint64_t& rem)
{
#if defined(__x86_64__)
  std::uint64_t quotient = 0;
  __asm__("divq %[d]" : "=a"(quotient), "=d"(rem) : [d] "rm"(divisor), "a"(low), "d"(high) : "cc");
  return quotient;
#else
  const uint128 n = (static_cast<uint128>(high) << 64) | low;
  rem = static_cast<std::uint64_t>(n % divisor);
  return static_cast<std::uint64_t>(n / divisor);
#endif
}

// Divides `n` by a 64-bit divisor in place, returning the remainder.
std::uint64_t div_256_by_64(U256& n, std::uint64_t divisor)
{
  std::uint64_t rem = 0;
  for (int i = 3; i >= 0; --i) {
    std::uint64_t& word = n[static_cast<std::size_t>(i)];
    if (rem == 0 && word < divisor) {
      rem = word; // a leading word smaller than the divisor: quotient 0
      word = 0;
      continue;
    }
    word = div_128_by_64(rem, word, divisor, rem);
  }
  return rem;
}

// Shift-subtract division for divisors wider than 64 bits (rare: only
// percentages of very large amounts take this path).
uint128 div_256_by_128(U256& n, uint128 divisor)
{
  U256 quotient{};
  uint128 rem = 0;
  for (int bit = 255; bit >= 0; --bit) {
    const bool top = (rem >> 127) != 0;
    rem = (rem << 1) | ((n[static_cast<std::size_t>(bit / 64)] >> (bit % 64)) & 1U);
    if (top || rem >= divisor) {
      rem -= divisor;
      quotient[static_cast<std::size_t>(bit / 64)] |= (std::uint64_t{1} << (bit % 64));
    }
  }
  n = quotient;
  return rem;
}

int digit_value(char c)
{
  return c - '0';
}

} // namespace

int128 mul_div_round(int128 a, int128 b, int128 divisor, bool* inexact)
{
  if (divisor <= 0) {
    throw std::domain_error("mul_div_round: divisor must be positive");
  }
  const bool negative = (a < 0) != (b < 0);
  const uint128 ua = a < 0 ? static_cast<uint128>(0) - static_cast<uint128>(a) : static_cast<uint128>(a);
  const uint128 ub = b < 0 ? static_cast<uint128>(0) - static_cast<uint128>(b) : static_cast<uint128>(b);
  const uint128 ud = static_cast<uint128>(divisor);

  U256 q = mul_128x128(ua, ub);
  uint128 rem = 0;
  if ((ud >> 64) == 0) {
    rem = div_256_by_64(q, static_cast<std::uint64_t>(ud));
  } else {
    rem = div_256_by_128(q, ud);
  }
  if (q[2] != 0 || q[3] != 0) {
    throw std::overflow_error("decimal overflow in multiplication");
  }
  uint128 mag = (static_cast<uint128>(q[1]) << 64) | q[0];
  if (rem != 0) {
    if (inexact != nullptr) {
      *inexact = true;
    }
    // Compare 2*rem with divisor without overflowing: rem < divisor.
    const uint128 half_gap = ud - rem; // > 0
    if (rem > half_gap || (rem == half_gap && (mag & 1U) != 0)) {
      if (mag == ~static_cast<uint128>(0)) {
        throw std::overflow_error("decimal overflow in multiplication");
      }
      ++mag;
    }
  }
  // The negative range reaches one further than the positive one.
  const uint128 limit = static_cast<uint128>(k_int128_max) + (negative ? 1U : 0U);
  if (mag > limit) {
    throw std::overflow_error("decimal overflow in multiplication");
  }
  if (negative) {
    return static_cast<int128>(static_cast<uint128>(0) - mag);
  }
  return static_cast<int128>(mag);
}

std::string int128_to_string(int128 value)
{
  if (value == 0) {
    return "0";
  }
  const bool negative = value < 0;
  uint128 mag = negative ? static_cast<uint128>(0) - static_cast<uint128>(value) : static_cast<uint128>(value);
  std::string digits;
  while (mag != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  }
  if (negative) {
    digits.push_back('-');
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<Decimal> Decimal::parse(std::string_view text, std::string* why)
{
  auto fail = [&](const char* reason) -> std::optional<Decimal> {
    if (why != nullptr) {
      *why = reason;
    }
    return std::nullopt;
  };
  if (text.empty()) {
    return fail("empty number");
  }
  {
    // Fast path: plain digits with up to 18 before the point and 12 after fit
    // 64-bit arithmetic; anything else (and every error) takes the full path.
    std::size_t i = text[0] == '-' ? 1 : 0;
    std::uint64_t whole = 0;
    std::size_t whole_digits = 0;
    while (i < text.size() && whole_digits < 18 && static_cast<unsigned>(text[i] - '0') <= 9) {
      whole = whole * 10 + static_cast<unsigned>(text[i++] - '0');
      ++whole_digits;
    }
    std::uint64_t frac = 0;
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && frac_digits < static_cast<std::size_t>(k_scale_digits) &&
             static_cast<unsigned>(text[i] - '0') <= 9) {
        frac = frac * 10 + static_cast<unsigned>(text[i++] - '0');
        ++frac_digits;
      }
    }
    if (i == text.size() && whole_digits + frac_digits > 0) {
      std::int64_t scale_up = 1;
      for (std::size_t k = frac_digits; k < static_cast<std::size_t>(k_scale_digits); ++k) {
        scale_up *= 10;
      }
      const int128 raw = static_cast<int128>(whole) * k_scale + static_cast<int128>(frac) * scale_up;
      return Decimal::from_raw(text[0] == '-' ? -raw : raw);
    }
  }
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    pos = 1;
  }
  uint128 whole = 0;
  std::size_t whole_digits = 0;
  constexpr uint128 k_whole_limit = static_cast<uint128>(k_int128_max) / k_scale;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    whole = whole * 10 + static_cast<uint128>(digit_value(text[pos]));
    if (whole > k_whole_limit) {
      return fail("number too large");
    }
    ++pos;
    ++whole_digits;
  }
  uint128 frac = 0;
  std::size_t frac_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (frac_digits < static_cast<std::size_t>(k_scale_digits)) {
        frac = frac * 10 + static_cast<uint128>(digit_value(text[pos]));
      } else if (text[pos] != '0') {
        return fail("more than 12 decimal places");
      }
      ++frac_digits;
      ++pos;
    }
    if (frac_digits == 0 && whole_digits == 0) {
      return fail("not a number");
    }
  }
  if (whole_digits == 0 && frac_digits == 0) {
    return fail("not a number");
  }
  if (pos != text.size()) {
    const char c = text[pos];
    if (c == 'e' || c == 'E') {
      return fail("exponent notation is not accepted");
    }
    if (c == ',') {
      return fail("thousands separators are not accepted");
    }
    return fail("unexpected character in number");
  }
  for (std::size_t i = std::min<std::size_t>(frac_digits, k_scale_digits); i < static_cast<std::size_t>(k_scale_digits);
       ++i) {
    frac *= 10;
  }
  const uint128 mag = whole * static_cast<uint128>(k_scale) + frac;
  if (mag > static_cast<uint128>(k_int128_max)) {
    return fail("number too large");
  }
  const auto value = static_cast<int128>(mag);
  return from_raw(negative ? -value : value);
}

std::optional<Decimal> Decimal::parse_scientific(std::string_view text, std::string* why)
{
  // A loop, not find_first_of("eE"): that is a memchr per character, and
  // billed amounts are parsed once per usage row.
  std::size_t e = 0;
  while (e < text.size() && text[e] != 'e' && text[e] != 'E') {
    ++e;
  }
  if (e == text.size()) {
    return parse(text, why);
  }
  std::string_view mantissa = text.substr(0, e);
  std::string_view exponent_text = text.substr(e + 1);
  bool exponent_negative = false;
  if (!exponent_text.empty() && (exponent_text[0] == '+' || exponent_text[0] == '-')) {
    exponent_negative = exponent_text[0] == '-';
    exponent_text.remove_prefix(1);
  }
  if (exponent_text.empty() || exponent_text.size() > 4 ||
      exponent_text.find_first_not_of("0123456789") != std::string_view::npos) {
    if (why != nullptr) {
      *why = "malformed exponent";
    }
    return std::nullopt;
  }
  int exponent = 0;
  for (char c : exponent_text) {
    exponent = exponent * 10 + (c - '0');
  }
  // Move the decimal point in the mantissa's digit string, then parse exactly.
  std::string sign;
  if (!mantissa.empty() && (mantissa[0] == '-' || mantissa[0] == '+')) {
    sign = mantissa[0] == '-' ? "-" : "";
    mantissa.remove_prefix(1);
  }
  const std::size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  std::string fraction = dot == std::string_view::npos ? std::string() : std::string(mantissa.substr(dot + 1));
  if ((digits + fraction).empty() || (digits + fraction).find_first_not_of("0123456789") != std::string::npos) {
    if (why != nullptr) {
      *why = "not a number";
    }
    return std::nullopt;
  }
  if (exponent > 60) {
    if (why != nullptr) {
      *why = exponent_negative ? "more than 12 decimal places" : "number too large";
    }
    return std::nullopt;
  }
  std::string all = digits + fraction;
  auto point = static_cast<long>(digits.size()) + (exponent_negative ? -exponent : exponent);
  if (point < 0) {
    all.insert(0, static_cast<std::size_t>(-point), '0');
    point = 0;
  }
  if (static_cast<std::size_t>(point) > all.size()) {
    all.append(static_cast<std::size_t>(point) - all.size(), '0');
  }
  const std::size_t split = static_cast<std::size_t>(point);
  std::string plain = sign + (split == 0 ? std::string("0") : all.substr(0, split));
  if (split < all.size()) {
    plain += "." + all.substr(split);
  }
  return parse(plain, why);
}

std::optional<Decimal> Decimal::parse_count(std::string_view text, std::string* why)
{
  std::int64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
    case 'k':
    case 'K':
      multiplier = 1'000;
      break;
    case 'M':
      multiplier = 1'000'000;
      break;
    case 'B':
    case 'G':
      multiplier = 1'000'000'000;
      break;
    default:
      break;
    }
  }
  if (multiplier != 1) {
    text.remove_suffix(1);
  }
  auto value = parse(text, why);
  if (!value) {
    return value;
  }
  try {
    return value->mul_int(multiplier);
  } catch (const std::overflow_error&) {
    if (why != nullptr) {
      *why = "number too large";
    }
    return std::nullopt;
  }
}

int Decimal::fraction_digits() const
{
  int128 frac = m_raw % k_scale;
  if (frac == 0) {
    return 0;
  }
  int digits = k_scale_digits;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  return digits;
}

void Decimal::overflow(const char* what)
{
  throw std::overflow_error(what);
}

Decimal Decimal::operator-() const
{
  return Decimal{} - *this;
}

Decimal Decimal::mul(Decimal other, bool* inexact) const
{
  return from_raw(mul_div_round(m_raw, other.m_raw, k_scale, inexact));
}

Decimal Decimal::mul_div(Decimal numerator, Decimal denominator, bool* inexact) const
{
  if (denominator.m_raw <= 0) {
    throw std::domain_error("division by a non-positive amount");
  }
  // (raw * num_raw / den_raw) keeps the 1e-12 scale.
  return from_raw(mul_div_round(m_raw, numerator.m_raw, denominator.m_raw, inexact));
}

Decimal Decimal::mul_int(std::int64_t factor) const
{
  int128 out = 0;
  if (__builtin_mul_overflow(m_raw, static_cast<int128>(factor), &out)) {
    throw std::overflow_error("decimal overflow in multiplication");
  }
  return from_raw(out);
}

namespace {

// The raw count of one unit in the last of `places` fractional digits.
int128 place_unit(int places)
{
  int128 unit = 1;
  for (int i = places; i < Decimal::k_scale_digits; ++i) {
    unit *= 10;
  }
  return unit;
}

Decimal whole_units(int128 units, int128 unit)
{
  int128 raw = 0;
  if (__builtin_mul_overflow(units, unit, &raw)) {
    throw std::overflow_error("decimal overflow in rounding");
  }
  return Decimal::from_raw(raw);
}

} // namespace

Decimal Decimal::round(int places) const
{
  if (places >= k_scale_digits) {
    return *this;
  }
  const int128 unit = place_unit(places);
  return whole_units(mul_div_round(m_raw, 1, unit), unit);
}

Decimal Decimal::round_half_up(int places) const
{
  if (places >= k_scale_digits) {
    return *this;
  }
  const int128 unit = place_unit(std::max(places, 0));
  int128 units = m_raw / unit; // toward zero
  const int128 rest = m_raw % unit;
  if ((rest < 0 ? -rest : rest) * 2 >= unit) {
    units += m_raw < 0 ? -1 : 1; // a half or more: away from zero
  }
  return whole_units(units, unit);
}

std::string Decimal::to_string(int places) const
{
  places = std::clamp(places, 0, k_scale_digits);
  const Decimal rounded = round(places);
  const bool negative = rounded.m_raw < 0;
  const uint128 mag =
      negative ? static_cast<uint128>(0) - static_cast<uint128>(rounded.m_raw) : static_cast<uint128>(rounded.m_raw);
  std::string out = negative ? "-" : "";
  out += int128_to_string(static_cast<int128>(mag / k_scale));
  if (places > 0) {
    std::string frac = int128_to_string(static_cast<int128>(mag % k_scale));
    frac.insert(0, static_cast<std::size_t>(k_scale_digits) - frac.size(), '0');
    out += '.';
    out += frac.substr(0, static_cast<std::size_t>(places));
  }
  return out;
}

std::string Decimal::to_exact_string(int min_places) const
{
  return to_string(std::max(min_places, fraction_digits()));
}

int written_decimal_places(std::string_view number)
{
  int places = 0;
  bool after_dot = false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (c == '.') {
      after_dot = true;
    } else if (c == 'e' || c == 'E') {
      int exponent = 0;
      std::string_view digits = number.substr(i + 1);
      const bool negative = !digits.empty() && digits[0] == '-';
      if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        digits.remove_prefix(1);
      }
      for (char d : digits.substr(0, 4)) {
        exponent = exponent * 10 + (d - '0');
      }
      places += negative ? exponent : -exponent;
      break;
    } else if (after_dot) {
      ++places;
    }
  }
  return std::max(places, 0);
}

namespace {

constexpr std::array<std::uint64_t, 13> k_powers_of_ten = {
    1ULL,        10ULL,        100ULL,        1000ULL,        10000ULL,        100000ULL,       1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL};

} // namespace

bool decimal_comma_to_point(std::string_view text, std::string& out)
{
  if (text.find('.') != std::string_view::npos) {
    return false;
  }
  out.assign(text);
  std::replace(out.begin(), out.end(), ',', '.');
  return true;
}

std::optional<Decimal> parse_billed_amount(std::string_view text, int& places)
{
  // Plain "[-]digits[.digits]" with at most 18 digits before the point and 12
  // after; anything else (exponents, long forms, errors) takes the full path.
  std::size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  const std::size_t whole_begin = i;
  std::uint64_t whole = 0;
  while (i < text.size() && i - whole_begin < 18 && static_cast<unsigned>(text[i] - '0') <= 9) {
    whole = whole * 10 + static_cast<unsigned>(text[i++] - '0');
  }
  const std::size_t whole_digits = i - whole_begin;
  std::uint64_t fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (text.size() - i >= 8) {
      if (const std::int64_t eight = eight_digits(load_bytes<std::uint64_t>(text.data() + i)); eight >= 0) {
        fraction = static_cast<std::uint64_t>(eight);
        fraction_digits = 8;
        i += 8;
      }
    }
    while (i < text.size() && fraction_digits < static_cast<std::size_t>(Decimal::k_scale_digits) &&
           static_cast<unsigned>(text[i] - '0') <= 9) {
      fraction = fraction * 10 + static_cast<unsigned>(text[i++] - '0');
      ++fraction_digits;
    }
  }
  if (i == text.size() && whole_digits + fraction_digits > 0) {
    const std::uint64_t scale_up = k_powers_of_ten[static_cast<std::size_t>(Decimal::k_scale_digits) - fraction_digits];
    const int128 raw = static_cast<int128>(whole) * Decimal::k_scale + static_cast<int128>(fraction * scale_up);
    places = static_cast<int>(fraction_digits);
    return Decimal::from_raw(text[0] == '-' ? -raw : raw);
  }
  places = written_decimal_places(text);
  return Decimal::parse_scientific(text);
}

} // namespace llmcost
