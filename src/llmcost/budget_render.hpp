#pragma once
// The text forms of a BudgetResult: an aligned table, JSON, CSV or Markdown.

#include "llmcost/budget.hpp"
#include "llmcost/render.hpp"

#include <string>

namespace llmcost {

// Throws Error for a format budget does not offer (HTML; refused earlier, when
// the command line is parsed), rather than falling back to the table.
std::string render_budget(const BudgetResult& result, const RenderOptions& options);

} // namespace llmcost
