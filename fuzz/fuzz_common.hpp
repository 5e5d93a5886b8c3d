#pragma once
// Shared by the fuzz targets: what an expected failure is, and how a defect
// is reported so that libFuzzer keeps the input (abort -> crash-* file).

#include "llmcost/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>

namespace llmcost_fuzz {

// Stops the run with a message libFuzzer shows above the stack trace.
[[noreturn]] inline void defect(const char* what, const std::string& detail)
{
  std::fprintf(stderr, "\n==llmcost-fuzz== DEFECT: %s: %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// LLMCOST_FUZZ_IGNORE="text|text...": an exception whose what() contains one
// of these texts counts as expected. Only for looking past a defect already
// found and reported, so that it does not end every run (fuzz/README.md).
inline bool known_defect(std::string_view what)
{
  static const std::string ignore = [] {
    const char* env = std::getenv("LLMCOST_FUZZ_IGNORE");
    return std::string(env != nullptr ? env : "");
  }();
  std::string_view rest = ignore;
  while (!rest.empty()) {
    const std::size_t bar = rest.find('|');
    const std::string_view item = rest.substr(0, bar);
    if (!item.empty() && what.find(item) != std::string_view::npos) {
      return true;
    }
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  return false;
}

// Runs `body`; llmcost::Error (bad input, exit 2) and std::overflow_error
// (amount out of range, also a clean exit 2) are expected outcomes. An
// Error whose message starts with "internal error" is a broken invariant,
// and any other exception type escaping is a defect.
template <typename Body> void expect_clean(Body&& body)
{
  try {
    body();
  } catch (const llmcost::Error& e) {
    // The aggregator's own invariant check: Error("internal error: ...")
    // without a location. (Messages with a location may quote the input,
    // which can contain the words.)
    if (std::string_view(e.what()).starts_with("internal error") && !known_defect(e.what())) {
      defect("llmcost::Error reporting an internal error", e.what());
    }
  } catch (const std::overflow_error&) {
    // amount out of range: reported cleanly by the CLI
  } catch (const std::exception& e) {
    if (known_defect(e.what())) {
      return;
    }
    defect((std::string("unexpected exception ") + typeid(e).name()).c_str(), e.what());
  } catch (...) {
    defect("unexpected non-std exception", "");
  }
}

} // namespace llmcost_fuzz
