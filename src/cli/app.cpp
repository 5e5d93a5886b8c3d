#include "cli/app.hpp"

#include "cli/terminal.hpp"
#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <streambuf>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace llmcost::cli {

namespace {

constexpr const char* k_version = "0.1.0";

std::vector<std::string> split_path_list(const char* text)
{
  std::vector<std::string> out;
  if (text == nullptr) {
    return out;
  }
  std::string item;
  for (const char* p = text;; ++p) {
    if (*p == ':' || *p == '\0') {
      if (!item.empty()) {
        out.push_back(item);
      }
      item.clear();
      if (*p == '\0') {
        break;
      }
    } else {
      item += *p;
    }
  }
  return out;
}

// The name in `candidates` nearest to `word`, when near enough to be a typo.
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

} // namespace

void add_pricing_options(CLI::App& cmd, CommonOptions& options)
{
  cmd.add_option("--pricing", options.pricing_paths,
                 "Rate card FILE or DIR to add or override (repeatable; also LLMCOST_PRICING_PATH)");
  cmd.add_option("--provider", options.provider, "Route for bare model ids sold by several routes (kyma, moonshot)");
}

void add_output_options(CLI::App& cmd, CommonOptions& options, const std::vector<std::string>& extra_formats)
{
  std::vector<std::string> formats = {"table", "json", "csv", "markdown"};
  formats.insert(formats.end(), extra_formats.begin(), extra_formats.end());
  cmd.add_option("--format", options.format, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
  cmd.add_option("-o,--output", options.output, "Write the output to FILE instead of standard output");
  cmd.add_option("--precision", options.precision, "Money decimals in table and markdown output (0-12; default 2)")
      ->check(CLI::Range(0, 12));
  cmd.add_option("--color", options.color, "Colour in tables: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

void add_chart_options(CLI::App& cmd, CommonOptions& options, const std::string& what)
{
  cmd.add_flag("--chart", options.chart, "After the table, a bar chart of " + what);
  cmd.add_flag("--ascii", options.ascii, "Draw charts with ASCII only (the default when the locale is not UTF-8)");
}

Catalog load_catalog(const CommonOptions& options)
{
  Catalog catalog = Catalog::bundled();
  for (const auto& path : options.config_pricing) {
    catalog.load_path(path);
  }
  for (const auto& path : split_path_list(std::getenv("LLMCOST_PRICING_PATH"))) {
    catalog.load_path(path);
  }
  for (const auto& path : options.pricing_paths) {
    catalog.load_path(path);
  }
  return catalog;
}

RenderOptions render_options(const CommonOptions& options, const Context& context, const std::string& title)
{
  RenderOptions r;
  r.format = parse_output_format(options.format).value_or(OutputFormat::table);
  r.precision = options.precision < 0 ? 2 : options.precision;
  const bool no_color_env = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  if (options.color == "always") {
    r.color = true;
  } else if (options.color == "auto") {
    r.color = context.stdout_is_tty && options.output.empty() && !no_color_env;
  }
  r.title = title;
  r.chart = options.chart;
  r.unicode = !options.ascii && utf8_locale();
  r.width = terminal_columns(context.stdout_is_tty && options.output.empty());
  if (options.chart && r.format != OutputFormat::table) {
    throw Error(Location{}, "--chart draws in the terminal, with --format table", "--format table, or --format html");
  }
  return r;
}

namespace {

std::string errno_text(int code)
{
  return code != 0 ? std::string(std::strerror(code)) : std::string("unknown error");
}

// Writes all of `text` to `fd`; false (with errno set) on any failure.
bool write_all(int fd, const std::string& text)
{
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// A device or FIFO (/dev/stdout, /dev/full, a named pipe) cannot be replaced
// by a rename: write to it directly and report any failure.
void write_in_place(const std::string& path, const std::string& text)
{
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(Location{path}, "cannot write: " + errno_text(errno));
  }
  const bool ok = write_all(fd, text);
  const int write_errno = errno;
  if (::close(fd) != 0 && ok) {
    throw Error(Location{path}, "write error: " + errno_text(errno) + "; output is incomplete");
  }
  if (!ok) {
    throw Error(Location{path}, "write error: " + errno_text(write_errno) + "; output is incomplete");
  }
}

// Regular files: write a temporary file in the same directory and rename it
// over FILE only when everything was written, so a failed run leaves an
// existing FILE untouched and never leaves a partial one behind.
void write_atomically(const std::string& path, const std::string& text)
{
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    throw Error(Location{path}, "cannot write: " + errno_text(errno), "a writable directory");
  }
  // mkstemp creates the file 0600; give it the mode a plain create would have,
  // or keep the mode of the file it replaces.
  struct stat existing
  {
  };
  mode_t mode = 0;
  if (::stat(path.c_str(), &existing) == 0) {
    mode = existing.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, text);
  int saved = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    throw Error(Location{path}, "write error: " + errno_text(saved) + "; nothing written");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    saved = errno;
    ::unlink(temp.c_str());
    throw Error(Location{path}, "cannot replace: " + errno_text(saved) + "; nothing written");
  }
}

} // namespace

// Standard error goes through this filter: messages quote what the input
// held, and input can hold NUL, escape sequences, invalid UTF-8 or a 100 MB
// field. Each line is made printable and cut to a readable length.
class PrintableLines : public std::streambuf
{
public:
  explicit PrintableLines(std::streambuf* target)
    : m_target(target)
  {
  }
  PrintableLines(const PrintableLines&) = delete;
  PrintableLines& operator=(const PrintableLines&) = delete;
  ~PrintableLines() override { sync(); }

protected:
  int_type overflow(int_type c) override
  {
    if (traits_type::eq_int_type(c, traits_type::eof())) {
      return traits_type::not_eof(c);
    }
    const char ch = traits_type::to_char_type(c);
    if (ch == '\n') {
      write_line(true);
    } else if (m_line.size() <= k_max_line_bytes) {
      m_line += ch;
    } else {
      ++m_cut; // keep memory bounded; the count is reported
    }
    return c;
  }

  int sync() override
  {
    if (!m_line.empty() || m_cut > 0) {
      write_line(false);
    }
    return m_target->pubsync();
  }

private:
  static constexpr std::size_t k_max_line_bytes = 2000;

  void write_line(bool newline)
  {
    std::string text = printable(m_line);
    m_cut += m_line.size() > k_max_line_bytes ? m_line.size() - k_max_line_bytes : 0;
    if (m_cut > 0) {
      text = printable(std::string_view(m_line).substr(0, k_max_line_bytes)) +
             fmt::format("... ({} more bytes not shown)", m_cut);
    }
    if (newline) {
      text += '\n';
    }
    m_target->sputn(text.data(), static_cast<std::streamsize>(text.size()));
    m_line.clear();
    m_cut = 0;
  }

  std::streambuf* m_target;
  std::string m_line;
  std::size_t m_cut = 0;
};

bool writes_to_file(const CommonOptions& options)
{
  return !options.output.empty() && options.output != "-";
}

void emit(const CommonOptions& options, Context& context, const std::string& text)
{
  if (!writes_to_file(options)) {
    errno = 0;
    context.out << text;
    context.out.flush();
    if (!context.out) {
      throw Error(Location{"<stdout>"}, "write error: " + errno_text(errno) + "; output is incomplete");
    }
    return;
  }
  struct stat info
  {
  };
  if (::stat(options.output.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    if (S_ISDIR(info.st_mode)) {
      throw Error(Location{options.output}, "is a directory", "a file to write");
    }
    write_in_place(options.output, text);
    return;
  }
  write_atomically(options.output, text);
}

namespace {

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
    context.out << target->get_formatter()->make_help(target, usage_name, CLI::AppFormatMode::Normal);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (!all) {
      return std::nullopt;
    }
    context.out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    if (!all) {
      return std::nullopt;
    }
    context.out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    context.out << "llmcost " << k_version << "\n";
    return 0;
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
