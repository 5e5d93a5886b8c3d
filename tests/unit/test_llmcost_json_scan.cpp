// The hot-path JSON reader: what it accepts must be exactly what a complete
// JSON parser accepts (nlohmann/json is the reference here), and values read
// from the tape must match.

#include "llmcost/json_scan.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace llmcost;

namespace {

bool reference_accepts(const std::string& text)
{
  return nlohmann::json::accept(text);
}

} // namespace

TEST_CASE("json_scan: accepts and rejects exactly what a full JSON parser does")
{
  const std::vector<std::string> cases = {"{}",
                                          "[]",
                                          "0",
                                          "-0",
                                          "1.5e-3",
                                          "-12E+4",
                                          "\"x\"",
                                          "true",
                                          "false",
                                          "null",
                                          " {\"a\" : [1, 2, {\"b\": null}]} ",
                                          "{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}",
                                          "\"\xC3\xA9\"",
                                          "\"\xF0\x9F\x98\x80\"",
                                          "[1,]",
                                          "{\"a\":1,}",
                                          "{,}",
                                          "[01]",
                                          "[1.]",
                                          "[.5]",
                                          "[1e]",
                                          "[-]",
                                          "[+1]",
                                          "{\"a\" 1}",
                                          "{a:1}",
                                          "[tru]",
                                          "[nul]",
                                          "\"abc",
                                          "\"\\x\"",
                                          "\"\\u12\"",
                                          "\"\\ud800\"",
                                          "\"\\udc00\"",
                                          "\"\xFF\"",
                                          "\"\xC0\xAF\"",
                                          "\"\xED\xA0\x80\"",
                                          "\"\xF4\x90\x80\x80\"",
                                          "\"a\tb\"",
                                          "[1] [2]",
                                          "",
                                          "   ",
                                          "[",
                                          "{\"a\":",
                                          "[[[[]]]]",
                                          "{\"a\":{\"b\":{\"c\":[]}}}",
                                          "1 2",
                                          "\"\\/\""};
  JsonTape tape;
  JsonSyntaxError error;
  for (const auto& text : cases) {
    CAPTURE(text);
    CHECK(tape.parse(text, error) == reference_accepts(text));
  }
}

TEST_CASE("json_scan: members, elements and text")
{
  JsonTape tape;
  JsonSyntaxError error;
  const std::string text = R"({"id":"x\"y","usage":{"prompt_tokens":12,"cost":0.00050593,"d":{"c":1e-5}},)"
                           R"("choices":[{"n":1},{"n":2},3],"a":1,"a":2,"nil":null,"t":true})";
  REQUIRE(tape.parse(text, error));
  const JsonValue root = tape.root();
  CHECK(root.is(JsonType::object));
  CHECK(root["id"].text() == "x\"y");
  CHECK(root["id"].raw() == R"("x\"y")");
  CHECK(root.at({"usage", "prompt_tokens"}).text() == "12");
  CHECK(root.at({"usage", "cost"}).text() == "0.00050593"); // as written: never a double
  CHECK(root.at({"usage", "d", "c"}).text() == "1e-5");
  CHECK(!root.at({"usage", "missing"}));
  CHECK(!root.at({"nil"})); // null counts as missing along a path
  CHECK(root["nil"].is(JsonType::null));
  CHECK(root["a"].text() == "2"); // a repeated key: the last one wins
  CHECK(root["t"].is(JsonType::boolean));
  CHECK(root["choices"].size() == 3);
  std::vector<std::string> seen;
  root["choices"].for_each_element(
      [&](JsonValue e) { seen.emplace_back(e.is(JsonType::object) ? e["n"].text() : e.raw()); });
  CHECK(seen == std::vector<std::string>{"1", "2", "3"});
  CHECK(root.at({"usage"}).raw() == R"({"prompt_tokens":12,"cost":0.00050593,"d":{"c":1e-5}})");
}

TEST_CASE("json_scan: escapes are decoded on demand, and the tape is reused")
{
  JsonTape tape;
  JsonSyntaxError error;
  REQUIRE(tape.parse(R"({"k\u0065y":"a\tb\u00e9\ud83d\ude00"})", error));
  CHECK(tape.root()["key"].text() == "a\tb\xC3\xA9\xF0\x9F\x98\x80");
  REQUIRE(tape.parse(R"(["\n", "plain"])", error));
  std::vector<std::string> seen;
  tape.root().for_each_element([&](JsonValue e) { seen.emplace_back(e.text()); });
  CHECK(seen == std::vector<std::string>{"\n", "plain"});
}

TEST_CASE("json_scan: errors say where and what was expected")
{
  JsonTape tape;
  JsonSyntaxError error;
  CHECK_FALSE(tape.parse(R"({"a":1,"b")", error));
  CHECK(error.offset == 10);
  CHECK(error.problem == "expected ':' after a member name, found the end of the text");
  CHECK_FALSE(tape.parse("[1 2]", error));
  CHECK(error.problem == "expected ',' or ']' after an array element, found '2'");
  CHECK_FALSE(tape.parse("\"\xFF\"", error));
  CHECK(error.problem == "invalid UTF-8 (byte 0xFF) in a string");
  // Deep nesting is an error, not a stack overflow.
  CHECK_FALSE(tape.parse(std::string(100000, '['), error));
  CHECK(error.problem == "nested more than 256 deep (expected at most 256 levels of arrays and objects)");
  std::string deep_ok = std::string(256, '[') + std::string(256, ']');
  CHECK(tape.parse(deep_ok, error));
}

TEST_CASE("json_scan: numbers of digits alone are marked as such")
{
  JsonTape tape;
  JsonSyntaxError error;
  REQUIRE(tape.parse(R"({"a":1234,"b":0,"c":-1,"d":1.0,"e":1e3,"f":"12","g":[7],"h":12E0,"i":null})", error));
  const JsonValue root = tape.root();
  CHECK(root["a"].digits_only() == "1234");
  CHECK(root["b"].digits_only() == "0");
  for (const char* other : {"c", "d", "e", "f", "h", "i", "missing"}) {
    CAPTURE(other);
    CHECK(root[other].digits_only().empty());
  }
  CHECK(root["g"].digits_only().empty());
  JsonValue seven;
  root["g"].for_each_element([&](JsonValue e) { seven = e; });
  CHECK(seven.digits_only() == "7");
  // Nodes are reused: a later document's non-numbers never read as digits.
  REQUIRE(tape.parse(R"({"a":"1234","b":[0]})", error));
  CHECK(tape.root()["a"].digits_only().empty());
}
