#pragma once
// A validating JSON reader for the usage hot path: one pass over the text
// (RFC 8259: grammar, string escapes, UTF-8, number syntax, nesting depth)
// builds a flat tape of nodes that point into the text, reused from one line
// to the next, so reading a trace line allocates nothing. Numbers stay text,
// so amounts are never rounded through a double. Configuration files keep
// nlohmann/json (see json_util.hpp); this is for millions of small documents.

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace llmcost {

enum class JsonType : std::uint8_t { null, boolean, number, string, array, object };

const char* to_string(JsonType type); // "null", "boolean", "number", "string", "array", "object"

class JsonTape;

// A value on a tape (or none: a missing member). Valid until the tape parses again.
class JsonValue
{
public:
  JsonValue() = default;
  JsonValue(const JsonTape* tape, std::uint32_t index)
    : m_tape(tape)
    , m_index(index)
  {
  }

  explicit operator bool() const { return m_tape != nullptr; }
  bool operator==(const JsonValue&) const = default;
  JsonType type() const;
  bool is(JsonType t) const { return m_tape != nullptr && type() == t; }
  // Present and not null.
  bool present() const { return m_tape != nullptr && type() != JsonType::null; }
  // The text of a number written as digits alone ("1234"; not "-1", "1.0"
  // or "1e3"), else empty.
  std::string_view digits_only() const;

  // The member `key` of an object (the last one when a key repeats), else none.
  JsonValue operator[](std::string_view key) const;
  // A nested member: value.at({"usage", "prompt_tokens"}); none when any step is missing.
  JsonValue at(std::initializer_list<std::string_view> path) const;
  bool contains(std::string_view key) const { return static_cast<bool>((*this)[key]); }

  // Calls `use(element)` for each element of an array, in order.
  template <typename Use> void for_each_element(Use use) const;
  // Calls `use(name, value)` for each member of an object, in order, repeated
  // names included (the differential fuzzer compares them with nlohmann/json).
  template <typename Use> void for_each_member(Use use) const;
  std::size_t size() const; // elements of an array, members of an object

  // A string's value (unescaped), or the text of a number / literal; empty
  // for containers and none.
  std::string_view text() const;
  // The value as written in the document (for messages).
  std::string_view raw() const;

  // Where the value sits on its tape: JsonValue(tape(), index()) is this value.
  const JsonTape* tape() const { return m_tape; }
  std::uint32_t index() const { return m_index; }

private:
  const JsonTape* m_tape = nullptr;
  std::uint32_t m_index = 0;
};

// Where and why a text is not JSON.
struct JsonSyntaxError
{
  std::size_t offset = 0; // byte offset in the text
  std::string problem;    // "expected ',' or '}' after an object member, found 'x'"
};

class JsonTape
{
public:
  static constexpr std::size_t k_max_depth = 256;

  // Parses one JSON value filling the whole text (surrounding whitespace
  // allowed). Returns false with `error` set when it is not valid JSON.
  bool parse(std::string_view text, JsonSyntaxError& error);
  JsonValue root() const { return JsonValue(this, 0); }
  // Whether a string decoded since the last parse held \u0000: a reader
  // checks its text fields for NUL bytes only then.
  bool decoded_nul() const { return m_decoded_nul; }

private:
  friend class JsonValue;
  struct Node
  {
    JsonType type = JsonType::null;
    bool escaped = false;     // a string with escapes: its value is in m_unescaped
    bool digits_only = false; // a number without sign, point or exponent (set on numbers only)
    bool key_escaped = false; // a member's name with escapes (see key_begin)
    std::uint32_t begin = 0;  // text offset (strings: after the quote)
    std::uint32_t length = 0; // bytes of the text (strings: between the quotes)
    std::uint32_t after = 0;  // index of the node after this value's subtree
    union {
      std::uint32_t count = 0; // containers: members or elements
      std::uint32_t unescaped; // escaped strings: 1 + index in m_unescaped once decoded, else 0
    };
    // A member's value carries its member's name (set on member values only):
    // an object is one node per member.
    std::uint32_t key_begin = 0; // text offset after the name's quote
    std::uint32_t key_length = 0;
    std::uint32_t key_unescaped = 0; // as `unescaped`, for an escaped name
  };

  // The string whose quote is at `open` into `begin`, `length`, `escaped`
  // (and `memo` cleared when escaped): the offset after its closing quote,
  // or k_failed with `error` set.
  static constexpr std::size_t k_failed = SIZE_MAX;
  std::size_t parse_string(std::size_t open, std::uint32_t& begin, std::uint32_t& length, bool& escaped,
                           std::uint32_t& memo, JsonSyntaxError& error);
  std::string_view unescape(std::uint32_t begin, std::uint32_t length, std::uint32_t& memo) const;
  // A string node's value.
  std::string_view name(const Node& node) const
  {
    return node.escaped ? unescape(node.begin, node.length, const_cast<Node&>(node).unescaped)
                        : std::string_view(m_text.data() + node.begin, node.length);
  }
  // The name of the member whose value is `node`.
  std::string_view key(const Node& node) const
  {
    return node.key_escaped ? unescape(node.key_begin, node.key_length, const_cast<Node&>(node).key_unescaped)
                            : std::string_view(m_text.data() + node.key_begin, node.key_length);
  }

  struct Open
  {
    std::uint32_t index;  // an enclosing container (UINT32_MAX: none, the root)
    std::uint32_t values; // its values read so far
  };

  std::string_view m_text;
  std::vector<Node> m_nodes;            // the first ones in use (the rest are spare)
  std::array<Open, k_max_depth> m_open; // containers being filled (the first m_depth)
  std::size_t m_depth = 0;
  mutable std::deque<std::string> m_unescaped; // decoded on first use, reused across documents
  mutable std::size_t m_unescaped_used = 0;
  mutable bool m_decoded_nul = false;
};

inline JsonType JsonValue::type() const
{
  return m_tape->m_nodes[m_index].type;
}

inline std::string_view JsonValue::digits_only() const
{
  if (m_tape == nullptr) {
    return {};
  }
  const auto& node = m_tape->m_nodes[m_index];
  if (node.type != JsonType::number || !node.digits_only) {
    return {};
  }
  return {m_tape->m_text.data() + node.begin, node.length};
}

inline std::string_view JsonValue::text() const
{
  if (m_tape == nullptr) {
    return {};
  }
  const auto& node = m_tape->m_nodes[m_index];
  if (node.type == JsonType::array || node.type == JsonType::object) {
    return {};
  }
  return m_tape->name(node);
}

template <typename Use> void JsonValue::for_each_element(Use use) const
{
  if (!is(JsonType::array)) {
    return;
  }
  const std::uint32_t end = m_tape->m_nodes[m_index].after;
  for (std::uint32_t i = m_index + 1; i < end; i = m_tape->m_nodes[i].after) {
    use(JsonValue(m_tape, i));
  }
}

template <typename Use> void JsonValue::for_each_member(Use use) const
{
  if (!is(JsonType::object)) {
    return;
  }
  // A member is its value's subtree, whose first node carries the name.
  const std::uint32_t end = m_tape->m_nodes[m_index].after;
  for (std::uint32_t k = m_index + 1; k < end; k = m_tape->m_nodes[k].after) {
    use(m_tape->key(m_tape->m_nodes[k]), JsonValue(m_tape, k));
  }
}

// Walks JSON text for its brackets, outside strings (escapes skipped): calls
// `bracket(offset, depth)` at each, with the depth after it (so 0 only when
// a closing bracket ends the outermost value), until it returns false. For
// questions about nesting asked before (or instead of) a parse.
template <typename Bracket> void walk_brackets(std::string_view text, Bracket bracket)
{
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (!bracket(i, ++depth)) {
        return;
      }
    } else if (c == ']' || c == '}') {
      if (!bracket(i, --depth)) {
        return;
      }
    }
  }
}

} // namespace llmcost
