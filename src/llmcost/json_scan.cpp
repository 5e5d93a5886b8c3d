#include "llmcost/json_scan.hpp"

#include "llmcost/simd.hpp"
#include "llmcost/strings.hpp"

#include <bit>
#include <cstring>
#include <fmt/format.h>

namespace llmcost {

const char* to_string(JsonType type)
{
  switch (type) {
  case JsonType::null:
    return "null";
  case JsonType::boolean:
    return "boolean";
  case JsonType::number:
    return "number";
  case JsonType::string:
    return "string";
  case JsonType::array:
    return "array";
  case JsonType::object:
    return "object";
  }
  return "value";
}

JsonValue JsonValue::operator[](std::string_view key) const
{
  if (!is(JsonType::object)) {
    return {};
  }
  JsonValue found;
  const auto& nodes = m_tape->m_nodes;
  const std::uint32_t end = nodes[m_index].after;
  for (std::uint32_t k = m_index + 1; k < end; k = nodes[k].after) {
    const auto& node = nodes[k];
    const bool equal = node.key_escaped
                           ? m_tape->key(node) == key
                           : same_text(std::string_view(m_tape->m_text.data() + node.key_begin, node.key_length), key);
    if (equal) {
      found = JsonValue(m_tape, k); // the last one wins, as in nlohmann/json
    }
  }
  return found;
}

JsonValue JsonValue::at(std::initializer_list<std::string_view> path) const
{
  JsonValue node = *this;
  for (const auto key : path) {
    node = node[key];
    if (!node.present()) {
      return {};
    }
  }
  return node;
}

std::size_t JsonValue::size() const
{
  if (m_tape == nullptr) {
    return 0;
  }
  const auto& node = m_tape->m_nodes[m_index];
  // `count` is a string's unescape memo: only containers have a size.
  return node.type == JsonType::array || node.type == JsonType::object ? node.count : 0;
}

std::string_view JsonValue::raw() const
{
  if (m_tape == nullptr) {
    return {};
  }
  const auto& node = m_tape->m_nodes[m_index];
  if (node.type == JsonType::string) {
    return m_tape->m_text.substr(node.begin - 1, node.length + 2);
  }
  return m_tape->m_text.substr(node.begin, node.length);
}

namespace {

int hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// The four hex digits at `p` (bounds checked by the caller), or -1.
int hex4(const char* p)
{
  int value = 0;
  for (int k = 0; k < 4; ++k) {
    const int h = hex_value(p[k]);
    if (h < 0) {
      return -1;
    }
    value = value * 16 + h;
  }
  return value;
}

void append_utf8(std::string& out, std::uint32_t code)
{
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Bytes of the valid UTF-8 sequence at `p` (a byte >= 0x80), or 0.
std::size_t utf8_sequence(const unsigned char* p, std::size_t available)
{
  const unsigned c = p[0];
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < available && p[k] >= lo && p[k] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (c == 0xE0) {
    return cont(1, 0xA0) && cont(2) ? 3 : 0;
  }
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c == 0xED) {
    return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  }
  if (c == 0xF0) {
    return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  }
  if (c >= 0xF1 && c <= 0xF3) {
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  if (c == 0xF4) {
    return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The first byte at or after `j` that needs a look in a string (a quote, a
// backslash, a control byte or a non-ASCII byte), or `n`. Sixteen bytes at a
// time with SSE2 (every x86-64 has it), eight with plain 64-bit words elsewhere.
[[gnu::always_inline]] inline std::size_t skip_plain_string_bytes(const char* s, std::size_t j, std::size_t n)
{
#if LLMCOST_HAVE_SSE2
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x20);
  while (n - j >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too.
    const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                         _mm_cmplt_epi8(chunk, below_space));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0) {
      return j + static_cast<std::size_t>(std::countr_zero(mask));
    }
    j += 16;
  }
#else
  constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
  constexpr std::uint64_t k_high = 0x8080808080808080ULL;
  while (n - j >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s + j, 8);
    const std::uint64_t quote = w ^ (k_ones * '"');
    const std::uint64_t slash = w ^ (k_ones * '\\');
    const std::uint64_t special = ((quote - k_ones) & ~quote) | ((slash - k_ones) & ~slash) | (w - k_ones * 0x20) | w;
    if ((special & k_high) != 0) {
      // No false negatives: every byte before the first mark is plain.
      return j + static_cast<std::size_t>(std::countr_zero(special & k_high)) / 8;
    }
    j += 8;
  }
#endif
  while (j < n) {
    const auto c = static_cast<unsigned char>(s[j]);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
      return j;
    }
    ++j;
  }
  return n;
}

std::string describe_at(std::string_view text, std::size_t i)
{
  if (i >= text.size()) {
    return "the end of the text";
  }
  const auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x21 && c < 0x7F) {
    return fmt::format("'{}'", static_cast<char>(c));
  }
  return fmt::format("byte 0x{:02X}", c);
}

bool is_space(char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// The first byte at or after `i` that is not whitespace. By value: a lambda
// changing the parser's offset by reference kept it in memory.
[[gnu::always_inline]] inline std::size_t skip_space(const char* s, std::size_t i, std::size_t n)
{
  // Compact JSON has no whitespace between tokens: one compare in that case.
  while (i < n && static_cast<unsigned char>(s[i]) <= ' ' && is_space(s[i])) {
    ++i;
  }
  return i;
}

bool is_digit(char c)
{
  return static_cast<unsigned>(c - '0') <= 9;
}

} // namespace

std::string_view JsonTape::unescape(std::uint32_t begin, std::uint32_t length, std::uint32_t& memo) const
{
  // Decoded once per string, into strings reused from document to document.
  if (memo != 0) {
    return m_unescaped[memo - 1];
  }
  if (m_unescaped_used == m_unescaped.size()) {
    m_unescaped.emplace_back();
  }
  std::string& out = m_unescaped[m_unescaped_used++];
  out.clear();
  const std::string_view in = m_text.substr(begin, length);
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    const char e = in[++i];
    switch (e) {
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u': {
      auto code = static_cast<std::uint32_t>(hex4(in.data() + i + 1));
      i += 4;
      if (code >= 0xD800 && code <= 0xDBFF) {
        const auto low = static_cast<std::uint32_t>(hex4(in.data() + i + 3));
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
      m_decoded_nul = m_decoded_nul || code == 0;
      append_utf8(out, code);
      break;
    }
    default:
      out += e; // '"', '\\', '/'
    }
  }
  memo = static_cast<std::uint32_t>(m_unescaped_used);
  return out;
}

std::size_t JsonTape::parse_string(std::size_t open, std::uint32_t& begin, std::uint32_t& length, bool& escaped,
                                   std::uint32_t& memo, JsonSyntaxError& error)
{
  const char* s = m_text.data();
  const std::size_t n = m_text.size();
  std::size_t j = skip_plain_string_bytes(s, open + 1, n);
  begin = static_cast<std::uint32_t>(open + 1);
  escaped = false;
  memo = 0;
  if (j < n && s[j] == '"') { // most strings: nothing to decode or check
    length = static_cast<std::uint32_t>(j - begin);
    return j + 1;
  }
  while (true) {
    j = skip_plain_string_bytes(s, j, n);
    if (j >= n) {
      error = {open, "unterminated string (expected a closing '\"')"};
      return k_failed;
    }
    const auto c = static_cast<unsigned char>(s[j]);
    if (c == '"') {
      break;
    }
    if (c == '\\') {
      escaped = true;
      if (j + 1 >= n) {
        error = {open, "unterminated string (expected a closing '\"')"};
        return k_failed;
      }
      const char e = s[j + 1];
      if (e == 'u') {
        const int code = j + 6 <= n ? hex4(s + j + 2) : -1;
        if (code < 0) {
          error = {j, "bad \\u escape in a string (expected four hex digits)"};
          return k_failed;
        }
        if (code >= 0xDC00 && code <= 0xDFFF) {
          error = {j, "lone low surrogate in a \\u escape (expected a high surrogate first)"};
          return k_failed;
        }
        if (code >= 0xD800 && code <= 0xDBFF) {
          const int low = j + 12 <= n && s[j + 6] == '\\' && s[j + 7] == 'u' ? hex4(s + j + 8) : -1;
          if (low < 0xDC00 || low > 0xDFFF) {
            error = {j, "high surrogate without a low surrogate in a \\u escape"};
            return k_failed;
          }
          j += 12;
        } else {
          j += 6;
        }
        continue;
      }
      if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
        error = {j, fmt::format("bad escape \\{} in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)",
                                describe_at(m_text, j + 1))};
        return k_failed;
      }
      j += 2;
      continue;
    }
    if (c < 0x20) {
      error = {j, fmt::format("control character 0x{:02X} in a string (expected it escaped)", c)};
      return k_failed;
    }
    if (c >= 0x80) {
      const std::size_t bytes = utf8_sequence(reinterpret_cast<const unsigned char*>(s + j), n - j);
      if (bytes == 0) {
        error = {j, fmt::format("invalid UTF-8 (byte 0x{:02X}) in a string", c)};
        return k_failed;
      }
      j += bytes;
      continue;
    }
    ++j; // a plain byte just before the end of the text
  }
  length = static_cast<std::uint32_t>(j - begin);
  return j + 1;
}

bool JsonTape::parse(std::string_view text, JsonSyntaxError& error)
{
  m_text = text;
  m_depth = 0;
  m_unescaped_used = 0;
  m_decoded_nul = false;
  if (text.size() >= UINT32_MAX) {
    error = {0, "a JSON document of 4 GiB or more"};
    return false;
  }
  const char* s = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
  auto fail = [&](std::size_t at, std::string problem) {
    error = {at, std::move(problem)};
    return false;
  };
  // A string at s[i] (a quote) into `node`; most have nothing to decode or
  // check and are done here, the rest go through parse_string.
  auto string_at = [&](Node& node) {
    const std::size_t j = skip_plain_string_bytes(s, i + 1, n);
    if (j < n && s[j] == '"') {
      node.begin = static_cast<std::uint32_t>(i + 1);
      node.length = static_cast<std::uint32_t>(j - i - 1);
      i = j + 1;
      return true;
    }
    // By value, not by reference: `i` then stays in a register (callgrind:
    // a tenth of the tape went to keeping it in memory).
    i = parse_string(i, node.begin, node.length, node.escaped, node.unescaped, error);
    return i != k_failed;
  };
  // Nodes are reused from one document to the next and every field is set
  // here, so a node costs no zeroing and no size bookkeeping of a vector.
  // There is always a spare node after the ones in use: a member's name goes
  // straight into the node its value takes next (new_node leaves the name
  // alone; outside objects it is stale, and nothing reads it).
  std::uint32_t used = 0;
  if (m_nodes.size() < 64) {
    m_nodes.resize(64);
  }
  std::size_t last = m_nodes.size() - 1;
  // Inlined: a call per node cost a fifth of the tape.
  auto new_node = [&](JsonType type) __attribute__((always_inline))->Node&
  {
    if (used == last) [[unlikely]] {
      m_nodes.resize(m_nodes.size() * 2);
      last = m_nodes.size() - 1;
    }
    Node& node = m_nodes[used];
    ++used;
    node.type = type;
    node.escaped = false;
    node.begin = static_cast<std::uint32_t>(i);
    node.length = 0;
    node.after = used;
    node.count = 0; // and unescaped
    return node;
  };

  // The innermost open container, its kind and the values read in it so
  // far, kept here; m_open holds the enclosing ones.
  constexpr std::uint32_t k_none = UINT32_MAX;
  std::uint32_t parent = k_none;
  std::uint32_t values = 0;
  bool in_object = false;

  // Whitespace is skipped where a token did not come next: compact JSON,
  // the common case, then costs nothing extra.
value:
  if (i >= n) {
    return fail(i, "expected a value, found the end of the text");
  }
  if (s[i] == '"') { // the most common value: tested before the jump table
    if (!string_at(new_node(JsonType::string))) {
      return false;
    }
    goto after_value;
  }
  switch (s[i]) {
  case ' ':
  case '\t':
  case '\n':
  case '\r':
    i = skip_space(s, i, n);
    goto value;
  case '{':
  case '[': {
    const char c = s[i];
    if (m_depth >= k_max_depth) {
      return fail(i, fmt::format("nested more than {} deep (expected at most {} levels of arrays and objects)",
                                 k_max_depth, k_max_depth));
    }
    const std::uint32_t index = used;
    Node& node = new_node(c == '{' ? JsonType::object : JsonType::array);
    ++i;
    if (i < n && is_space(s[i])) {
      i = skip_space(s, i, n);
    }
    if (i < n && s[i] == (c == '{' ? '}' : ']')) {
      ++i;
      node.length = static_cast<std::uint32_t>(i - node.begin);
      goto after_value;
    }
    m_open[m_depth++] = {parent, values};
    parent = index;
    values = 0;
    in_object = c == '{';
    if (in_object) {
      goto member;
    }
    goto value;
  }
  case '-':
  case '0':
  case '1':
  case '2':
  case '3':
  case '4':
  case '5':
  case '6':
  case '7':
  case '8':
  case '9': {
    const char c = s[i];
    bool digits_only = c != '-';
    std::size_t j = i + (c == '-' ? 1 : 0);
    if (j >= n || !is_digit(s[j])) {
      return fail(j, fmt::format("expected a digit in a number, found {}", describe_at(text, j)));
    }
    if (s[j] == '0') {
      ++j;
    } else {
      while (j < n && is_digit(s[j])) {
        ++j;
      }
    }
    if (j < n && s[j] == '.') {
      digits_only = false;
      ++j;
      if (j >= n || !is_digit(s[j])) {
        return fail(j, fmt::format("expected a digit after the decimal point, found {}", describe_at(text, j)));
      }
      while (j < n && is_digit(s[j])) {
        ++j;
      }
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
      digits_only = false;
      ++j;
      if (j < n && (s[j] == '+' || s[j] == '-')) {
        ++j;
      }
      if (j >= n || !is_digit(s[j])) {
        return fail(j, fmt::format("expected a digit in the exponent, found {}", describe_at(text, j)));
      }
      while (j < n && is_digit(s[j])) {
        ++j;
      }
    }
    Node& node = new_node(JsonType::number);
    node.length = static_cast<std::uint32_t>(j - i);
    node.digits_only = digits_only;
    i = j;
    goto after_value;
  }
  default:
    for (const std::string_view literal : {"true", "false", "null"}) {
      if (text.substr(i, literal.size()) == literal) {
        Node& node = new_node(literal == "null" ? JsonType::null : JsonType::boolean);
        node.length = static_cast<std::uint32_t>(literal.size());
        i += literal.size();
        goto after_value;
      }
    }
    return fail(i, fmt::format("expected a value, found {}", describe_at(text, i)));
  }

member:
  // A member name, then ':'.
  if (i >= n || s[i] != '"') {
    i = skip_space(s, i, n);
    if (i >= n || s[i] != '"') {
      return fail(i, fmt::format("expected a member name in double quotes, found {}", describe_at(text, i)));
    }
  }
  {
    // string_at's steps, written out for the name's fields: string_at taking
    // the fields by reference made the whole tape 1.8 % slower (callgrind).
    Node& next = m_nodes[used];
    const std::size_t j = skip_plain_string_bytes(s, i + 1, n);
    if (j < n && s[j] == '"') {
      next.key_begin = static_cast<std::uint32_t>(i + 1);
      next.key_length = static_cast<std::uint32_t>(j - i - 1);
      next.key_escaped = false;
      i = j + 1;
    } else {
      i = parse_string(i, next.key_begin, next.key_length, next.key_escaped, next.key_unescaped, error);
      if (i == k_failed) {
        return false;
      }
    }
  }
  if (i >= n || s[i] != ':') {
    i = skip_space(s, i, n);
    if (i >= n || s[i] != ':') {
      return fail(i, fmt::format("expected ':' after a member name, found {}", describe_at(text, i)));
    }
  }
  ++i;
  goto value;

after_value:
  if (parent == k_none) {
    i = skip_space(s, i, n);
    if (i != n) {
      return fail(i, fmt::format("expected the end of the value, found {}", describe_at(text, i)));
    }
    return true;
  }
  ++values;
separator:
  if (i < n && s[i] == ',') {
    ++i;
    if (in_object) {
      goto member;
    }
    goto value;
  }
  if (i < n && s[i] == (in_object ? '}' : ']')) {
    ++i;
    Node& node = m_nodes[parent];
    node.length = static_cast<std::uint32_t>(i - node.begin);
    node.after = used;
    node.count = values;
    --m_depth;
    parent = m_open[m_depth].index;
    values = m_open[m_depth].values;
    in_object = parent != k_none && m_nodes[parent].type == JsonType::object;
    goto after_value;
  }
  if (i < n && is_space(s[i])) {
    i = skip_space(s, i, n);
    goto separator;
  }
  return fail(i, fmt::format("expected ',' or '{}' after {}, found {}", in_object ? '}' : ']',
                             in_object ? "an object member" : "an array element", describe_at(text, i)));
}

} // namespace llmcost
