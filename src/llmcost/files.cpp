#include "llmcost/files.hpp"

#include "llmcost/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace llmcost {

std::string read_file(const std::string& path)
{
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Location{path}, std::string("cannot open: ") + std::strerror(errno));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw Error(Location{path}, std::string("read error: ") + std::strerror(errno));
  }
  return text;
}

} // namespace llmcost
