#include "llmcost/usage_jsonl.hpp"

#include "llmcost/kimi_sessions.hpp"

#include "llmcost/trace_reader.hpp"

#include "llmcost/error.hpp"
#include "llmcost/json_scan.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>

namespace llmcost {

namespace {

// A JSON value's extent in the text, found without parsing it.
struct Span
{
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t line = 1;
};

// Splits the text into top-level JSON values. JSONL (the first value ends on
// its own line) is split at newlines, so a truncated or broken line is one bad
// record and never swallows the next; otherwise (pretty-printed objects, as
// the OpenTelemetry console exporter writes) by bracket depth, honouring
// strings and escapes.
class ValueSplitter
{
public:
  ValueSplitter(std::string_view text, std::size_t first_line, std::optional<bool> by_line, bool start_of_file)
    : m_text(text)
    , m_line(first_line)
  {
    if (first_line == 1 && start_of_file && m_text.substr(0, 3) == "\xEF\xBB\xBF") {
      m_pos = 3;
    }
    m_by_line = by_line ? *by_line : is_json_lines(m_text.substr(m_pos));
  }

  // JSONL if one of the first lines is a whole object by itself; a
  // pretty-printed object never has a line that opens and closes it.
  static bool any_line_is_one_object(std::string_view text)
  {
    std::size_t pos = 0;
    for (int lines = 0; lines < 8 && pos < text.size(); ++lines) {
      const std::size_t newline = std::min(text.find('\n', pos), text.size());
      const std::string_view line = trim(text.substr(pos, newline - pos));
      pos = newline + 1;
      if (line.empty() || line.front() != '{') {
        continue;
      }
      bool closed_at_end = false;
      walk_brackets(line, [&](std::size_t offset, int depth) {
        closed_at_end = depth == 0 && offset + 1 == line.size();
        return depth != 0;
      });
      if (closed_at_end) {
        return true;
      }
    }
    return false;
  }

  bool next(Span& span) { return m_by_line ? next_by_line(span) : next_by_depth(span); }
  // The line the next value would start on: every newline passed is counted.
  std::size_t line() const { return m_line; }

private:
  void skip_blank()
  {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == '\n') {
        ++m_line;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        break;
      }
      ++m_pos;
    }
  }

  bool next_by_line(Span& span)
  {
    skip_blank();
    if (m_pos >= m_text.size()) {
      return false;
    }
    span.begin = m_pos;
    span.line = m_line;
    const std::size_t newline = m_text.find('\n', m_pos);
    span.end = newline == std::string_view::npos ? m_text.size() : newline;
    m_pos = span.end;
    return true;
  }

  bool next_by_depth(Span& span)
  {
    skip_blank();
    if (m_pos >= m_text.size()) {
      return false;
    }
    span.begin = m_pos;
    span.line = m_line;
    int depth = 0;
    bool in_string = false;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos++];
      if (c == '\n') {
        ++m_line;
        if (depth == 0) {
          break; // a scalar or garbage line ends at the newline
        }
      }
      if (in_string) {
        if (c == '\\') {
          if (m_pos < m_text.size() && m_text[m_pos] == '\n') {
            ++m_line; // invalid JSON, but the lines after it keep their numbers
          }
          ++m_pos;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth <= 0) {
          break;
        }
      }
    }
    span.end = m_pos;
    return true;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  bool m_by_line = true;
};

} // namespace

bool looks_like_usage_name(std::string_view name)
{
  return has_word(name, "usage") || has_word(name, "token");
}

JsonInputSummary summarise_json_start(std::string_view start)
{
  JsonInputSummary summary;
  ValueSplitter splitter(start, 1, std::nullopt, true);
  JsonTape tape;
  JsonSyntaxError error;
  Span span;
  // Depth-first over every member, for a usage-like name anywhere.
  bool kimi_wire = false; // the root is a Kimi CLI wire line (kimi_sessions.hpp)
  std::function<void(JsonValue)> visit = [&](JsonValue value) {
    if (value.is(JsonType::object)) {
      value.for_each_member([&](std::string_view name, JsonValue member) {
        // A "usage" member tells more than a "max_tokens" setting. Kimi CLI's
        // context gauges are not billed usage: its old logs have only those.
        if (looks_like_usage_name(name) && !(kimi_wire && is_kimi_context_gauge(name)) &&
            (summary.usage_like.empty() || (!has_word(summary.usage_like, "usage") && has_word(name, "usage")))) {
          summary.usage_like = name;
        }
        visit(member);
      });
    } else if (value.is(JsonType::array)) {
      value.for_each_element(visit);
    }
  };
  while (summary.objects < 64 && splitter.next(span)) {
    if (!tape.parse(start.substr(span.begin, span.end - span.begin), error)) {
      continue; // a value cut at the end of the start, or a broken line (reported by the reader)
    }
    const JsonValue root = tape.root();
    ++summary.objects;
    kimi_wire = root.is(JsonType::object) && is_kimi_wire_message(root["message"]);
    // Kimi Code records other than usage.record: settings and gauges, not usage.
    const std::string_view type = root.is(JsonType::object) ? root["type"].text() : std::string_view();
    if (type == k_kimi_code_usage_type || !is_kimi_code_record(type, root)) {
      visit(root);
    }
    const auto note_keys = [&](JsonValue object) {
      object.for_each_member([&](std::string_view name, JsonValue member) {
        if (summary.keys.size() < 16 &&
            std::find(summary.keys.begin(), summary.keys.end(), name) == summary.keys.end()) {
          summary.keys.emplace_back(elide(std::string(name), 40));
        }
        if ((name == "type" || name == "object") && member.is(JsonType::string) && summary.top_types.size() < 8 &&
            std::find(summary.top_types.begin(), summary.top_types.end(), member.text()) == summary.top_types.end()) {
          summary.top_types.emplace_back(elide(std::string(member.text()), 40));
        }
      });
    };
    if (root.is(JsonType::object)) {
      note_keys(root);
    } else if (root.is(JsonType::array)) {
      root.for_each_element([&](JsonValue element) {
        if (element.is(JsonType::object)) {
          note_keys(element);
        }
      });
    }
  }
  return summary;
}

namespace {

// An input without its UTF-8 byte order mark.
std::string_view without_bom(std::string_view text)
{
  return text.substr(text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
}

// Where the first JSON value of `text` starts: after blanks.
std::size_t first_value(std::string_view text, std::size_t from = 0)
{
  return std::min(text.find_first_not_of(" \t\r\n", from), text.size());
}

} // namespace

bool looks_like_json_objects(std::string_view text)
{
  text = without_bom(text);
  std::size_t i = first_value(text);
  if (i < text.size() && text[i] == '[') {
    // A JSON array of objects (LiteLLM's /spend/logs, a saved list of responses).
    i = first_value(text, i + 1);
  }
  return i < text.size() && text[i] == '{';
}

bool is_json_lines(std::string_view start)
{
  start = without_bom(start);
  const std::size_t first = first_value(start);
  // A file that is one array (of objects, a line each) is one value.
  if (first < start.size() && start[first] == '[') {
    return false;
  }
  return ValueSplitter::any_line_is_one_object(start);
}

namespace {

// An array whose first element is an object: a list of records. Any other
// array is one value where an object was expected.
bool is_array_of_objects(JsonValue value)
{
  bool first_is_object = false;
  bool first = true;
  value.for_each_element([&](JsonValue element) {
    if (first) {
      first_is_object = element.is(JsonType::object);
      first = false;
    }
  });
  return value.is(JsonType::array) && first_is_object;
}

} // namespace

std::size_t read_usage_jsonl(std::string_view text, const std::string& file, RecordSink& sink, std::size_t first_line,
                             std::optional<bool> by_line, bool start_of_file, std::optional<TraceSource> source,
                             CodexContext* codex)
{
  ValueSplitter splitter(text, first_line, by_line, start_of_file);
  TraceReader reader(sink, source, codex);
  JsonTape tape;
  JsonSyntaxError error;
  Span span;
  // Columns count from the start of a line: after the last newline, or the
  // start of the text (a piece of a file starts a line), or its byte order mark.
  const std::size_t origin = first_line == 1 && start_of_file && text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  const auto line_start_before = [&](const char* from, const char* to, const char* start) {
    const auto* newline = static_cast<const char*>(::memrchr(from, '\n', static_cast<std::size_t>(to - from)));
    return newline != nullptr ? newline + 1 : start;
  };
  const auto column = [](const char* line_start, const char* at) {
    return static_cast<std::uint32_t>(at - line_start + 1);
  };
  const char* scanned = text.data(); // values come in order: each byte is looked at once
  const char* last_line_start = text.data() + origin;
  while (splitter.next(span)) {
    const std::string_view value = text.substr(span.begin, span.end - span.begin);
    // A value starts a line but after blanks, or (pretty-printed) after another value.
    last_line_start = line_start_before(scanned, value.data(), last_line_start);
    scanned = value.data();
    const char* value_line = last_line_start;
    if (!tape.parse(value, error)) {
      // Line and column of the problem within the file.
      const std::string_view before = value.substr(0, std::min(error.offset, value.size()));
      const std::size_t newlines = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
      const char* problem = before.data() + before.size();
      const char* line_start = line_start_before(before.data(), problem, value_line);
      sink.reject(Location{file, span.line + newlines, column(line_start, problem)}, "invalid JSON",
                  "invalid JSON: " + error.problem);
      continue;
    }
    const JsonValue root = tape.root();
    if (is_array_of_objects(root)) {
      // Each element is a record, on the line and at the column where it starts.
      std::size_t line = span.line;
      const char* counted = value.data();
      const char* line_start = value_line;
      root.for_each_element([&](JsonValue element) {
        const char* start = element.raw().data();
        line += static_cast<std::size_t>(std::count(counted, start, '\n'));
        line_start = line_start_before(counted, start, line_start);
        counted = start;
        reader.read(element, SourceLine{file, line, column(line_start, start)});
      });
      continue;
    }
    reader.read(root, SourceLine{file, span.line, column(value_line, value.data())});
  }
  return splitter.line() - first_line;
}

} // namespace llmcost
