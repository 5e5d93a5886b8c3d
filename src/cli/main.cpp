#include "cli/app.hpp"
#include "cli/output.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv)
{
  // A closed pipe (`llmcost ... | head`) or a file size limit must fail the
  // write, so the run reports it and exits 2, rather than kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  llmcost::cli::remove_output_temp_on_signals();
  return llmcost::cli::run(argc, argv, std::cout, std::cerr);
}
