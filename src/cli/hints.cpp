#include "cli/hints.hpp"

#include "llmcost/strings.hpp"

#include <algorithm>

namespace llmcost::cli {

std::string nearest(const std::string& word, const std::vector<std::string>& candidates)
{
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

// CLI11 2.1 has no "did you mean": find the subcommand being parsed, and
// compare the words it rejected with its subcommands, options and choices.
std::string parse_error_hint(CLI::App& app, const std::string& message)
{
  CLI::App* active = &app;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (CLI::App* sub : active->get_subcommands()) {
      active = sub;
      deeper = true;
      break;
    }
  }
  std::vector<std::string> subcommands;
  for (const CLI::App* sub : active->get_subcommands([](const CLI::App*) { return true; })) {
    subcommands.push_back(sub->get_name());
  }
  std::vector<std::string> options;
  for (const CLI::Option* option : active->get_options()) {
    for (const auto& name : option->get_lnames()) {
      options.push_back("--" + name);
    }
  }
  std::vector<std::string> words;
  if (const auto colon = message.find("not expected: "); colon != std::string::npos) {
    std::string list = message.substr(colon + 14);
    for (std::size_t start = 0; start < list.size();) {
      const std::size_t space = std::min(list.find(' ', start), list.size());
      words.push_back(list.substr(start, space - start));
      start = space + 1;
    }
  } else if (message.find("A subcommand is required") != std::string::npos) {
    words = active->remaining();
  } else if (const auto pos = message.find(" not in {"); pos != std::string::npos) {
    // "--format: jsno not in {table,json,...}"
    const auto name_end = message.find(": ");
    const std::string value = name_end < pos ? message.substr(name_end + 2, pos - name_end - 2) : "";
    std::vector<std::string> choices;
    std::string list = message.substr(pos + 9, message.find('}', pos) - pos - 9);
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      choices.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    const std::string near = nearest(to_lower(value), choices);
    return near.empty() ? std::string() : "did you mean '" + near + "'?";
  }
  for (const auto& word : words) {
    const std::string name = word.substr(0, word.find('='));
    const std::string near = nearest(name, name.rfind('-', 0) == 0 ? options : subcommands);
    if (!near.empty()) {
      std::string path;
      for (const CLI::App* a = active; a != nullptr; a = a->get_parent()) {
        path = a->get_name() + (path.empty() ? "" : " ") + path;
      }
      return "did you mean '" + path + " " + near + "'?";
    }
  }
  if (message.find("A subcommand is required") != std::string::npos && !subcommands.empty()) {
    std::string list;
    for (const auto& name : subcommands) {
      list += (list.empty() ? "" : ", ") + name;
    }
    return "one of: " + list;
  }
  return {};
}

} // namespace llmcost::cli
