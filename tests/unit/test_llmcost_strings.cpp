#include "llmcost/strings.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>

using namespace llmcost;

TEST_SUITE("llmcost/strings")
{
  TEST_CASE("shorten keeps short text and cuts long text on a character boundary")
  {
    CHECK(shorten("kimi-k2.6", 9) == "kimi-k2.6");
    CHECK(shorten("kimi-k2.6", 4) == "kimi... (9 bytes)");
    // "é" is two bytes: a cut inside it backs off to before it.
    CHECK(shorten("ab\xC3\xA9z", 3) == "ab... (5 bytes)");
    CHECK(shorten(std::string(1000, 'm'), 2) == "mm... (1000 bytes)");
  }

  TEST_CASE("printable escapes what a terminal would hide or mangle")
  {
    CHECK(printable("plain text, tab\there\n") == "plain text, tab\there\n");
    CHECK(printable("caf\xC3\xA9") == "caf\xC3\xA9"); // valid UTF-8 stays
    CHECK(printable(std::string("10\0"
                                "00",
                                5)) == "10\\x0000");
    CHECK(printable("\x1B[31mred") == "\\x1B[31mred");
    CHECK(printable("k2.\xFF"
                    "6") == "k2.\\xFF6");
    CHECK(printable("\xEF\xBB\xBF"
                    "2026") == "\\uFEFF2026");
    CHECK(printable("\xC2\x85") == "\\u0085");             // C1 control NEL
    CHECK(printable("\xC0\xAF") == "\\xC0\\xAF");          // overlong '/'
    CHECK(printable("\xED\xA0\x80") == "\\xED\\xA0\\x80"); // a surrogate
    CHECK(printable("\xE2\x82") == "\\xE2\\x82");          // truncated sequence
  }

  TEST_CASE("plain_digits reads 1 to 18 plain digits, in a word or byte by byte, and nothing else")
  {
    // What it should say: the digits' value, or nothing.
    auto reference = [](const std::string& text) -> std::optional<std::uint64_t> {
      if (text.empty() || text.size() > 18) {
        return std::nullopt;
      }
      std::uint64_t v = 0;
      for (const char c : text) {
        if (c < '0' || c > '9') {
          return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return v;
    };
    auto check = [&](const std::string& text) {
      const std::optional<std::uint64_t> expected = reference(text);
      // Followed by bytes that may be read (digits and a non-digit), or by none.
      for (const std::string& after : {std::string(), std::string("7777777,"), std::string(",9999999")}) {
        const std::string buffer = text + after;
        const std::string_view view(buffer.data(), text.size());
        std::uint64_t value = 12345;
        const bool read = plain_digits(view, buffer.data() + buffer.size(), value);
        CHECK_MESSAGE(read == expected.has_value(), "text: [" << text << "] after: [" << after << "]");
        if (read && expected) {
          CHECK_MESSAGE(value == *expected, "text: [" << text << "]");
        }
      }
    };
    check("");
    check("0");
    check("00000000");
    check("99999999");
    check("12345678");
    check("123456789");
    check("999999999999999999");
    check("1000000000000000000"); // 19 digits: not plain
    // Every byte value at every position of every length up to 10.
    for (std::size_t n = 1; n <= 10; ++n) {
      for (std::size_t at = 0; at < n; ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text(n, '3');
          text[at] = static_cast<char>(byte);
          check(text);
        }
      }
    }
  }
}
