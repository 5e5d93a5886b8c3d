#include "llmcost/files.hpp"

#include "llmcost/error.hpp"
#include "llmcost/gzip_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace llmcost {

std::string read_file(const std::string& path)
{
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Location{path}, std::string("cannot open: ") + std::strerror(errno));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw Error(Location{path}, std::string("read error: ") + std::strerror(errno));
  }
  return text;
}

} // namespace llmcost

namespace llmcost {

namespace {

// One spare buffer per thread, handed from a finished reader to the next:
// fresh pages for every small file of a log tree cost more than reading them.
thread_local std::unique_ptr<char[]> t_spare_buffer;
thread_local std::size_t t_spare_capacity = 0;

[[noreturn]] void throw_io_error(const std::string& path, const char* what)
{
  throw Error(Location{path == "-" ? "<stdin>" : path}, std::string(what) + std::strerror(errno));
}

} // namespace

BlockReader::BlockReader(const std::string& path, std::size_t block_size, std::uint64_t begin, std::uint64_t end)
  : m_path(path)
  , m_sniff(begin == 0)
  , m_asked_end(end)
  , m_offset(begin)
  , m_end(end)
  , m_block_size(std::max<std::size_t>(block_size, 1))
{
  if (path == "-") {
    m_fd = STDIN_FILENO;
    return;
  }
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) {
    throw_io_error(path, "cannot open: ");
  }
  m_owned = true;
  struct stat info
  {
  };
  m_seekable = ::fstat(m_fd, &info) == 0 && S_ISREG(info.st_mode);
  if (m_seekable) {
    // Never ask for (or allocate) more than the file holds: small files are
    // many in a log tree, and a block per file was most of the time.
    m_end = std::min<std::uint64_t>(m_end, static_cast<std::uint64_t>(info.st_size));
  }
  if (begin == 0 && end == k_to_end) {
    ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
}

BlockReader::~BlockReader()
{
  if (m_capacity > t_spare_capacity && m_capacity <= (std::size_t{64} << 20)) {
    t_spare_buffer = std::move(m_buffer);
    t_spare_capacity = m_capacity;
  }
  if (m_owned && m_fd >= 0) {
    ::close(m_fd);
  }
}

bool BlockReader::fill(std::size_t want)
{
  if (m_eof) {
    return false;
  }
  if (m_begin > 0 && m_begin == m_size) {
    m_begin = m_size = 0;
  }
  if (m_end != k_to_end) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, m_end - m_offset));
    if (want == 0) {
      m_eof = true;
      return false;
    }
  }
  if (m_size + want > m_capacity) {
    // Move the carried-over tail to the front; grow only when a record needs it.
    const std::size_t kept = m_size - m_begin;
    const std::size_t capacity = std::max(m_capacity, kept + want);
    if (capacity > m_capacity) {
      std::unique_ptr<char[]> bigger;
      std::size_t bigger_capacity = capacity;
      if (t_spare_capacity >= capacity) {
        bigger = std::move(t_spare_buffer);
        bigger_capacity = t_spare_capacity;
        t_spare_capacity = 0;
      } else {
        bigger.reset(new char[capacity]); // not zeroed: it is read into
      }
      if (kept > 0) {
        std::memcpy(bigger.get(), m_buffer.get() + m_begin, kept);
      }
      m_buffer = std::move(bigger);
      m_capacity = bigger_capacity;
    } else if (kept > 0) {
      std::memmove(m_buffer.get(), m_buffer.get() + m_begin, kept);
    }
    m_begin = 0;
    m_size = kept;
  }
  const std::size_t got = m_source ? m_source->read(m_buffer.get() + m_size, want)
                                   : read_fd(m_fd, m_seekable, m_offset, m_buffer.get() + m_size, want, m_path);
  if (got < want) {
    m_eof = true;
  }
  m_size += got;
  m_offset += got;
  if (m_end != k_to_end && m_offset >= m_end) {
    m_eof = true;
  }
  if (m_sniff && (m_offset >= 2 || m_eof)) {
    // The start of the file: gzip is read again from here through zlib.
    m_sniff = false;
    const std::string_view start(m_buffer.get(), m_size);
    if (starts_with_gzip_magic(start)) {
      m_source = make_gzip_source(m_path == "-" ? "<stdin>" : m_path, m_fd, m_seekable, m_offset, start);
      m_size = 0;
      m_offset = 0;
      m_end = m_asked_end;
      m_eof = false;
      return fill(want);
    }
  }
  return got > 0;
}

std::size_t read_fd(int fd, bool seekable, std::uint64_t offset, char* into, std::size_t want, const std::string& path)
{
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = !seekable ? ::read(fd, into + got, want - got)
                                : ::pread(fd, into + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_io_error(path, "read error: ");
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  return got;
}

std::string_view BlockReader::peek()
{
  // Enough of the start to tell the format, whatever the block size.
  constexpr std::size_t k_detect_bytes = 64 * 1024;
  while (m_size - m_begin < k_detect_bytes && fill(m_block_size)) {
  }
  return {m_buffer.get() + m_begin, m_size - m_begin};
}

void BlockReader::consume(std::size_t bytes, std::size_t newlines)
{
  const char* at = m_buffer.get() + m_begin;
  const char* end = at + bytes;
  m_begin += bytes;
  if (newlines != Taken::k_uncounted) {
    m_line += newlines;
    return;
  }
  while ((at = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(end - at)))) != nullptr) {
    ++m_line;
    ++at;
  }
}

void BlockReader::skip(std::size_t bytes)
{
  peek();
  consume(std::min(bytes, m_size - m_begin));
}

void BlockReader::limit_lines(std::size_t bytes, std::function<void(std::size_t)> on_long_line)
{
  m_max_line = std::max<std::size_t>(bytes, 1);
  // A block longer than the limit could hold a long line whole, unmeasured.
  m_block_size = std::min(m_block_size, m_max_line);
  m_on_long_line = std::move(on_long_line);
}

bool BlockReader::skip_long_line()
{
  const char* start = m_buffer.get() + m_begin;
  const std::size_t held = m_size - m_begin;
  const void* last = ::memrchr(start, '\n', held);
  const std::size_t tail = last == nullptr ? 0 : static_cast<std::size_t>(static_cast<const char*>(last) - start) + 1;
  if (held - tail <= m_max_line) {
    return false; // a record of many short lines (pretty-printed JSON): held whole
  }
  if (tail > 0) {
    const auto line = m_line + static_cast<std::size_t>(std::count(start, start + tail, '\n'));
    throw Error(Location{m_path == "-" ? "<stdin>" : m_path, line},
                fmt::format("line longer than {} bytes, inside a record that starts at line {}", m_max_line, m_line),
                "shorter lines, or a larger --max-line-bytes");
  }
  if (m_on_long_line) {
    m_on_long_line(m_line);
  }
  // Read on to the line's end, dropping what is read.
  while (true) {
    const char* at = m_buffer.get() + m_begin;
    const void* newline = std::memchr(at, '\n', m_size - m_begin);
    if (newline != nullptr) {
      consume(static_cast<std::size_t>(static_cast<const char*>(newline) - at) + 1, 1);
      return true;
    }
    m_begin = m_size;
    if (!fill(m_block_size)) {
      return true; // the input ended inside the line
    }
  }
}

void BlockReader::run(const std::function<Taken(std::string_view, std::size_t, bool)>& parse)
{
  peek();
  while (true) {
    const std::string_view text(m_buffer.get() + m_begin, m_size - m_begin);
    if (text.empty() && m_eof) {
      return;
    }
    const Taken taken = parse(text, m_line, m_eof);
    const std::size_t used = std::min(taken.bytes, text.size());
    consume(used, used == taken.bytes ? taken.newlines : Taken::k_uncounted);
    if (m_eof) {
      return; // the parser had everything
    }
    if (used == 0 && text.size() > m_max_line && skip_long_line()) {
      continue;
    }
    // A record longer than the text held: read as much again, so that a
    // 100 MB line is copied and looked at a linear number of times, not
    // once per block (quadratic; minutes with small blocks); but not past
    // one byte more than the longest line allowed: a line that has no
    // newline by then is too long, and an endless one is not held.
    std::size_t want = used == 0 ? std::max(m_block_size, text.size()) : m_block_size;
    if (const std::size_t held = m_size - m_begin; m_max_line != SIZE_MAX && held <= m_max_line) {
      want = std::min(want, m_max_line + 1 - held);
    }
    fill(want);
  }
}

std::optional<std::uint64_t> regular_file_size(const std::string& path)
{
  struct stat info
  {
  };
  if (path == "-" || ::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(info.st_size);
}

std::string read_range(const std::string& path, std::uint64_t offset, std::size_t bytes)
{
  BlockReader reader(path, bytes, offset, offset + bytes);
  std::string out;
  reader.run([&](std::string_view text, std::size_t, bool at_end) {
    if (!at_end) {
      return std::size_t{0};
    }
    out.assign(text);
    return text.size();
  });
  return out;
}

std::size_t cut_after_last_line(std::string_view text)
{
  const std::size_t newline = text.rfind('\n');
  return newline == std::string_view::npos ? 0 : newline + 1;
}

} // namespace llmcost
