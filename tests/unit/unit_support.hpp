#pragma once
// Shared helpers for the unit tests (not a test file itself).

#include "llmcost/catalog.hpp"
#include "llmcost/decimal.hpp"
#include "llmcost/error.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/workload.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// Decimal values print as their exact text in failure messages.
namespace doctest {
template <> struct StringMaker<llmcost::Decimal>
{
  static String convert(const llmcost::Decimal& value) { return value.to_exact_string(0).c_str(); }
};
} // namespace doctest

namespace llmcost::test {

// A decimal literal written by the test author; a typo is a test bug, so throw.
inline Decimal dec(std::string_view text)
{
  std::string why;
  auto value = Decimal::parse(text, &why);
  if (!value) {
    throw std::invalid_argument("bad decimal literal in test \"" + std::string(text) + "\": " + why);
  }
  return *value;
}

// The message of the llmcost::Error that `action` throws, or a marker text.
template <class Action> std::string error_of(Action&& action)
{
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "<no llmcost::Error thrown>";
}

// The bundled rate cards, built once for the whole run.
inline const Catalog& bundled()
{
  static const Catalog catalog = Catalog::bundled();
  return catalog;
}

// A chat workload: `requests` a month, each `input_tokens` in and `output_tokens` out.
inline Workload chat(const std::string& name, const std::string& model, std::string_view requests,
                     std::string_view input_tokens, std::string_view output_tokens)
{
  Workload w;
  w.name = name;
  w.model = model;
  w.requests = dec(requests);
  w.input_tokens = dec(input_tokens);
  w.output_tokens = dec(output_tokens);
  return w;
}

// `workloads` priced with the bundled cards (reported per `period` when given).
inline Report estimate(const std::vector<Workload>& workloads, std::optional<Period> period = std::nullopt)
{
  EstimateRequest request;
  request.workloads = workloads;
  request.period = period;
  return estimate_workloads(bundled(), request);
}

inline bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

inline std::string read_source_file(const std::string& relative)
{
  const std::string path = std::string(LLMCOST_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open " + path);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace llmcost::test
