#pragma once
// Exact fixed-point decimal: a signed 128-bit integer counting 1e-12 units.
// Used for money and for (possibly fractional) quantities such as average
// tokens per request. No binary floating point anywhere on this path.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmcost {

__extension__ typedef __int128 int128; // GCC/Clang extension; exact money needs 128 bits
__extension__ typedef unsigned __int128 uint128;

class Decimal
{
public:
  static constexpr int k_scale_digits = 12;
  static constexpr std::int64_t k_scale = 1'000'000'000'000; // 10^12

  constexpr Decimal() = default;

  static constexpr Decimal from_raw(int128 raw)
  {
    Decimal d;
    d.m_raw = raw;
    return d;
  }
  static constexpr Decimal from_int(std::int64_t units) { return from_raw(static_cast<int128>(units) * k_scale); }

  // Parses "12", "-0.5", "1,234.50" is NOT accepted (no grouping). Accepts a
  // leading '+' or '-', digits, an optional '.', and up to 12 significant
  // fractional digits (further digits must be zeros). No exponents, no
  // spaces. On failure returns nullopt and, if `why` is given, says why.
  static std::optional<Decimal> parse(std::string_view text, std::string* why = nullptr);

  // A JSON number's text, exponent allowed ("9.4e-05"), converted exactly;
  // fails when the value needs more than 12 decimal places.
  static std::optional<Decimal> parse_scientific(std::string_view text, std::string* why = nullptr);

  // Count syntax for quantities: a decimal with an optional k/M/B suffix
  // ("100k", "1.5M"); the suffix multiplies exactly.
  static std::optional<Decimal> parse_count(std::string_view text, std::string* why = nullptr);

  constexpr int128 raw() const { return m_raw; }
  constexpr bool is_zero() const { return m_raw == 0; }
  constexpr bool is_negative() const { return m_raw < 0; }
  bool is_integer() const { return m_raw % k_scale == 0; }
  // Integer part, truncated toward zero.
  int128 whole() const { return m_raw / k_scale; }
  // The value as a count of tokens or requests: a whole number from 0 to
  // 2^63 - 1 (the readers' bound), or none.
  std::optional<std::uint64_t> as_count() const
  {
    if (!is_integer() || is_negative() || whole() > INT64_MAX) {
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(whole());
  }
  // Number of fractional digits needed to print this value exactly (0..12).
  int fraction_digits() const;

  // Checked arithmetic: throws std::overflow_error when a result leaves the
  // 128-bit range. Inline: reconcile adds a handful of amounts a row.
  Decimal operator+(Decimal other) const
  {
    int128 out = 0;
    if (__builtin_add_overflow(m_raw, other.m_raw, &out)) [[unlikely]] {
      overflow("decimal overflow in addition");
    }
    return from_raw(out);
  }
  Decimal operator-(Decimal other) const
  {
    int128 out = 0;
    if (__builtin_sub_overflow(m_raw, other.m_raw, &out)) [[unlikely]] {
      overflow("decimal overflow in subtraction");
    }
    return from_raw(out);
  }
  Decimal operator-() const;
  Decimal& operator+=(Decimal other) { return *this = *this + other; }
  Decimal& operator-=(Decimal other) { return *this = *this - other; }

  // Exact product rounded half-to-even at 1e-12 (exact whenever the operands'
  // fractional digits add up to 12 or fewer). Sets *inexact when it rounded.
  Decimal mul(Decimal other, bool* inexact = nullptr) const;
  // this * numerator / denominator with one rounding (half-to-even at 1e-12);
  // denominator must be positive. Used for "per 1M tokens" and percentages.
  Decimal mul_div(Decimal numerator, Decimal denominator, bool* inexact = nullptr) const;
  Decimal mul_int(std::int64_t factor) const;

  // Half-to-even rounding to `places` fractional digits (0..12).
  Decimal round(int places) const;
  // Half-up (away from zero) rounding to `places` fractional digits (0..12),
  // as invoices round.
  Decimal round_half_up(int places) const;

  // Fixed number of fractional digits (rounds half-to-even first).
  std::string to_string(int places) const;
  // Exact value, trailing zeros trimmed but at least `min_places` digits.
  std::string to_exact_string(int min_places = 2) const;

  friend constexpr auto operator<=>(Decimal a, Decimal b) { return a.m_raw <=> b.m_raw; }
  friend constexpr bool operator==(Decimal a, Decimal b) { return a.m_raw == b.m_raw; }

private:
  [[noreturn]] static void overflow(const char* what); // out of line: the throw stays off the fast path
  int128 m_raw = 0;
};

// Low-level helper exposed for tests: (a * b) / divisor with a 256-bit
// intermediate, rounded half-to-even. Throws std::overflow_error if the
// quotient does not fit, std::domain_error if divisor <= 0.
int128 mul_div_round(int128 a, int128 b, int128 divisor, bool* inexact = nullptr);

// Formats a 128-bit integer in base 10.
std::string int128_to_string(int128 value);

// Decimals a number is written with: "0.00215000" -> 8, "9.84e-05" -> 7, "12" -> 0.
int written_decimal_places(std::string_view number);
// A billed amount (exponent allowed, as parse_scientific) and the decimals it
// is written with; one pass for the plain form read on every usage row.
std::optional<Decimal> parse_billed_amount(std::string_view text, int& places);

// A number written with a decimal comma ("0,05", as European spreadsheets
// export) rewritten into `out` with a point; false when it holds a '.',
// which is then a thousands separator (refused, as ',' is without the option).
bool decimal_comma_to_point(std::string_view text, std::string& out);
// Why decimal_comma_to_point refused a number, for messages.
inline constexpr std::string_view k_point_under_decimal_comma =
    "a '.' in a number is a thousands separator under --decimal-comma, and those are not accepted";

} // namespace llmcost
