#include "llmcost/error.hpp"

namespace llmcost {

std::string Location::to_string() const
{
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
    // A problem with a whole line (or record) of a file is at its column 1,
    // so every message located in a file reads FILE:LINE:COL, as editors expect.
    const std::size_t shown = column > 0 ? column : file.empty() ? 0 : 1;
    if (shown > 0) {
      out += ":" + std::to_string(shown);
    }
  }
  return out;
}

std::string format_problem(const Location& where, const std::string& problem, const std::string& expected)
{
  std::string out = where.to_string();
  if (!out.empty()) {
    out += ": ";
  }
  out += problem;
  if (!expected.empty()) {
    out += " (expected " + expected + ")";
  }
  return out;
}

Error::Error(const std::string& message)
  : std::runtime_error(message)
{
}

Error::Error(const Location& where, const std::string& problem, const std::string& expected)
  : std::runtime_error(format_problem(where, problem, expected))
  , m_location(where)
{
}

} // namespace llmcost
