#include "llmcost/error.hpp"

namespace llmcost {

std::string Location::to_string() const
{
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
    if (column > 0) {
      out += ":" + std::to_string(column);
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
