#include "cli/app.hpp"

#include <iostream>

int main(int argc, char** argv)
{
  return llmcost::cli::run(argc, argv, std::cout, std::cerr);
}
