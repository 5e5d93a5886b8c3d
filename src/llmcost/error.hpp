#pragma once
// One exception type for bad usage and bad input (exit code 2). Its message
// follows the compiler convention so editors can jump to it:
//   FILE:LINE:COL: what is wrong (expected what)

#include <cstddef>
#include <stdexcept>
#include <string>

namespace llmcost {

struct Location
{
  std::string file;       // empty when the problem is not in a file (a flag, say)
  std::size_t line = 0;   // 1-based; 0 = unknown
  std::size_t column = 0; // 1-based byte column; 0 = the whole line (shown as 1)

  std::string to_string() const; // "file:line:col" with the known parts
};

class Error : public std::runtime_error
{
public:
  explicit Error(const std::string& message);
  Error(const Location& where, const std::string& problem, const std::string& expected = {});

  const Location& location() const { return m_location; }

private:
  Location m_location;
};

std::string format_problem(const Location& where, const std::string& problem, const std::string& expected);

} // namespace llmcost
