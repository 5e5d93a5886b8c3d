#include "cli/app.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv)
{
  // A closed pipe (`llmcost ... | head`) or a file size limit must fail the
  // write, so the run reports it and exits 2, rather than kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  return llmcost::cli::run(argc, argv, std::cout, std::cerr);
}
