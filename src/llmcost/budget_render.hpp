#pragma once
// The forms of a BudgetResult: an aligned table, JSON, CSV, Markdown or an
// HTML page.

#include "llmcost/budget.hpp"
#include "llmcost/render.hpp"

#include <string>

namespace llmcost {

// Throws for a format budget does not offer (FOCUS; refused earlier, when
// the command line is parsed), rather than falling back to the table.
std::string render_budget(const BudgetResult& result, const RenderOptions& options);

} // namespace llmcost
