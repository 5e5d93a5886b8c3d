// Differential fuzzing of llmcost::JsonTape (json_scan) against nlohmann/json:
//   * JsonTape::parse accepts exactly the texts nlohmann::json::accept does,
//     apart from the tape's nesting limit (k_max_depth) and numbers beyond the
//     range of a double (1e400), which nlohmann refuses and the grammar allows;
//   * on an accepted text, both trees agree: types, booleans, every string
//     value and member name unescaped to the same bytes, array sizes, member
//     counts (repeats included), every key resolving through operator[] to
//     the same value (the last of repeated keys, as in nlohmann/json);
//   * numbers: an integer nlohmann keeps as an integer is the same integer
//     through std::from_chars and Decimal::parse_scientific; a float is one
//     whose text parse_scientific reads exactly or refuses with a reason, and
//     when it reads it, strtod of the exact value is nlohmann's double;
//   * the root's raw() is the input without surrounding whitespace.

#include "fuzz_common.hpp"

#include "llmcost/decimal.hpp"
#include "llmcost/json_scan.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

using llmcost::Decimal;
using llmcost::JsonType;
using llmcost::JsonValue;
using llmcost_fuzz::defect;

namespace {

std::string shown(std::string_view text)
{
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool json_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text)
{
  while (!text.empty() && json_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && json_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// Deepest nesting of containers (only called on texts nlohmann accepted,
// so strings are well formed).
std::size_t depth_of(std::string_view text)
{
  int deepest = 0;
  llmcost::walk_brackets(text, [&](std::size_t, int depth) {
    deepest = std::max(deepest, depth);
    return true;
  });
  return static_cast<std::size_t>(deepest);
}

void check_number(const JsonValue& tape, const nlohmann::json& json, const std::string& path)
{
  const std::string_view text = tape.text();
  const bool integer_syntax = text.find_first_of(".eE") == std::string_view::npos;
  std::string why;
  const auto decimal = Decimal::parse_scientific(text, &why);
  if (json.is_number_integer()) { // signed or unsigned
    if (!integer_syntax) {
      defect("nlohmann integer from a text with a fraction or exponent", path + " " + shown(text));
    }
    Decimal expected;
    if (json.is_number_unsigned()) {
      std::uint64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || value != json.get<std::uint64_t>()) {
        defect("unsigned integer differs from nlohmann's", path + " " + shown(text));
      }
      expected = Decimal::from_raw(static_cast<llmcost::int128>(value) * Decimal::k_scale);
    } else {
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || value != json.get<std::int64_t>()) {
        defect("integer differs from nlohmann's", path + " " + shown(text));
      }
      expected = Decimal::from_int(value);
    }
    if (!decimal || *decimal != expected) {
      defect("Decimal::parse_scientific differs on an integer", path + " " + shown(text) + " " + why);
    }
    return;
  }
  if (!json.is_number_float()) {
    defect("tape number is not a nlohmann number", path + " " + shown(text));
  }
  if (!decimal) {
    if (why.empty()) {
      defect("Decimal::parse_scientific refused a number without a reason", path + " " + shown(text));
    }
    return;
  }
  // Both name the same real number, so strtod (correctly rounded, as
  // nlohmann uses) gives the same double: an exact comparison.
  const std::string exact = decimal->to_exact_string(0);
  const double value = std::strtod(exact.c_str(), nullptr);
  if (value != json.get<double>()) {
    defect("Decimal::parse_scientific differs from nlohmann's double", path + " " + shown(text) + " -> " + exact);
  }
}

void compare(const JsonValue& tape, const nlohmann::json& json, const std::string& path)
{
  using value_t = nlohmann::json::value_t;
  const JsonType type = tape.type();
  switch (json.type()) {
  case value_t::null:
    if (type != JsonType::null || tape.text() != "null") {
      defect("type differs (nlohmann: null)", path + " tape " + llmcost::to_string(type));
    }
    break;
  case value_t::boolean:
    if (type != JsonType::boolean || tape.text() != (json.get<bool>() ? "true" : "false")) {
      defect("boolean differs", path + " tape " + llmcost::to_string(type) + " " + shown(tape.text()));
    }
    break;
  case value_t::number_integer:
  case value_t::number_unsigned:
  case value_t::number_float:
    if (type != JsonType::number) {
      defect("type differs (nlohmann: number)", path + " tape " + llmcost::to_string(type));
    }
    if (tape.raw() != tape.text()) {
      defect("number's raw() and text() differ", path + " " + shown(tape.raw()));
    }
    check_number(tape, json, path);
    break;
  case value_t::string:
    if (type != JsonType::string) {
      defect("type differs (nlohmann: string)", path + " tape " + llmcost::to_string(type));
    }
    if (tape.text() != json.get_ref<const std::string&>()) {
      defect("string differs",
             path + " tape " + shown(tape.text()) + " nlohmann " + shown(json.get_ref<const std::string&>()));
    }
    if (tape.raw().size() < 2 || tape.raw().front() != '"' || tape.raw().back() != '"') {
      defect("string's raw() is not quoted", path + " " + shown(tape.raw()));
    }
    break;
  case value_t::array: {
    if (type != JsonType::array) {
      defect("type differs (nlohmann: array)", path + " tape " + llmcost::to_string(type));
    }
    if (tape.size() != json.size()) {
      defect("array size differs",
             path + " tape " + std::to_string(tape.size()) + " nlohmann " + std::to_string(json.size()));
    }
    std::size_t i = 0;
    tape.for_each_element([&](const JsonValue& element) {
      if (i >= json.size()) {
        defect("more array elements than nlohmann's", path);
      }
      compare(element, json[i], path + "[" + std::to_string(i) + "]");
      ++i;
    });
    if (i != json.size()) {
      defect("for_each_element visited a different count", path);
    }
    if (tape.raw().front() != '[' || tape.raw().back() != ']') {
      defect("array's raw() is not bracketed", path + " " + shown(tape.raw()));
    }
    break;
  }
  case value_t::object: {
    if (type != JsonType::object) {
      defect("type differs (nlohmann: object)", path + " tape " + llmcost::to_string(type));
    }
    std::size_t members = 0;
    std::set<std::string, std::less<>> names;
    tape.for_each_member([&](std::string_view name, const JsonValue&) {
      ++members;
      if (!json.contains(std::string(name))) {
        defect("member name not in nlohmann's object", path + " " + shown(name));
      }
      names.emplace(name);
    });
    if (members != tape.size()) {
      defect("object size() differs from its members",
             path + " size " + std::to_string(tape.size()) + " members " + std::to_string(members));
    }
    if (names.size() != json.size()) {
      defect("distinct member names differ in number",
             path + " tape " + std::to_string(names.size()) + " nlohmann " + std::to_string(json.size()));
    }
    for (const auto& [key, value] : json.items()) {
      const JsonValue member = tape[key];
      if (!member || !tape.contains(key)) {
        defect("key missing from the tape", path + " " + shown(key));
      }
      compare(member, value, path + "." + shown(key));
    }
    if (tape.raw().front() != '{' || tape.raw().back() != '}') {
      defect("object's raw() is not braced", path + " " + shown(tape.raw()));
    }
    break;
  }
  default:
    defect("unexpected nlohmann type", path);
  }
}

// nlohmann/json refuses a float outside the range of a double
// (out_of_range.406), which the grammar allows; the tape keeps numbers as text.
bool refused_for_number_overflow(const std::string& text)
{
  try {
    (void)nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range& e) {
    return e.id == 406;
  } catch (const nlohmann::json::exception&) {
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The tape is reused between documents in the hot path: parse something
  // first so that stale state would show.
  static llmcost::JsonTape tape;
  llmcost::JsonSyntaxError error;
  const bool accepted = tape.parse(text, error);
  // nlohmann/json takes a NUL byte outside a string for the end of the input
  // ("1\0x" passes). A raw NUL is never valid JSON (in a string it must be
  // escaped), so the tape must refuse any text holding one.
  if (text.find('\0') != std::string_view::npos) {
    if (accepted) {
      defect("JsonTape accepted a text holding a NUL byte", shown(text));
    }
    return 0;
  }
  // nlohmann skips a UTF-8 BOM at the very start of its input; the tape does
  // not (callers drop it at the start of a file). A leading space turns that off.
  const std::string for_nlohmann = " " + std::string(text);
  const bool nlohmann_accepted = nlohmann::json::accept(for_nlohmann);
  if (accepted != nlohmann_accepted) {
    if (!accepted && error.problem.starts_with("nested more than") && depth_of(text) > llmcost::JsonTape::k_max_depth) {
      return 0; // the tape's nesting limit
    }
    if (accepted && refused_for_number_overflow(for_nlohmann)) {
      return 0; // 1e400 is JSON; nlohmann refuses a number a double cannot hold
    }
    defect(accepted ? "JsonTape accepted what nlohmann::json::accept refuses"
                    : "JsonTape refused what nlohmann::json::accept accepts",
           shown(text) + (accepted ? "" : " tape: " + std::to_string(error.offset) + ": " + error.problem));
  }
  if (!accepted) {
    if (error.offset > text.size() || error.problem.empty()) {
      defect("syntax error without a place or a problem", std::to_string(error.offset) + ": " + error.problem);
    }
    return 0;
  }
  const nlohmann::json json = nlohmann::json::parse(for_nlohmann);
  const JsonValue root = tape.root();
  if (root.raw() != trim(text)) {
    defect("root raw() is not the input without surrounding whitespace", shown(root.raw()));
  }
  compare(root, json, "$");
  return 0;
}
