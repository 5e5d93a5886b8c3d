#include "cli/app.hpp"

#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <streambuf>
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
  cmd.add_option("--precision", options.precision, "Money decimals in table and markdown output (0-12)")
      ->check(CLI::Range(0, 12))
      ->capture_default_str();
  cmd.add_option("--color", options.color, "Colour in tables: auto (TTY and no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

Catalog load_catalog(const CommonOptions& options)
{
  Catalog catalog = Catalog::bundled();
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
  r.precision = options.precision;
  const bool no_color_env = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  if (options.color == "always") {
    r.color = true;
  } else if (options.color == "auto") {
    r.color = context.stdout_is_tty && options.output.empty() && !no_color_env;
  }
  r.title = title;
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

int run(int argc, char** argv, std::ostream& out, std::ostream& raw_err)
{
  PrintableLines filter(raw_err.rdbuf());
  std::ostream err(&filter);
  Context context{out, err};
  context.stdout_is_tty = (&out == &std::cout) && isatty(STDOUT_FILENO) != 0;

  CLI::App app{"llmcost: what LLM API usage costs, before and after you spend it.\n"
               "Bundles the Kyma and Moonshot (Kimi) rate cards. See llmcost(1).",
               "llmcost"};
  app.set_version_flag("--version", k_version);
  app.require_subcommand(1);
  app.fallthrough(false);
  setup_estimate(app, context);
  setup_compare(app, context);
  setup_reconcile(app, context);
  setup_budget(app, context);
  setup_models(app, context);
  setup_rates(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << "llmcost " << k_version << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    err << "llmcost: error: " << message << "\n";
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

} // namespace llmcost::cli
