#include "llmcost/json_util.hpp"

#include "llmcost/json_scan.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llmcost {

Location location_of_offset(std::string_view text, std::size_t offset, const std::string& file)
{
  Location where{file, 1, 1};
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else {
      ++where.column;
    }
  }
  return where;
}

std::string describe_parse_error(const nlohmann::json::parse_error& error)
{
  std::string message = error.what();
  // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value - invalid
  // literal; last read: 'x'"
  const auto colon = message.find("]: ");
  const auto detail = message.find(": ", message.find("parse error"));
  if (detail != std::string::npos) {
    message = message.substr(detail + 2);
  } else if (colon != std::string::npos) {
    message = message.substr(colon + 3);
  }
  return "invalid JSON: " + message;
}

namespace {

// Deeper documents are refused while parsing: nlohmann's copy, dump and
// destruction of a value recurse, and 100,000 nested arrays overflowed the
// stack (found by tests/bad). Cards, workloads and usage objects need < 10.
constexpr int k_max_json_depth = 128;

struct TooDeep
{
};

// Offset of the bracket that opens the first level past the limit.
std::size_t too_deep_offset(std::string_view text)
{
  std::size_t found = 0;
  walk_brackets(text, [&](std::size_t offset, int depth) {
    found = depth > k_max_json_depth ? offset : 0;
    return found == 0;
  });
  return found;
}

Error too_deep_error(std::string_view text, const std::string& file)
{
  return Error(location_of_offset(text, too_deep_offset(text), file),
               fmt::format("JSON nested deeper than {} levels", k_max_json_depth),
               fmt::format("at most {} levels of arrays and objects", k_max_json_depth));
}

// Keeps number texts as strings so they can be parsed exactly as decimals.
class ExactNumberSax : public nlohmann::detail::json_sax_dom_parser<nlohmann::json>
{
public:
  explicit ExactNumberSax(nlohmann::json& document)
    : json_sax_dom_parser(document, true)
  {
  }

  bool start_object(std::size_t size) { return enter() && json_sax_dom_parser::start_object(size); }
  bool end_object() { return leave() && json_sax_dom_parser::end_object(); }
  bool start_array(std::size_t size) { return enter() && json_sax_dom_parser::start_array(size); }
  bool end_array() { return leave() && json_sax_dom_parser::end_array(); }

  bool number_float(nlohmann::json::number_float_t /*value*/, const std::string& text)
  {
    std::string copy = text;
    return string(copy);
  }

private:
  bool enter()
  {
    if (++m_depth > k_max_json_depth) {
      throw TooDeep{};
    }
    return true;
  }
  bool leave()
  {
    --m_depth;
    return true;
  }

  int m_depth = 0;
};

// Runs a parse, turning nlohmann's errors (and too deep a nesting) into
// ours, with the file and the line and column where one applies.
template <typename Parse> auto parse_or_explain(std::string_view text, const std::string& file, Parse parse)
{
  try {
    return parse();
  } catch (const TooDeep&) {
    throw too_deep_error(text, file);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann reports the byte just past the problem; point at it.
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    throw Error(location_of_offset(text, offset, file), describe_parse_error(error));
  } catch (const nlohmann::json::exception&) {
    // e.g. out_of_range.406: a number beyond the range of a double (found by fuzzing)
    throw Error(Location{file}, "invalid JSON: a number is out of range", "numbers within about 1e308");
  }
}

} // namespace

nlohmann::json parse_json_exact(std::string_view text, const std::string& file)
{
  return parse_or_explain(text, file, [&] {
    nlohmann::json root;
    ExactNumberSax sax(root);
    nlohmann::json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, true, true);
    return root;
  });
}

nlohmann::ordered_json parse_json_document(std::string_view text, const std::string& file)
{
  return parse_or_explain(text, file, [&] {
    const auto limit_depth = [](int depth, nlohmann::ordered_json::parse_event_t, nlohmann::ordered_json&) {
      if (depth > k_max_json_depth) {
        throw TooDeep{};
      }
      return true;
    };
    return nlohmann::ordered_json::parse(text.begin(), text.end(), limit_depth, true, true);
  });
}

void JsonWriter::new_line(std::size_t depth)
{
  m_out.put('\n');
  for (std::size_t i = 0; i < depth; ++i) {
    m_out.put("  ");
  }
}

void JsonWriter::before_value()
{
  if (m_after_name) {
    m_after_name = false;
    return;
  }
  if (!m_has_members.empty()) {
    if (m_has_members.back()) {
      m_out.put(',');
    }
    m_has_members.back() = true;
    new_line(m_has_members.size());
  }
}

JsonWriter& JsonWriter::name(std::string_view member)
{
  before_value();
  quoted(member);
  m_out.put(": ");
  m_after_name = true;
  return *this;
}

void JsonWriter::quoted(std::string_view text)
{
  // Most texts (numbers, names, ids) need no escaping; the others are
  // escaped by nlohmann itself, so the bytes are dump_json's by construction.
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\';
  });
  if (plain) {
    m_out.put('"');
    m_out.put(text);
    m_out.put('"');
    return;
  }
  m_out.put(nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void JsonWriter::begin_object()
{
  before_value();
  m_out.put('{');
  m_has_members.push_back(false);
}

void JsonWriter::begin_array()
{
  before_value();
  m_out.put('[');
  m_has_members.push_back(false);
}

void JsonWriter::close(char bracket)
{
  const bool any = m_has_members.back();
  m_has_members.pop_back();
  if (any) {
    new_line(m_has_members.size());
  }
  m_out.put(bracket);
}

void JsonWriter::end_object()
{
  close('}');
}

void JsonWriter::end_array()
{
  close(']');
}

void JsonWriter::string(std::string_view text)
{
  before_value();
  quoted(text);
}

void JsonWriter::number(std::uint64_t value)
{
  before_value();
  m_out.put(std::to_string(value));
}

void JsonWriter::boolean(bool value)
{
  before_value();
  m_out.put(value ? "true" : "false");
}

void JsonWriter::null()
{
  before_value();
  m_out.put("null");
}

void JsonWriter::finish()
{
  m_out.put('\n');
  m_out.finish();
}

} // namespace llmcost
