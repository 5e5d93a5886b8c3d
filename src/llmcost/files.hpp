#pragma once

#include <string>

namespace llmcost {

// Reads a whole file ("-" is standard input); throws Error naming the file.
std::string read_file(const std::string& path);

} // namespace llmcost
