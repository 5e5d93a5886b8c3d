#include "cli/app.hpp"

#include "cli/hints.hpp"
#include "cli/output.hpp"
#include "llmcost/error.hpp"

#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <string_view>
#include <unistd.h>

namespace llmcost::cli {

namespace {

// From CMake's project(VERSION).
constexpr const char* k_version = LLMCOST_VERSION;

struct Command
{
  const char* name;
  const char* description;
  void (*setup)(CLI::App& cmd, Context& context);
};

// In the order `llmcost --help` lists them.
constexpr Command k_commands[] = {
    {"estimate", "What planned workloads cost, by workload, route and model", setup_estimate},
    {"compare", "The same usage on other models, routes and levers, ranked by cost", setup_compare},
    {"reconcile", "Re-price a billed usage export line by line and explain each variance", setup_reconcile},
    {"watch", "The live cost of usage files as they grow, with a spend limit", setup_watch},
    {"budget", "Check spend against a limit, credits, rate-limit tiers and a baseline", setup_budget},
    {"models", "List the models of the rate cards, with prices", setup_models},
    {"rates", "Show, validate and compare rate cards", setup_rates},
    {"completions", "Print a shell completion script (bash, zsh or fish)", setup_completions},
    {"config", "Show the settings in effect and where each comes from", setup_config},
};

// Sets up the whole CLI, or (all false) only `only` in full and every other
// command by name and description: a parse that succeeds never looks at the
// options of a command the command line does not enter, and adding them all
// (CLI11 checks each new option against the others) costs more than pricing
// a small workload. `only` may be null.
void build_app(CLI::App& app, Context& context, std::vector<std::string>& help_path, bool all, const Command* only)
{
  app.set_version_flag("--version", k_version);
  app.require_subcommand(1);
  app.fallthrough(false);
  for (const Command& command : k_commands) {
    CLI::App* cmd = app.add_subcommand(command.name, command.description);
    if (all || &command == only) {
      command.setup(*cmd, context);
    }
  }
  // `llmcost help [COMMAND [SUBCOMMAND]]`: the same text as --help.
  CLI::App* help = app.add_subcommand("help", "Help for a command: llmcost help estimate (same as --help)");
  help->add_option("command", help_path, "The command (and subcommand), e.g. estimate or rates show");
  help->callback([&app, &help_path, &context]() {
    CLI::App* target = &app;
    for (const auto& name : help_path) {
      CLI::App* sub = nullptr;
      try {
        sub = target->get_subcommand(name);
      } catch (const CLI::OptionNotFound&) {
        std::vector<std::string> names;
        for (const CLI::App* candidate : target->get_subcommands([](const CLI::App*) { return true; })) {
          names.push_back(candidate->get_name());
        }
        const std::string near = nearest(name, names);
        throw Error(Location{},
                    "help: no command \"" + name + "\"" + (near.empty() ? "" : "; did you mean \"" + near + "\"?"),
                    "llmcost help, or llmcost help COMMAND");
      }
      target = sub;
    }
    // Not target->help(): while `help` runs, CLI11 would describe `help` itself.
    std::string usage_name = "llmcost";
    for (const auto& name : help_path) {
      usage_name += " " + name;
    }
    write_stdout(context.out, target->get_formatter()->make_help(target, usage_name, CLI::AppFormatMode::Normal));
  });
}

// Parses the command line and runs its command. With `all` false (see
// build_app), returns nullopt instead of showing help or a usage error: both
// describe or search every command, so the caller parses again with all of
// them set up. Nothing has run then: CLI11 calls a command's callback only
// after the whole command line parsed.
std::optional<int> parse_and_run(int argc, char** argv, Context& context, std::ostream& err, bool all,
                                 const Command* only)
{
  CLI::App app{"llmcost: what LLM API usage costs, before and after you spend it.\n"
               "Bundles the Kyma and Moonshot (Kimi) rate cards. See llmcost(1).",
               "llmcost"};
  std::vector<std::string> help_path;
  build_app(app, context, help_path, all, only);
  // Help and version are output like any other: a failed write is exit 2.
  auto print = [&](const std::string& text) {
    try {
      write_stdout(context.out, text);
      return 0;
    } catch (const Error& e) {
      err << "llmcost: error: " << e.what() << "\n";
      return 2;
    }
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (!all) {
      return std::nullopt;
    }
    return print(app.help());
  } catch (const CLI::CallForAllHelp&) {
    if (!all) {
      return std::nullopt;
    }
    return print(app.help("", CLI::AppFormatMode::All));
  } catch (const CLI::CallForVersion&) {
    return print(fmt::format("llmcost {}\n", k_version));
  } catch (const CLI::ParseError& e) {
    if (!all) {
      return std::nullopt;
    }
    std::string message = e.what();
    err << "llmcost: error: " << message << "\n";
    if (const std::string hint = parse_error_hint(app, message); !hint.empty()) {
      err << "hint: " << hint << "\n";
    }
    err << "Run with --help for more information.\n";
    return 2;
  } catch (const Error& e) {
    err << "llmcost: error: " << e.what() << "\n";
    return 2;
  } catch (const std::overflow_error& e) {
    err << "llmcost: error: amount out of range: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "llmcost: error: internal error: " << e.what() << "\n";
    return 2;
  }
  return context.exit_code;
}

} // namespace

int run(int argc, char** argv, std::ostream& out, std::ostream& raw_err)
{
  PrintableLines filter(raw_err.rdbuf());
  std::ostream err(&filter);
  Context context{out, err, 0, false, nullptr};
  context.stdout_is_tty = (&out == &std::cout) && isatty(STDOUT_FILENO) != 0;

  // Most command lines start with the command they run: set up that one
  // alone (and for a bare --version, none). `help` and `completions` read
  // every command, so they get them all.
  const std::string_view first = argc > 1 ? argv[1] : "";
  const Command* only = nullptr;
  for (const Command& command : k_commands) {
    if (first == command.name && first != "completions") {
      only = &command;
    }
  }
  if (only != nullptr || (argc == 2 && first == "--version")) {
    if (const auto code = parse_and_run(argc, argv, context, err, false, only)) {
      return *code;
    }
  }
  return *parse_and_run(argc, argv, context, err, true, nullptr);
}

} // namespace llmcost::cli
