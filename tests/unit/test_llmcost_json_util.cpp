// JsonWriter: the bytes of dump_json, written in pieces without a tree.

#include "llmcost/json_util.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace llmcost;
using nlohmann::ordered_json;

TEST_SUITE("json_util")
{
  TEST_CASE("JsonWriter writes what dump_json writes for the same document")
  {
    // Every kind of value, empty and nested containers, and strings that
    // need escaping: quotes, backslashes, control bytes, DEL, UTF-8, and
    // bytes that are not UTF-8 (replaced by U+FFFD, as dump_json does).
    const std::vector<std::string> texts = {"plain",   "say \"hi\"",  "back\\slash",   "tab\tnew\nline\x01",
                                            "del\x7f", "caf\xc3\xa9", "bad \xff byte", "cut \xe2\x82",
                                            ""};
    ordered_json expected;
    expected["name"] = "llmcost";
    expected["empty_object"] = ordered_json::object();
    expected["empty_array"] = ordered_json::array();
    expected["count"] = std::uint64_t{18446744073709551615ULL};
    expected["yes"] = true;
    expected["no"] = false;
    expected["nothing"] = nullptr;
    ordered_json strings = ordered_json::array();
    for (const auto& t : texts) {
      strings.push_back(t);
    }
    expected["strings"] = strings;
    ordered_json nested;
    nested["rows"] = ordered_json::array({ordered_json::object({{"a", "1"}}), ordered_json::array(), "x"});
    nested["bad \xff name"] = "v";
    expected["nested"] = nested;

    std::string text;
    const TextSink sink = [&](std::string_view piece) { text += piece; };
    JsonWriter w(sink);
    w.begin_object();
    w.name("name").string("llmcost");
    w.name("empty_object").begin_object();
    w.end_object();
    w.name("empty_array").begin_array();
    w.end_array();
    w.name("count").number(18446744073709551615ULL);
    w.name("yes").boolean(true);
    w.name("no").boolean(false);
    w.name("nothing").null();
    w.name("strings").begin_array();
    for (const auto& t : texts) {
      w.string(t);
    }
    w.end_array();
    w.name("nested").begin_object();
    w.name("rows").begin_array();
    w.begin_object();
    w.name("a").string("1");
    w.end_object();
    w.begin_array();
    w.end_array();
    w.string("x");
    w.end_array();
    w.name("bad \xff name").string("v");
    w.end_object();
    w.end_object();
    w.finish();
    CHECK(text == dump_json(expected));
  }

  TEST_CASE("JsonWriter hands a long document over in bounded pieces")
  {
    std::vector<std::size_t> pieces;
    std::string text;
    const TextSink sink = [&](std::string_view piece) {
      pieces.push_back(piece.size());
      text += piece;
    };
    JsonWriter w(sink);
    ordered_json expected = ordered_json::array();
    w.begin_array();
    for (int i = 0; i < 20000; ++i) {
      w.string(std::to_string(i));
      expected.push_back(std::to_string(i));
    }
    w.end_array();
    w.finish();
    CHECK(text == dump_json(expected));
    CHECK(pieces.size() > 1);
    for (const std::size_t size : pieces) {
      CHECK(size < ChunkedText::k_piece + 1024);
    }
  }
}
