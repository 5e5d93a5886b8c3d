// The CSV splitter's fast path (split_plain, 64 bytes at a time with a quote
// mask) against a plain RFC 4180 state machine written here, on random lines
// of the bytes that matter: delimiters, quotes, CR and ordinary text.

#include "llmcost/csv.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace llmcost;

namespace {

// Fields of one line (no line breaks in it), or nothing when the line is not
// valid CSV on its own (unbalanced quote, text after a closing quote, a CR).
std::optional<std::vector<std::string>> reference_split(const std::string& line, char delimiter)
{
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          return std::nullopt; // unterminated
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (line[i] == '\r') {
          return std::nullopt;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != delimiter) {
        return std::nullopt; // text after the closing quote
      }
    } else {
      while (i < line.size() && line[i] != delimiter) {
        if (line[i] == '"' || line[i] == '\r') {
          return std::nullopt;
        }
        field += line[i++];
      }
    }
    fields.push_back(field);
    if (i >= line.size()) {
      return fields;
    }
    ++i; // the delimiter
  }
}

// Fields plain or quoted (with delimiters, doubled quotes), sometimes
// corrupted by a stray quote or CR; lines of up to about 200 bytes.
std::string random_line(std::mt19937& rng)
{
  static const char text[] = {'a', 'b', ' ', 'x', 'y', 'z', '0', '1', '.'};
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<std::size_t> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof text - 1);
  std::uniform_int_distribution<int> fields(1, 16);
  std::string line;
  const int n = fields(rng);
  for (int f = 0; f < n; ++f) {
    if (f > 0) {
      line += ',';
    }
    const bool quoted = percent(rng) < 25;
    std::string value;
    for (std::size_t k = length(rng); k > 0; --k) {
      const int roll = percent(rng);
      value += quoted && roll < 10 ? ',' : quoted && roll < 14 ? '"' : text[pick(rng)];
      if (value.back() == '"') {
        value += '"';
      }
    }
    line += quoted ? "\"" + value + "\"" : value;
  }
  if (percent(rng) < 10 && !line.empty()) {
    std::uniform_int_distribution<std::size_t> where(0, line.size() - 1);
    line[where(rng)] = percent(rng) < 50 ? '"' : '\r';
  }
  return line;
}

// A quoted field's text with its doubled quotes made single.
std::string unescape(std::string_view field)
{
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    out += field[i];
    if (field[i] == '"') {
      ++i; // the second of the pair
    }
  }
  return out;
}

} // namespace

TEST_CASE("split_plain agrees with an RFC 4180 reference, wherever the line sits in the buffer")
{
  std::mt19937 rng(20261124);
  std::size_t taken = 0;
  std::size_t quoted = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string line = random_line(rng);
    const auto expected = reference_split(line, ',');
    // At the end of its buffer (the padded copy) and followed by more text.
    for (const std::string& buffer : {line, line + "\n" + std::string(100, 'p')}) {
      std::vector<std::string> got;
      const bool simple = split_plain(
          std::string_view(buffer.data(), line.size()), buffer.data() + buffer.size(), ',',
          [&](std::string_view field, bool escaped) { got.push_back(escaped ? unescape(field) : std::string(field)); });
      if (simple) {
        ++taken;
        quoted += line.find('"') != std::string::npos ? 1 : 0;
        REQUIRE_MESSAGE(expected.has_value(), "fast path took a line the reference refuses: [" << line << "]");
        CHECK_MESSAGE(got == *expected, "line: [" << line << "]");
      }
      // The reader as a whole (fast path or not) gives the reference's fields
      // (an empty line is a blank line to it, skipped).
      if (expected && !line.empty()) {
        CsvReader reader(buffer, ',', 1, true);
        std::vector<std::string_view> fields;
        REQUIRE(reader.next(fields, "test.csv"));
        CHECK_MESSAGE(std::vector<std::string>(fields.begin(), fields.end()) == *expected, "line: [" << line << "]");
      }
    }
  }
  // Both kinds of line were exercised.
  CHECK(taken > 5000);
  CHECK(quoted > 500);
}

TEST_CASE("split_plain takes doubled quotes, and leaves CRs and stray quotes to the general path")
{
  auto simple = [](std::string_view line) {
    return split_plain(line, line.data() + line.size(), ',', [](std::string_view, bool) {});
  };
  CHECK(simple("a,b,c"));
  CHECK(simple("\"a,b\",c"));
  CHECK(simple("\"\",c"));
  CHECK(simple("\"a\"\"b\",c"));
  CHECK_FALSE(simple("a\rb,c"));
  CHECK_FALSE(simple("ab\",c"));
  CHECK_FALSE(simple("\"ab\"c,d"));
  CHECK_FALSE(simple("\"ab,c"));
  // A quote inside a quoted field that is not one of a pair.
  CHECK_FALSE(simple("\"a\"b\""));
  CHECK_FALSE(simple("\"a\"b,c\""));
  CHECK_FALSE(simple("x,\"a\"\""));
  CHECK_FALSE(simple("\"\"\""));
  CHECK_FALSE(simple("\"a\"\"\"\"b\"c\""));
  CHECK_FALSE(simple("\"a\"\"b\",c\"d"));
}

TEST_CASE("split_plain gives a field with doubled quotes as written, marked escaped")
{
  auto split = [](std::string_view line) {
    std::vector<std::pair<std::string, bool>> got;
    const bool simple = split_plain(line, line.data() + line.size(), ',', [&](std::string_view field, bool escaped) {
      got.emplace_back(std::string(field), escaped);
    });
    REQUIRE(simple);
    return got;
  };
  using Fields = std::vector<std::pair<std::string, bool>>;
  CHECK(split("a,\"user said \"\"hi\"\", ok\",b") ==
        Fields{{"a", false}, {"user said \"\"hi\"\", ok", true}, {"b", false}});
  CHECK(split("\"\"\"\"") == Fields{{"\"\"", true}});
  CHECK(split("\"a\"\"\",\"\",\"b\"") == Fields{{"a\"\"", true}, {"", false}, {"b", false}});
  // Past a 64-byte block, and with a plain quoted field after it.
  const std::string long_note = "\"" + std::string(70, 'n') + "\"\"q\"\"\"";
  CHECK(split(long_note + ",\"x,y\"") == Fields{{std::string(70, 'n') + "\"\"q\"\"", true}, {"x,y", false}});
  // A quoted field through a whole block without a quote in it: its delimiters are text.
  std::string through;
  for (int i = 0; i < 40; ++i) {
    through += "ab,";
  }
  CHECK(split("x,\"" + through + "\",y") == Fields{{"x", false}, {through, false}, {"y", false}});
  CHECK(split("\"" + through + through + "\"\"\"") == Fields{{through + through + "\"\"", true}});
}

TEST_CASE("CsvReader unescapes doubled quotes the fast path marks")
{
  const std::string text = "a,\"user said \"\"hi\"\", ok\",b\nc,\"\",d\n";
  CsvReader reader(text, ',', 1, true);
  std::vector<std::string_view> fields;
  REQUIRE(reader.next(fields, "test.csv"));
  CHECK(std::vector<std::string>(fields.begin(), fields.end()) ==
        std::vector<std::string>{"a", "user said \"hi\", ok", "b"});
  REQUIRE(reader.next(fields, "test.csv"));
  CHECK(std::vector<std::string>(fields.begin(), fields.end()) == std::vector<std::string>{"c", "", "d"});
  CHECK(reader.record_line() == 2);
  CHECK_FALSE(reader.next(fields, "test.csv"));
}

TEST_CASE("CsvReader says where each field starts, on every path")
{
  using Position = std::pair<std::size_t, std::size_t>;
  const auto positions = [](CsvReader& reader, std::size_t n) {
    std::vector<Position> out;
    for (std::size_t i = 0; i < n; ++i) {
      const CsvReader::Position at = reader.field_position(i);
      out.emplace_back(at.line, at.column);
    }
    return out;
  };
  // A byte order mark is not a column; a blank line is skipped; a quoted
  // field starts at its quote; a doubled quote sends the line to the general
  // path, and a line break inside quotes puts later fields on later lines.
  const std::string text = "\xEF\xBB\xBFmodel,in\n"
                           "\n"
                           "abc,\"12\",,x\n"
                           "a,\"say \"\"hi\"\"\",b\n"
                           "a,\"two\nlines\",bc,d\n";
  CsvReader reader(text, 0, 1, true);
  std::vector<std::string_view> fields;
  REQUIRE(reader.next(fields, "t.csv"));
  CHECK(positions(reader, 2) == std::vector<Position>{{1, 1}, {1, 7}});
  REQUIRE(reader.next(fields, "t.csv"));
  CHECK(positions(reader, 4) == std::vector<Position>{{3, 1}, {3, 5}, {3, 10}, {3, 11}});
  REQUIRE(reader.next(fields, "t.csv"));
  CHECK(positions(reader, 3) == std::vector<Position>{{4, 1}, {4, 3}, {4, 16}});
  REQUIRE(reader.next(fields, "t.csv"));
  CHECK(positions(reader, 4) == std::vector<Position>{{5, 1}, {5, 3}, {6, 8}, {6, 11}});
  // A piece of a file: its first line is a line of its own.
  CsvReader piece("x,\"y\"\n", ',', 40, true);
  REQUIRE(piece.next(fields, "t.csv"));
  CHECK(positions(piece, 2) == std::vector<Position>{{40, 1}, {40, 3}});
}

TEST_CASE("CsvReader's errors name the column")
{
  std::vector<std::string_view> fields;
  CsvReader open_quote("a,b\nx,\"never closed\n", ',', 1, true);
  REQUIRE(open_quote.next(fields, "t.csv"));
  CHECK_THROWS_WITH(open_quote.next(fields, "t.csv"),
                    "t.csv:2:3: unterminated quoted field (expected a closing \" before the end of the file)");
  CsvReader stray("a,b\n\"x\"y,z\n", ',', 1, true);
  REQUIRE(stray.next(fields, "t.csv"));
  CHECK_THROWS_WITH(stray.next(fields, "t.csv"), doctest::Contains("t.csv:2:4: text after a closing quote"));
}
