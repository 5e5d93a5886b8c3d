#include "llmcost/error.hpp"

namespace llmcost {

std::string Location::to_string() const
{
  std::string out = file;
  if (line > 0) {
    // A problem with a whole line (or record) is at its column 1, so every
    // located message reads FILE:LINE:COL, as editors expect.
    out += (out.empty() ? "line " : ":") + std::to_string(line) + ":" + std::to_string(column > 0 ? column : 1);
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
