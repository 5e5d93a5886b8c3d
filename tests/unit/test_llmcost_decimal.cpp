// Exact decimal money: parsing, rounding, checked arithmetic.

#include "llmcost/decimal.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using llmcost::Decimal;
using llmcost::int128;
using llmcost::int128_to_string;
using llmcost::mul_div_round;
using llmcost::uint128;
using llmcost::test::contains;
using llmcost::test::dec;

namespace {

constexpr int128 k_max = static_cast<int128>(~static_cast<uint128>(0) >> 1); // 2^127 - 1
constexpr int128 k_min = -k_max - 1;                                         // -2^127
constexpr int128 pow2(int bits)
{
  return static_cast<int128>(1) << bits;
}

// Parse failure reason, or "<parsed>" when the text was accepted.
std::string reject_reason(std::string_view text)
{
  std::string why;
  return Decimal::parse(text, &why) ? std::string("<parsed>") : why;
}

std::string count_reject_reason(std::string_view text)
{
  std::string why;
  return Decimal::parse_count(text, &why) ? std::string("<parsed>") : why;
}

// The exact text of what parse made of `text`, or why it refused.
std::string dec_or_reason(std::string_view text)
{
  std::string why;
  auto value = Decimal::parse(text, &why);
  return value ? value->to_exact_string(0) : "rejected: " + why;
}

// The raw 1e-12 units of a parsed number, as text.
std::string raw_of(std::string_view text)
{
  return int128_to_string(dec(text).raw());
}

} // namespace

TEST_SUITE("llmcost/decimal")
{
  TEST_CASE("int128_to_string prints the extremes")
  {
    CHECK(int128_to_string(0) == "0");
    CHECK(int128_to_string(-7) == "-7");
    CHECK(int128_to_string(k_max) == "170141183460469231731687303715884105727");
    CHECK(int128_to_string(k_min) == "-170141183460469231731687303715884105728");
  }

  TEST_CASE("parse accepts plain decimal forms")
  {
    // One unit is 1e-12: "1" is 10^12 raw units.
    CHECK(raw_of("0") == "0");
    CHECK(raw_of("1") == "1000000000000");
    CHECK(raw_of("-0.5") == "-500000000000");
    CHECK(raw_of("+1") == "1000000000000");
    CHECK(raw_of(".5") == "500000000000");
    CHECK(raw_of("5.") == "5000000000000");
    CHECK(raw_of("0.000000000001") == "1");
    CHECK(raw_of("123.456") == "123456000000000");
    CHECK(dec("-0").is_zero());
    CHECK_FALSE(dec("-0").is_negative());
    CHECK(dec("007.50") == dec("7.5"));
  }

  TEST_CASE("parse rejects what is not a plain decimal, saying why")
  {
    CHECK(contains(reject_reason("1e5"), "exponent"));
    CHECK(contains(reject_reason("1E5"), "exponent"));
    CHECK(contains(reject_reason("2.5e-3"), "exponent"));
    CHECK(contains(reject_reason("1,000"), "thousands separators"));
    CHECK(reject_reason("") == "empty number");
    CHECK(reject_reason("-") != "<parsed>");
    CHECK(reject_reason("+") != "<parsed>");
    CHECK(reject_reason(".") != "<parsed>");
    CHECK(reject_reason("abc") != "<parsed>");
    CHECK(reject_reason("1.2.3") != "<parsed>");
    CHECK(reject_reason(" 1") != "<parsed>");
    CHECK(reject_reason("1 ") != "<parsed>");
    CHECK(reject_reason("--1") != "<parsed>");
    CHECK(reject_reason("0x10") != "<parsed>");
  }

  TEST_CASE("parse keeps at most 12 significant decimals")
  {
    // 13 significant fractional digits cannot be held exactly at 1e-12.
    CHECK(contains(reject_reason("0.1234567890123"), "more than 12 decimal places"));
    CHECK(contains(reject_reason("1.0000000000001"), "more than 12 decimal places"));
    // Zeros past the 12th digit change nothing and are accepted.
    CHECK(raw_of("0.123456789012000") == "123456789012");
    CHECK(raw_of("-2.500000000000000000") == "-2500000000000");
    // A 40-digit fraction of zeros.
    CHECK(dec("1.0000000000000000000000000000000000000000") == Decimal::from_int(1));
    CHECK(dec(".0000000000000000000000000000000000000000").is_zero());
  }

  TEST_CASE("parse rejects numbers beyond the 128-bit range")
  {
    // The largest value is (2^127 - 1) units = 170141183460469231731687303.715884105727.
    CHECK(int128_to_string(dec("170141183460469231731687303.715884105727").raw()) == int128_to_string(k_max));
    CHECK(contains(reject_reason("10000000000000000000000000000000000000000"), "too large"));
    CHECK(contains(reject_reason("170141183460469231731687304"), "too large"));
    // Whole part at the limit, fraction pushing past 2^127 - 1: must not wrap negative.
    CHECK_MESSAGE(reject_reason("170141183460469231731687303.715884105728") != "<parsed>", "parsed as ",
                  dec_or_reason("170141183460469231731687303.715884105728"));
    CHECK_MESSAGE(reject_reason("170141183460469231731687303.999999999999") != "<parsed>", "parsed as ",
                  dec_or_reason("170141183460469231731687303.999999999999"));
  }

  TEST_CASE("parse_count multiplies k, M and B suffixes exactly")
  {
    CHECK(dec("100000") == *Decimal::parse_count("100k"));
    CHECK(dec("1500000") == *Decimal::parse_count("1.5M"));
    CHECK(dec("2000000000") == *Decimal::parse_count("2B"));
    CHECK(dec("2500") == *Decimal::parse_count("2.5k"));
    CHECK(dec("250") == *Decimal::parse_count("250"));
    // 0.000001M = 1 (exact: 10^-6 x 10^6).
    CHECK(dec("1") == *Decimal::parse_count("0.000001M"));
    CHECK(count_reject_reason("k") == "empty number");
    CHECK(count_reject_reason("1,5M") != "<parsed>");
    CHECK(count_reject_reason("1Mk") != "<parsed>");
  }

  TEST_CASE("to_string rounds half-to-even")
  {
    CHECK(dec("0.125").to_string(2) == "0.12"); // 2 is even: stays
    CHECK(dec("0.135").to_string(2) == "0.14"); // 3 is odd: up
    CHECK(dec("-0.125").to_string(2) == "-0.12");
    CHECK(dec("-0.135").to_string(2) == "-0.14");
    CHECK(dec("0.1251").to_string(2) == "0.13"); // above the half: up
    CHECK(dec("0.005").to_string(2) == "0.00");
    CHECK(dec("0.015").to_string(2) == "0.02");
    CHECK(dec("2.5").to_string(0) == "2");
    CHECK(dec("3.5").to_string(0) == "4");
    CHECK(dec("-2.5").to_string(0) == "-2");
    CHECK(dec("0.999").to_string(2) == "1.00");
    CHECK(dec("1234.5").to_string(2) == "1234.50");
    CHECK(dec("7").to_string(3) == "7.000");
    CHECK(dec("0.000000000001").to_string(12) == "0.000000000001");
    // A negative amount that rounds to zero prints no sign.
    CHECK(dec("-0.004").to_string(2) == "0.00");
  }

  TEST_CASE("to_string near the top of the range does not wrap")
  {
    // 170141183460469231731687303.715884105727 rounds to ...304 (0 places) and
    // ...303.72 (2 places); neither rounded value fits in 128 bits, so the
    // only acceptable outcomes are the correct text or an overflow_error.
    const Decimal top = Decimal::from_raw(k_max);
    auto shown = [&](int places) {
      try {
        return top.to_string(places);
      } catch (const std::overflow_error&) {
        return std::string("overflow_error");
      }
    };
    const std::string zero_places = shown(0);
    const std::string two_places = shown(2);
    INFO("to_string(0) = ", zero_places, "; to_string(2) = ", two_places);
    CHECK((zero_places == "170141183460469231731687304" || zero_places == "overflow_error"));
    CHECK((two_places == "170141183460469231731687303.72" || two_places == "overflow_error"));
    CHECK(top.to_string(12) == "170141183460469231731687303.715884105727");
  }

  TEST_CASE("to_exact_string trims trailing zeros, keeping min_places")
  {
    CHECK(dec("5").to_exact_string() == "5.00");
    CHECK(dec("5").to_exact_string(0) == "5");
    CHECK(dec("1.10").to_exact_string(0) == "1.1");
    CHECK(dec("1.10").to_exact_string(2) == "1.10");
    CHECK(dec("0.000000001").to_exact_string() == "0.000000001");
    CHECK(dec("-0.000000000001").to_exact_string() == "-0.000000000001");
    CHECK(dec("3.885").to_exact_string() == "3.885");
    CHECK(dec("215").to_exact_string() == "215.00");
    CHECK(dec("0").to_exact_string() == "0.00");
  }

  TEST_CASE("mul and mul_div are exact for token pricing")
  {
    bool inexact = false;
    // 100,000,000 tokens x $0.95 / 1,000,000 = $95 exactly.
    const Decimal cost = dec("100000000").mul_div(dec("0.95"), dec("1000000"), &inexact);
    CHECK(cost == dec("95"));
    CHECK_FALSE(inexact);
    // 300,000 x 0.95 / 1M = 0.285 exactly.
    CHECK(dec("300000").mul_div(dec("0.95"), dec("1000000")) == dec("0.285"));
    // Batch multiplier: 1.15 x 0.6 = 0.69; 0.95 x 0.6 = 0.57.
    inexact = false;
    CHECK(dec("1.15").mul(dec("0.6"), &inexact) == dec("0.69"));
    CHECK_FALSE(inexact);
    CHECK(dec("0.95").mul(dec("0.6")) == dec("0.57"));
    // 1 token x $0.000001 / 1M = 1e-12: the smallest unit, still exact.
    inexact = false;
    CHECK(dec("1").mul_div(dec("0.000001"), dec("1000000"), &inexact) == dec("0.000000000001"));
    CHECK_FALSE(inexact);
    CHECK(dec("-2.5").mul(dec("4")) == dec("-10"));
    CHECK(dec("0.5").mul_int(3) == dec("1.5"));
  }

  TEST_CASE("mul and mul_div round half-to-even at 1e-12 and say so")
  {
    bool inexact = false;
    // 0.000001 x 0.0000005 = 5e-13: a tie between 0 and 1e-12, 0 is even.
    CHECK(dec("0.000001").mul(dec("0.0000005"), &inexact).is_zero());
    CHECK(inexact);
    // 0.000001 x 0.0000015 = 1.5e-12: a tie between 1 and 2, 2 is even.
    inexact = false;
    CHECK(dec("0.000001").mul(dec("0.0000015"), &inexact) == dec("0.000000000002"));
    CHECK(inexact);
    // 1 x 1 / 3 = 0.333333333333|333...
    inexact = false;
    CHECK(dec("1").mul_div(dec("1"), dec("3"), &inexact) == dec("0.333333333333"));
    CHECK(inexact);
    // 2 x 1 / 3 = 0.666666666666|666... rounds up.
    CHECK(dec("2").mul_div(dec("1"), dec("3")) == dec("0.666666666667"));
    CHECK_THROWS_AS(dec("1").mul_div(dec("1"), dec("0")), std::domain_error);
    CHECK_THROWS_AS(dec("1").mul_div(dec("1"), dec("-1")), std::domain_error);
  }

  TEST_CASE("mul_div_round rounds half-to-even")
  {
    bool inexact = false;
    CHECK(int128_to_string(mul_div_round(6, 1, 3, &inexact)) == "2");
    CHECK_FALSE(inexact);
    CHECK(int128_to_string(mul_div_round(5, 1, 2, &inexact)) == "2"); // 2.5
    CHECK(inexact);
    CHECK(int128_to_string(mul_div_round(7, 1, 2)) == "4");   // 3.5
    CHECK(int128_to_string(mul_div_round(-5, 1, 2)) == "-2"); // -2.5
    CHECK(int128_to_string(mul_div_round(-7, 1, 2)) == "-4"); // -3.5
    CHECK(int128_to_string(mul_div_round(5, -1, 2)) == "-2");
    CHECK(int128_to_string(mul_div_round(-5, -1, 2)) == "2");
    CHECK(int128_to_string(mul_div_round(1, 2, 3)) == "1"); // 0.666...
    CHECK(int128_to_string(mul_div_round(1, 1, 3)) == "0"); // 0.333...
    CHECK_THROWS_AS(mul_div_round(1, 1, 0), std::domain_error);
    CHECK_THROWS_AS(mul_div_round(1, 1, -3), std::domain_error);
  }

  TEST_CASE("mul_div_round with divisors wider than 64 bits")
  {
    const int128 d = pow2(65);
    CHECK(int128_to_string(mul_div_round(3 * pow2(64), 1, d)) == "2"); // 1.5 -> 2
    CHECK(int128_to_string(mul_div_round(5 * pow2(64), 1, d)) == "2"); // 2.5 -> 2
    CHECK(int128_to_string(mul_div_round(7 * pow2(64), 1, d)) == "4"); // 3.5 -> 4
    CHECK(int128_to_string(mul_div_round(pow2(64), 1, d)) == "0");     // 0.5 -> 0
    CHECK(int128_to_string(mul_div_round(pow2(64) + 1, 1, d)) == "1"); // just over 0.5
  }

  TEST_CASE("mul_div_round near 2^127: 256-bit intermediate and overflow detection")
  {
    const std::string max_text = int128_to_string(k_max);
    // The intermediate product overflows 128 bits; the quotient does not.
    CHECK(int128_to_string(mul_div_round(k_max, 1, 1)) == max_text);
    CHECK(int128_to_string(mul_div_round(k_max, 3, 3)) == max_text);
    CHECK(int128_to_string(mul_div_round(k_max, k_max, k_max)) == max_text);
    CHECK(int128_to_string(mul_div_round(-k_max, k_max, k_max)) == "-" + max_text);
    CHECK(int128_to_string(mul_div_round(pow2(126), 2, 2)) == int128_to_string(pow2(126)));
    // -2^127 fits in a signed 128-bit integer.
    CHECK(int128_to_string(mul_div_round(k_min, 1, 1)) == int128_to_string(k_min));

    // Quotients that do not fit.
    CHECK_THROWS_AS(mul_div_round(k_max, 2, 1), std::overflow_error);
    CHECK_THROWS_AS(mul_div_round(pow2(126), 2, 1), std::overflow_error); // exactly 2^127
    CHECK_THROWS_AS(mul_div_round(k_max, k_max, 1), std::overflow_error);
    CHECK_THROWS_AS(mul_div_round(-k_max, 2, 1), std::overflow_error);

    // (2^128 - 1) / 3 = 0x5555...5; times 3 is 2^128 - 1.
    const int128 third = static_cast<int128>(~static_cast<uint128>(0) / 3);
    // (2^128 - 1) / 2 = (2^127 - 1) + 1/2: the tie rounds to even 2^127, which does not fit.
    CHECK_THROWS_AS(mul_div_round(third, 3, 2), std::overflow_error);
    // (2^128 - 1) / 4 = (2^126 - 1) + 3/4: rounds up to 2^126.
    CHECK(int128_to_string(mul_div_round(third, 3, 4)) == int128_to_string(pow2(126)));
  }

  TEST_CASE("Decimal arithmetic overflow throws")
  {
    const Decimal top = Decimal::from_raw(k_max);
    const Decimal bottom = Decimal::from_raw(k_min);
    const Decimal unit = Decimal::from_raw(1);
    CHECK_THROWS_AS(top + unit, std::overflow_error);
    CHECK_THROWS_AS(bottom - unit, std::overflow_error);
    CHECK_THROWS_AS(-bottom, std::overflow_error);
    CHECK(top + (-unit) == Decimal::from_raw(k_max - 1));
    Decimal sum = top;
    CHECK_THROWS_AS(sum += unit, std::overflow_error);
    // 10^13 x 10^14 = 10^27, above the ~1.7 x 10^26 limit.
    CHECK_THROWS_AS(dec("10000000000000").mul(dec("100000000000000")), std::overflow_error);
    CHECK_THROWS_AS(top.mul_int(2), std::overflow_error);
  }

  TEST_CASE("a million small lines sum exactly")
  {
    // 1,000,000 x 0.000000001 = 0.001; 1,000,000 x 0.00123456789 = 1234.56789.
    Decimal nano_sum;
    Decimal odd_sum;
    for (int i = 0; i < 1'000'000; ++i) {
      nano_sum += *Decimal::parse("0.000000001");
      odd_sum += *Decimal::parse("0.00123456789");
    }
    CHECK(nano_sum == dec("0.001"));
    CHECK(nano_sum.to_exact_string() == "0.001");
    CHECK(odd_sum == dec("1234.56789"));
    CHECK(odd_sum.to_exact_string() == "1234.56789");
  }

  TEST_CASE("round, is_integer, whole and fraction_digits")
  {
    CHECK(dec("1.005").round(2) == dec("1.00"));
    CHECK(dec("1.015").round(2) == dec("1.02"));
    CHECK(dec("1.5").round(12) == dec("1.5"));
    CHECK(dec("12").is_integer());
    CHECK_FALSE(dec("12.5").is_integer());
    CHECK(int128_to_string(dec("-12.9").whole()) == "-12");
    CHECK(dec("0.25").fraction_digits() == 2);
    CHECK(dec("3").fraction_digits() == 0);
    CHECK(dec("0.000000000001").fraction_digits() == 12);
  }
}

TEST_CASE("decimal_comma_to_point: a comma becomes the point; a point is refused")
{
  std::string out;
  REQUIRE(llmcost::decimal_comma_to_point("0,049804", out));
  CHECK(out == "0.049804");
  REQUIRE(llmcost::decimal_comma_to_point("1200", out));
  CHECK(out == "1200");
  CHECK_FALSE(llmcost::decimal_comma_to_point("1.234,56", out));
  CHECK_FALSE(llmcost::decimal_comma_to_point("12.000", out));
  // "1,234,5" keeps two points, so the parser still refuses it as a number.
  REQUIRE(llmcost::decimal_comma_to_point("1,234,5", out));
  CHECK_FALSE(Decimal::parse(out).has_value());
}
