// Shell completions (see completions.hpp). One walk over the app gives a flat
// list of command paths with their options; each shell's script is printed
// from that list, so a new option appears in all three at once.

#include "cli/completions.hpp"

#include "llmcost/error.hpp"
#include "llmcost/group_by.hpp"

#include <fmt/format.h>

namespace llmcost::cli {

namespace {

struct OptionSpec
{
  std::vector<std::string> names; // "--format", "-o"
  std::string description;
  bool takes_value = false;
  std::vector<std::string> choices; // from an IsMember check, e.g. {table,json}
  std::string values;               // "models", "providers", "groups", "files" or "" (choices)
};

struct CommandSpec
{
  std::vector<std::string> path; // {"rates", "show"}; empty for the top level
  std::string description;
  std::vector<std::pair<std::string, std::string>> subcommands; // name, description
  std::vector<OptionSpec> options;
  bool takes_files = false; // has a positional argument
};

// CLI11 shows an IsMember check in the type name: "TEXT:{table,json,csv}".
std::vector<std::string> choices_of(const CLI::Option& option)
{
  const std::string type = option.get_type_name();
  const auto open = type.find('{');
  const auto close = type.find('}', open);
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos) {
    return out;
  }
  std::string item;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (type[i] == ',' || type[i] == '}') {
      if (!item.empty()) {
        out.push_back(item);
      }
      item.clear();
    } else {
      item += type[i];
    }
  }
  return out;
}

void collect(const CLI::App& app, std::vector<std::string> path, std::vector<CommandSpec>& out)
{
  CommandSpec spec;
  spec.path = path;
  spec.description = app.get_description();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) {
      spec.takes_files = true;
      continue;
    }
    OptionSpec o;
    for (const auto& name : option->get_lnames()) {
      o.names.push_back("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      o.names.push_back("-" + name);
    }
    o.description = option->get_description();
    o.takes_value = option->get_expected_max() != 0 && option->get_type_size() != 0;
    o.choices = choices_of(*option);
    const std::string& lname = o.names.empty() ? std::string() : o.names.front();
    if (o.takes_value && o.choices.empty()) {
      const bool file = o.description.find("FILE") != std::string::npos || lname == "--baseline";
      o.values = lname == "--model" || lname == "--models"      ? "models"
                 : lname == "--provider" || lname == "--routes" ? "providers"
                 : lname == "--by"                              ? "groups"
                 : file                                         ? "files"
                                                                : "none";
    }
    spec.options.push_back(std::move(o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    spec.subcommands.emplace_back(sub->get_name(), sub->get_description());
  }
  out.push_back(spec);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    auto sub_path = path;
    sub_path.push_back(sub->get_name());
    collect(*sub, sub_path, out);
  }
}

std::string join(const std::vector<std::string>& items, const char* separator)
{
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : separator) + item;
  }
  return out;
}

// Single-quoted for sh, zsh and fish ('it'\''s').
std::string quote(const std::string& text)
{
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Every --by name (compare's too).
std::vector<std::string> group_keys()
{
  std::vector<std::string> keys;
  for (const auto& entry : k_group_by_names) {
    keys.emplace_back(entry.name);
  }
  return keys;
}

// The case arms that follow the command path word by word (bash and zsh
// alike): "PATH:WORD) VAR=PATH WORD ;;".
std::string path_cases(const std::vector<CommandSpec>& commands, const char* variable)
{
  std::string out;
  for (const auto& c : commands) {
    for (const auto& [name, description] : c.subcommands) {
      out += fmt::format("    {}) {}={} ;;\n", quote(join(c.path, " ") + ":" + name), variable,
                         quote(join(c.path, " ") + (c.path.empty() ? "" : " ") + name));
    }
  }
  return out;
}

// The case pattern of an option's value: "PATH:--name|PATH:-n".
std::string option_patterns(const CommandSpec& command, const OptionSpec& option)
{
  std::vector<std::string> patterns;
  for (const auto& name : option.names) {
    patterns.push_back(quote(join(command.path, " ") + ":" + name));
  }
  return join(patterns, "|");
}

// The case arms that complete an option's value, the action for each from
// `action` (the shells complete the same things in their own words).
template <typename Action> std::string option_value_cases(const std::vector<CommandSpec>& commands, Action action)
{
  std::string out;
  for (const auto& c : commands) {
    for (const auto& o : c.options) {
      if (o.takes_value) {
        out += "    " + option_patterns(c, o) + ") " + action(o) + "; return ;;\n";
      }
    }
  }
  return out;
}

std::string bash_script(const std::vector<CommandSpec>& commands, const std::vector<std::string>& models,
                        const std::vector<std::string>& providers)
{
  std::string out = "# bash completion for llmcost (generated by `llmcost completions bash`)\n"
                    "_llmcost() {\n"
                    "  local cur prev path=\"\" i\n"
                    "  cur=${COMP_WORDS[COMP_CWORD]}\n"
                    "  prev=${COMP_WORDS[COMP_CWORD-1]}\n";
  out += "  local models=" + quote(join(models, " ")) + "\n";
  out += "  local providers=" + quote(join(providers, " ")) + "\n";
  out += "  local groups=" + quote(join(group_keys(), " ")) + "\n";
  // The command path: the words that name subcommands, in order.
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n    case \"$path:${COMP_WORDS[i]}\" in\n";
  out += path_cases(commands, "path");
  out += "    esac\n  done\n";
  // The value of an option.
  out += "  case \"$path:$prev\" in\n";
  out += option_value_cases(commands, [](const OptionSpec& o) {
    std::string action;
    if (!o.choices.empty()) {
      action = "COMPREPLY=($(compgen -W " + quote(join(o.choices, " ")) + " -- \"$cur\"))";
    } else if (o.values == "files") {
      action = "COMPREPLY=($(compgen -f -- \"$cur\"))";
    } else if (o.values == "none") {
      action = "COMPREPLY=()";
    } else {
      action = "COMPREPLY=($(compgen -W \"$" + o.values + "\" -- \"$cur\"))";
    }
    return action;
  });
  out += "  esac\n";
  out += "  case \"$path\" in\n";
  for (const auto& c : commands) {
    std::vector<std::string> words;
    for (const auto& o : c.options) {
      words.insert(words.end(), o.names.begin(), o.names.end());
    }
    std::vector<std::string> subs;
    for (const auto& s : c.subcommands) {
      subs.push_back(s.first);
    }
    out += "    " + quote(join(c.path, " ")) + ")\n";
    out += "      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W " + quote(join(words, " ")) + " -- \"$cur\"))\n";
    if (!subs.empty()) {
      out += "      else COMPREPLY=($(compgen -W " + quote(join(subs, " ")) + " -- \"$cur\"))\n";
    } else if (c.takes_files) {
      out += "      else COMPREPLY=($(compgen -f -- \"$cur\"))\n";
    }
    out += "      fi ;;\n";
  }
  out += "  esac\n}\ncomplete -o filenames -o bashdefault -F _llmcost llmcost\n";
  return out;
}

// zsh's _describe takes "name:description"; colons in names are escaped.
std::string zsh_item(const std::string& name, const std::string& description)
{
  std::string escaped;
  for (char c : name) {
    escaped += c == ':' ? std::string("\\:") : std::string(1, c);
  }
  return quote(escaped + ":" + description);
}

std::string zsh_script(const std::vector<CommandSpec>& commands, const std::vector<std::string>& models,
                       const std::vector<std::string>& providers)
{
  std::string out = "#compdef llmcost\n"
                    "# zsh completion for llmcost (generated by `llmcost completions zsh`)\n"
                    "_llmcost() {\n"
                    "  local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmdpath=\"\" i\n"
                    "  local -a items\n";
  out += "  local -a models=(" +
         join(
             [&] {
               std::vector<std::string> q;
               for (const auto& m : models) {
                 q.push_back(quote(m));
               }
               return q;
             }(),
             " ") +
         ")\n";
  out += "  local -a providers=(" + join(providers, " ") + ")\n";
  out += "  local -a groups=(" + join(group_keys(), " ") + ")\n";
  out += "  for ((i = 2; i < CURRENT; i++)); do\n    case \"$cmdpath:${words[i]}\" in\n";
  out += path_cases(commands, "cmdpath");
  out += "    esac\n  done\n";
  out += "  case \"$cmdpath:$prev\" in\n";
  out += option_value_cases(commands, [](const OptionSpec& o) {
    std::string action;
    if (!o.choices.empty()) {
      action = "compadd -- " + join(o.choices, " ");
    } else if (o.values == "files") {
      action = "_files";
    } else if (o.values == "none") {
      action = "_message value";
    } else if (o.values == "groups") {
      action = "_sequence compadd - $groups";
    } else {
      action = "compadd -- $" + o.values;
    }
    return action;
  });
  out += "  esac\n";
  out += "  case \"$cmdpath\" in\n";
  for (const auto& c : commands) {
    std::vector<std::string> options;
    for (const auto& o : c.options) {
      for (const auto& name : o.names) {
        options.push_back(zsh_item(name, o.description));
      }
    }
    std::vector<std::string> subs;
    for (const auto& [name, description] : c.subcommands) {
      subs.push_back(zsh_item(name, description));
    }
    out += "    " + quote(join(c.path, " ")) + ")\n";
    out += "      if [[ $cur == -* ]]; then items=(" + join(options, " ") + "); _describe -t options option items\n";
    if (!subs.empty()) {
      out += "      else items=(" + join(subs, " ") + "); _describe -t commands command items\n";
    } else if (c.takes_files) {
      out += "      else _files\n";
    }
    out += "      fi ;;\n";
  }
  out += "  esac\n}\n";
  out += "if [ \"$funcstack[1]\" = \"_llmcost\" ]; then\n  _llmcost \"$@\"\nelse\n  compdef _llmcost llmcost\nfi\n";
  return out;
}

std::string fish_script(const std::vector<CommandSpec>& commands, const std::vector<std::string>& models,
                        const std::vector<std::string>& providers)
{
  std::string out = "# fish completion for llmcost (generated by `llmcost completions fish`)\n"
                    "complete -c llmcost -f\n";
  const std::string all_models = quote(join(models, " "));
  for (const auto& c : commands) {
    // Seen: every word of the path; not yet: any of its subcommands.
    std::string condition;
    if (c.path.empty()) {
      condition = "__fish_use_subcommand";
    } else {
      std::vector<std::string> parts;
      for (const auto& word : c.path) {
        parts.push_back("__fish_seen_subcommand_from " + word);
      }
      condition = join(parts, "; and ");
    }
    std::string not_deeper;
    if (!c.subcommands.empty() && !c.path.empty()) {
      std::vector<std::string> subs;
      for (const auto& s : c.subcommands) {
        subs.push_back(s.first);
      }
      not_deeper = "; and not __fish_seen_subcommand_from " + join(subs, " ");
    }
    for (const auto& [name, description] : c.subcommands) {
      out += fmt::format("complete -c llmcost -n {} -a {} -d {}\n", quote(condition + not_deeper), quote(name),
                         quote(description));
    }
    if (c.path.empty()) {
      continue; // top-level options (--help, --version) are handled below
    }
    for (const auto& o : c.options) {
      std::string line = "complete -c llmcost -n " + quote(condition + not_deeper);
      for (const auto& name : o.names) {
        line += name.rfind("--", 0) == 0 ? " -l " + name.substr(2) : " -s " + name.substr(1);
      }
      if (!o.choices.empty()) {
        line += " -x -a " + quote(join(o.choices, " "));
      } else if (o.values == "models") {
        line += " -x -a " + all_models;
      } else if (o.values == "providers") {
        line += " -x -a " + quote(join(providers, " "));
      } else if (o.values == "groups") {
        line += " -x -a " + quote(join(group_keys(), " "));
      } else if (o.values == "files") {
        line += " -r -F";
      } else if (o.values == "none") {
        line += " -x";
      }
      out += line + " -d " + quote(o.description) + "\n";
    }
    if (c.takes_files) {
      out += "complete -c llmcost -n " + quote(condition + not_deeper) + " -F\n";
    }
  }
  out += "complete -c llmcost -n __fish_use_subcommand -l help -s h -d 'Print help'\n";
  out += "complete -c llmcost -n __fish_use_subcommand -l version -d 'Print the version'\n";
  return out;
}

} // namespace

std::string completion_script(const CLI::App& root, const std::string& shell, const std::vector<std::string>& models,
                              const std::vector<std::string>& providers)
{
  std::vector<CommandSpec> commands;
  collect(root, {}, commands);
  if (shell == "bash") {
    return bash_script(commands, models, providers);
  }
  if (shell == "zsh") {
    return zsh_script(commands, models, providers);
  }
  if (shell == "fish") {
    return fish_script(commands, models, providers);
  }
  throw Error(Location{}, "completions: unknown shell \"" + shell + "\"", "bash, zsh or fish");
}

} // namespace llmcost::cli
