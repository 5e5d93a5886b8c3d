#include "llmcost/report.hpp"

#include <algorithm>

namespace llmcost {

void Report::add_note(const std::string& note)
{
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
    notes.push_back(note);
  }
}

void Report::add_warning(const std::string& warning)
{
  if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
    warnings.push_back(warning);
  }
}

} // namespace llmcost
