// The one-pass readers of usage fields against their reference forms: the
// billed-amount fast path (eight digits at a time) must give exactly what
// Decimal::parse_scientific and written_decimal_places give, and trim's
// shortcut what the plain loop gives.

#include "llmcost/decimal.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"
#include "llmcost/usage.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

using llmcost::Decimal;
using llmcost::parse_billed_amount;
using llmcost::same_text;
using llmcost::trim;
using llmcost::written_decimal_places;

namespace {

void check_billed(const std::string& text)
{
  CAPTURE(text);
  int places = -1;
  const auto fast = parse_billed_amount(text, places);
  const auto reference = Decimal::parse_scientific(text);
  REQUIRE(fast.has_value() == reference.has_value());
  if (reference) {
    CHECK(fast->raw() == reference->raw());
    CHECK(places == written_decimal_places(text));
  }
}

// Trim by the definition: spaces and tabs at both ends, and a '\r' at the end.
std::string_view trim_reference(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

TEST_SUITE("usage fields")
{
  TEST_CASE("billed amounts: eight fraction digits read at once, as the digit-by-digit path reads them")
  {
    for (const char* text : {"0.00300352",
                             "0.00000000",
                             "0.99999999",
                             "12.34567890",
                             "-0.00087134",
                             "1.123456789012",
                             "1.1234567890123",
                             "0.0030035",
                             "0.003003521",
                             "0.0030035x",
                             "0.003/0352",
                             "0.003:0352",
                             "0.0030035\x80",
                             "0.12345678e-3",
                             "0.1234567",
                             "123456789012345678.12345678",
                             "1234567890123456789.1",
                             ".12345678",
                             "0.",
                             "-",
                             "",
                             "1e5",
                             "0.1234567 ",
                             " 0.12345678",
                             "0.12345678\r"}) {
      check_billed(text);
    }
    // Random strings over digits and the bytes around them in ASCII, so that
    // every byte of the eight is tried as a non-digit neighbour of '0' and '9'.
    std::mt19937 random(7);
    const std::string alphabet = "0123456789012345678901234567890123456789./:-+eE \x7f\xb0\xc6";
    for (int round = 0; round < 20000; ++round) {
      std::string text = std::uniform_int_distribution<int>(0, 3)(random) == 0 ? "-" : "";
      text += std::to_string(std::uniform_int_distribution<int>(0, 999)(random));
      text += '.';
      const int length = std::uniform_int_distribution<int>(0, 14)(random);
      for (int k = 0; k < length; ++k) {
        const bool digit = std::uniform_int_distribution<int>(0, 9)(random) != 0;
        text += digit ? static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(random))
                      : alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(random)];
      }
      check_billed(text);
    }
  }

  TEST_CASE("trim: the shortcut for fields with nothing to trim agrees with the loop")
  {
    for (const char* text : {"", " ", "\t", "\r", "a", " a", "a ", "a\r", "\ta\t", "a b", "  a b \r", "!", "~", "\x80",
                             " \x80 ", "\x1f", "a\x1f"}) {
      CAPTURE(text);
      CHECK(trim(text) == trim_reference(text));
    }
  }

  TEST_CASE("same_text: equal exactly when the bytes are, at every length and at every position of a difference")
  {
    std::string a;
    for (std::size_t n = 0; n <= 40; ++n) {
      const std::string text = a;
      CAPTURE(n);
      CHECK(same_text(text, std::string(text)));
      for (std::size_t k = 0; k < n; ++k) {
        std::string other = text;
        other[k] = static_cast<char>(other[k] ^ 0x01);
        CAPTURE(k);
        CHECK_FALSE(same_text(text, other));
      }
      CHECK_FALSE(same_text(text, text + "x"));
      if (n > 0) {
        CHECK_FALSE(same_text(text, text.substr(1)));
      }
      a += static_cast<char>('a' + n % 26);
    }
  }
}

TEST_CASE("timestamps of ten digits are Unix seconds read in one step; anything else is not a number of seconds")
{
  std::mt19937_64 random(10);
  for (int n = 0; n < 2000; ++n) {
    std::string text;
    for (int k = 0; k < 10; ++k) {
      text += static_cast<char>('0' + random() % 10);
    }
    CAPTURE(text);
    REQUIRE(llmcost::parse_timestamp(text) == std::stoll(text));
    for (std::size_t k = 0; k < text.size(); ++k) {
      for (const char bad : {'/', ':', 'a', ' ', '.', '\x80'}) {
        std::string broken = text;
        broken[k] = bad;
        CAPTURE(broken);
        CHECK_FALSE(llmcost::parse_timestamp(broken).has_value());
      }
    }
  }
  CHECK(llmcost::parse_timestamp("0000000000") == 0);
  CHECK(llmcost::parse_timestamp("9999999999") == 9999999999LL);
  CHECK(llmcost::parse_timestamp("2026-01-05") == 1767571200); // ten characters, but a date
}
