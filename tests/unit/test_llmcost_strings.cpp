#include "llmcost/strings.hpp"

#include <doctest/doctest.h>

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
}
