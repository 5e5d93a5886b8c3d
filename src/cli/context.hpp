#pragma once
// The state the subcommands share for one run.

#include <iosfwd>
#include <memory>

namespace llmcost::cli {

struct UserConfig;

struct Context
{
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
  bool stdout_is_tty = false;
  std::shared_ptr<UserConfig> config; // read on first use (config.hpp)
};

} // namespace llmcost::cli
