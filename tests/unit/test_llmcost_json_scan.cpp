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

TEST_CASE("json_scan: a byte that needs a look is found at any offset of a long string")
{
  // Strings long enough for the block loops (16 bytes with SSE2, 8 in the
  // scalar build), the byte at each offset: every block lane and the tail.
  const std::vector<std::string> bytes = {"\"",   "\\n",  "\x01",     "\x1F", "\x7F", "\x80",
                                          "\x9F", "\xA0", "\xC3\xA9", "\xC3", "\xFF", "\t"};
  JsonTape tape;
  JsonSyntaxError error;
  for (const auto& byte : bytes) {
    for (std::size_t at = 0; at < 40; ++at) {
      const std::string text = "[\"" + std::string(at, 'a') + byte + std::string(40 - at, 'b') + "\"]";
      CAPTURE(text);
      CHECK(tape.parse(text, error) == reference_accepts(text));
    }
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

TEST_CASE("json_scan: a decoded \\u0000 is flagged until the next parse")
{
  JsonTape tape;
  JsonSyntaxError error;
  REQUIRE(tape.parse(R"({"id":"a\u0000b","model":"m"})", error));
  CHECK_FALSE(tape.decoded_nul()); // nothing decoded yet
  CHECK(tape.root()["model"].text() == "m");
  CHECK_FALSE(tape.decoded_nul());
  CHECK(tape.root()["id"].text() == std::string_view("a\0b", 3));
  CHECK(tape.decoded_nul());
  REQUIRE(tape.parse(R"({"id":"a\u0001b"})", error));
  CHECK(tape.root()["id"].text().size() == 3);
  CHECK_FALSE(tape.decoded_nul());
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

TEST_CASE("json_scan: a member's value carries its name")
{
  JsonTape tape;
  JsonSyntaxError error;
  const std::string text = R"({"a":1,"b\u0021":"x\ty","c":{"d":[],"e":{}},"a":[2,{"f\"":"g"}],"\u0068":"\u0069","":0})";
  REQUIRE(tape.parse(text, error));
  const JsonValue root = tape.root();
  CHECK(root.size() == 6);
  std::vector<std::string> names;
  std::vector<std::string> raws;
  root.for_each_member([&](std::string_view name, JsonValue value) {
    names.emplace_back(name);
    raws.emplace_back(value.raw());
    CHECK(JsonValue(value.tape(), value.index()) == value);
  });
  CHECK(names == std::vector<std::string>{"a", "b!", "c", "a", "h", ""});
  CHECK(raws ==
        std::vector<std::string>{"1", R"("x\ty")", R"({"d":[],"e":{}})", R"([2,{"f\"":"g"}])", R"("\u0069")", "0"});
  CHECK(root["b!"].text() == "x\ty");
  CHECK(root["b!"].text() == "x\ty"); // decoded once, then from the memo
  CHECK(root["h"].text() == "i");
  CHECK(root["a"].is(JsonType::array)); // the last of repeated names
  CHECK(root["a"].size() == 2);
  CHECK(root.at({"c", "e"}).is(JsonType::object));
  CHECK(root.at({"c", "e"}).size() == 0);
  CHECK(root["c"].size() == 2);
  CHECK(!root["b\\u0021"]);
  JsonValue inner;
  root["a"].for_each_element([&](JsonValue e) { inner = e; });
  CHECK(inner["f\""].text() == "g");
  CHECK(root[""].text() == "0");

  // Reused nodes: names decoded in one document are not taken for the next one's.
  REQUIRE(tape.parse(R"({"\u0062":1,"b\u0021":2})", error));
  CHECK(tape.root()["b"].text() == "1");
  CHECK(tape.root()["b!"].text() == "2");
  REQUIRE(tape.parse(R"({"a":[{"b":1}],"b":2})", error));
  CHECK(tape.root()["b"].text() == "2");
  CHECK(!tape.root()["a"]["b"]);

  // Many members: the tape grows while a name waits for its value.
  for (const std::size_t count : {30, 63, 64, 65, 127, 128, 129, 300}) {
    JsonTape fresh;
    std::string big = "{";
    for (std::size_t k = 0; k < count; ++k) {
      big += (k == 0 ? "\"k" : ",\"k") + std::to_string(k) +
             "\":" + (k % 2 == 0 ? "[" + std::to_string(k) + "]" : std::to_string(k));
    }
    big += "}";
    REQUIRE(fresh.parse(big, error));
    CHECK(fresh.root().size() == count);
    std::size_t k = 0;
    fresh.root().for_each_member([&](std::string_view name, JsonValue value) {
      CHECK(name == "k" + std::to_string(k));
      CHECK(value.raw() == (k % 2 == 0 ? "[" + std::to_string(k) + "]" : std::to_string(k)));
      ++k;
    });
    CHECK(k == count);
    CHECK(fresh.root()["k" + std::to_string(count - 1)]);
  }
}
