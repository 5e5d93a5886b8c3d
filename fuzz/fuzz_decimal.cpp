// Fuzzes the exact-decimal parsers (Decimal::parse, parse_scientific,
// parse_count) and the other scalar parsers of input fields (dates,
// timestamps, UTC offsets, written precision), and checks Decimal's
// invariants on every value that parses:
//   * printing then parsing gives the same value (to_exact_string, to_string(12));
//   * parse_scientific and parse_count agree with parse on plain decimals;
//   * arithmetic either succeeds or throws std::overflow_error.
// Input: one or two operands separated by the first '\n' (the second one
// exercises +, -, mul, mul_div).

#include "fuzz_common.hpp"

#include "llmcost/date.hpp"
#include "llmcost/decimal.hpp"
#include "llmcost/timestamp.hpp"
#include "llmcost/usage.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

using llmcost::Decimal;
using llmcost_fuzz::defect;

namespace {

std::string show(Decimal d)
{
  return llmcost::int128_to_string(d.raw()) + "e-12";
}

void check_value(std::string_view text, Decimal d)
{
  for (int places = 0; places <= Decimal::k_scale_digits; ++places) {
    const std::string printed = d.to_string(places); // may throw overflow_error (rounding up at the edge)
    if (!Decimal::parse(printed)) {
      defect("to_string output does not parse", printed);
    }
  }
  const std::string exact = d.to_exact_string(0);
  const auto back = Decimal::parse(exact);
  if (!back || *back != d) {
    defect("to_exact_string does not round-trip", std::string(text) + " -> " + exact + " (" + show(d) + ")");
  }
  const auto sci = Decimal::parse_scientific(exact);
  if (!sci || *sci != d) {
    defect("parse_scientific disagrees with parse", exact);
  }
  if (d.fraction_digits() < 0 || d.fraction_digits() > Decimal::k_scale_digits) {
    defect("fraction_digits out of range", exact);
  }
  if (d.is_integer() != (d.fraction_digits() == 0)) {
    defect("is_integer disagrees with fraction_digits", exact);
  }
  (void)llmcost::written_decimal_places(exact);
  (void)d.whole();
  (void)-d;
}

void arithmetic(Decimal a, Decimal b)
{
  llmcost_fuzz::expect_clean([&] { (void)(a + b); });
  llmcost_fuzz::expect_clean([&] { (void)(a - b); });
  llmcost_fuzz::expect_clean([&] {
    bool inexact = false;
    const Decimal product = a.mul(b, &inexact);
    const Decimal swapped = b.mul(a);
    if (product != swapped) {
      defect("mul is not commutative", show(a) + " * " + show(b));
    }
  });
  if (b.raw() > 0) {
    llmcost_fuzz::expect_clean([&] {
      // a * b / b == a exactly when nothing was rounded.
      bool inexact = false;
      const Decimal q = a.mul_div(b, b, &inexact);
      if (q != a) {
        defect("a * b / b != a", show(a) + ", " + show(b));
      }
    });
    llmcost_fuzz::expect_clean([&] { (void)a.mul_div(Decimal::from_int(1'000'000), b); });
  }
  llmcost_fuzz::expect_clean([&] { (void)a.mul_int(static_cast<std::int64_t>(b.whole() & 0x7fffffff)); });
  if ((a < b) == (b < a) && a != b) {
    defect("ordering is inconsistent", show(a) + ", " + show(b));
  }
}

std::optional<Decimal> parse_all(std::string_view text)
{
  std::string why;
  const auto plain = Decimal::parse(text, &why);
  if (!plain && why.empty()) {
    defect("parse failed without saying why", std::string(text));
  }
  std::string why_sci;
  const auto sci = Decimal::parse_scientific(text, &why_sci);
  std::string why_count;
  const auto count = Decimal::parse_count(text, &why_count);
  if (plain) {
    if (!sci || *sci != *plain) {
      defect("parse_scientific rejects or changes a plain decimal", std::string(text));
    }
    if (!count || *count != *plain) {
      defect("parse_count rejects or changes a plain decimal", std::string(text));
    }
  }
  for (const auto& d : {plain, sci, count}) {
    if (d) {
      llmcost_fuzz::expect_clean([&] { check_value(text, *d); });
    }
  }
  return plain ? plain : sci ? sci : count;
}

void scalar_parsers(std::string_view text)
{
  (void)llmcost::written_decimal_places(text);
  if (const auto day = llmcost::parse_date(text)) {
    const std::string printed = llmcost::format_date(*day);
    const auto again = llmcost::parse_date(printed);
    if (!again || *again != *day) {
      defect("parse_date/format_date do not round-trip", std::string(text) + " -> " + printed);
    }
    (void)llmcost::week_key(*day);
    (void)llmcost::month_key(*day);
  }
  if (const auto seconds = llmcost::parse_timestamp(text)) {
    for (std::int32_t offset : {0, -50400, 50400}) {
      const auto day = llmcost::day_at_offset(*seconds, offset);
      (void)llmcost::week_key(day);
      (void)llmcost::month_key(day);
    }
  }
  (void)llmcost::parse_utc_offset(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view first = input.substr(0, newline);
  const auto a = parse_all(first);
  scalar_parsers(first);
  if (newline != std::string_view::npos) {
    const std::string_view second = input.substr(newline + 1);
    const auto b = parse_all(second);
    if (a && b) {
      arithmetic(*a, *b);
    }
  } else if (a) {
    arithmetic(*a, *a);
  }
  return 0;
}
