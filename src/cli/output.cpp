#include "cli/output.hpp"

#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <ostream>
#include <pthread.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace llmcost::cli {

namespace {

std::string errno_text(int code)
{
  return code != 0 ? std::string(std::strerror(code)) : std::string("unknown error");
}

// Writes all of `text` to `fd`; false (with errno set) on any failure.
bool write_all(int fd, std::string_view text)
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

// Hands what `produce` renders to `fd` until a write fails; false (with
// `failure` set to errno) when one did. A throw from `produce` passes through.
bool write_produced(int fd, const TextProducer& produce, int& failure)
{
  bool ok = true;
  produce([&](std::string_view piece) {
    if (ok && !write_all(fd, piece)) {
      ok = false;
      failure = errno;
    }
  });
  return ok;
}

// A device or FIFO (/dev/stdout, /dev/full, a named pipe) cannot be replaced
// by a rename: write to it directly and report any failure.
void write_in_place(const std::string& path, const TextProducer& produce)
{
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(Location{path}, "cannot write: " + errno_text(errno));
  }
  int write_errno = 0;
  bool ok = false;
  try {
    ok = write_produced(fd, produce, write_errno);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0 && ok) {
    throw Error(Location{path}, "write error: " + errno_text(errno) + "; output is incomplete");
  }
  if (!ok) {
    throw Error(Location{path}, "write error: " + errno_text(write_errno) + "; output is incomplete");
  }
}

// The temporary file being written, for the signal handler: a fixed buffer
// and a flag, as a handler may read nothing else safely.
char g_temp_path[4096];
volatile std::sig_atomic_t g_temp_set = 0;

// SIGINT, SIGTERM, SIGHUP: remove the temporary file, then end as the signal
// would have (the shell sees 128+signal). Only async-signal-safe calls.
extern "C" void remove_temp_and_die(int signal_number)
{
  if (g_temp_set != 0) {
    ::unlink(g_temp_path);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

// Regular files: write a temporary file in the same directory and rename it
// over FILE only when everything was written, so a failed run leaves an
// existing FILE untouched and never leaves a partial one behind.
void write_atomically(const std::string& path, const TextProducer& produce)
{
  std::string temp = path + ".XXXXXX";
  if (temp.size() >= sizeof g_temp_path) {
    throw Error(Location{path}, "cannot write: the path is too long");
  }
  std::memcpy(g_temp_path, temp.c_str(), temp.size() + 1);
  // Blocked while mkstemp creates the file, so a signal finds it registered.
  sigset_t signals;
  sigset_t previous;
  sigemptyset(&signals);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    sigaddset(&signals, signal_number);
  }
  ::pthread_sigmask(SIG_BLOCK, &signals, &previous);
  const int fd = ::mkstemp(g_temp_path);
  const int create_errno = errno;
  g_temp_set = fd >= 0 ? 1 : 0;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (fd < 0) {
    throw Error(Location{path}, "cannot write: " + errno_text(create_errno), "a writable directory");
  }
  temp = g_temp_path;
  struct Unregister
  {
    ~Unregister() { g_temp_set = 0; } // after the rename or the unlink
  } unregister;
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
  bool ok = ::fchmod(fd, mode) == 0;
  int saved = errno;
  try {
    ok = ok && write_produced(fd, produce, saved);
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
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

void remove_output_temp_on_signals()
{
  struct sigaction action
  {
  };
  action.sa_handler = remove_temp_and_die;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old
    {
    };
    // A signal ignored by whoever started us (nohup) stays ignored.
    if (::sigaction(signal_number, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) {
      ::sigaction(signal_number, &action, nullptr);
    }
  }
}

bool writes_to_file(const CommonOptions& options)
{
  return !options.output.empty() && options.output != "-";
}

void write_stdout(std::ostream& out, const std::string& text)
{
  write_stdout(out, [&](const TextSink& sink) { sink(text); });
}

void write_stdout(std::ostream& out, const TextProducer& produce)
{
  int failure = 0;
  bool failed = false;
  const auto check = [&] {
    if (!out) {
      failed = true;
      failure = errno;
    }
  };
  produce([&](std::string_view piece) {
    if (!failed) {
      errno = 0;
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      check();
    }
  });
  if (!failed) {
    errno = 0;
    out.flush();
    check();
  }
  // A reader that closed the pipe (`| head`) has what it wanted: the exit
  // code stays the verdict (0, 1, or 2 for bad input), nothing is said.
  // Any other failure (a full disk) leaves the output incomplete: exit 2.
  if (failed && failure != EPIPE) {
    throw Error(Location{"<stdout>"}, "write error: " + errno_text(failure) + "; output is incomplete");
  }
}

void emit(const CommonOptions& options, Context& context, const std::string& text)
{
  emit(options, context, [&](const TextSink& sink) { sink(text); });
}

void emit(const CommonOptions& options, Context& context, const TextProducer& produce)
{
  if (!writes_to_file(options)) {
    write_stdout(context.out, produce);
    return;
  }
  struct stat info
  {
  };
  if (::stat(options.output.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    if (S_ISDIR(info.st_mode)) {
      throw Error(Location{options.output}, "is a directory", "a file to write");
    }
    write_in_place(options.output, produce);
    return;
  }
  write_atomically(options.output, produce);
}

PrintableLines::int_type PrintableLines::overflow(int_type c)
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

int PrintableLines::sync()
{
  if (!m_line.empty() || m_cut > 0) {
    write_line(false);
  }
  return m_target->pubsync();
}

void PrintableLines::write_line(bool newline)
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

} // namespace llmcost::cli
