#include "llmcost/gzip_reader.hpp"

#include "llmcost/error.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

namespace llmcost {

bool starts_with_gzip_magic(std::string_view start)
{
  return start.size() >= 2 && static_cast<unsigned char>(start[0]) == 0x1f &&
         static_cast<unsigned char>(start[1]) == 0x8b;
}

bool is_gzip_file(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false; // the reader reports why it cannot be opened
  }
  char magic[2] = {};
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  return got == 2 && starts_with_gzip_magic({magic, 2});
}

namespace {

// Compressed bytes read from the file at a time.
constexpr std::size_t k_compressed_block = std::size_t{64} << 10;

class GzipSource final : public ByteSource
{
public:
  GzipSource(std::string name, int fd, bool seekable, std::uint64_t offset, std::string_view start)
    : m_name(std::move(name))
    , m_fd(fd)
    , m_seekable(seekable)
    , m_offset(offset)
    , m_capacity(std::max(k_compressed_block, start.size()))
    , m_in(new unsigned char[m_capacity])
  {
    std::memcpy(m_in.get(), start.data(), start.size());
    m_read = start.size();
    m_stream.next_in = m_in.get();
    m_stream.avail_in = static_cast<uInt>(start.size());
    // 15 + 16: a 32 KiB window, gzip header and trailer (CRC-32, size) checked.
    if (inflateInit2(&m_stream, 15 + 16) != Z_OK) {
      throw Error(Location{m_name}, "cannot start gzip decompression (out of memory?)");
    }
  }
  ~GzipSource() override { inflateEnd(&m_stream); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  std::size_t read(char* into, std::size_t want) override
  {
    m_stream.next_out = reinterpret_cast<unsigned char*>(into);
    m_stream.avail_out = static_cast<uInt>(std::min<std::size_t>(want, UINT32_MAX));
    const std::size_t asked = m_stream.avail_out;
    while (m_stream.avail_out > 0) {
      if (m_stream.avail_in == 0 && !m_at_end && !refill()) {
        m_at_end = true;
      }
      if (!m_in_member) {
        if (m_stream.avail_in == 0) {
          break; // the end of the last member
        }
        // More bytes after a member's end: the next member of a concatenation.
        inflateReset(&m_stream);
        m_in_member = true;
      }
      // Called also without input: a member's last bytes may still be held.
      const int status = inflate(&m_stream, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        m_in_member = false;
      } else if (status == Z_BUF_ERROR && m_stream.avail_in == 0 && m_at_end) {
        fail("the gzip data stops inside a member (a copy or download cut short?)", into, asked);
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        fail(fmt::format("the gzip data is corrupt ({})", m_stream.msg != nullptr ? m_stream.msg : "zlib error"), into,
             asked);
      }
    }
    const std::size_t produced = asked - m_stream.avail_out;
    count_lines(into, produced);
    m_written += produced;
    return produced;
  }

private:
  bool refill()
  {
    const std::size_t got =
        read_fd(m_fd, m_seekable, m_offset, reinterpret_cast<char*>(m_in.get()), m_capacity, m_name);
    m_offset += got;
    m_read += got;
    m_stream.next_in = m_in.get();
    m_stream.avail_in = static_cast<uInt>(got);
    return got > 0;
  }

  void count_lines(const char* at, std::size_t bytes)
  {
    const char* end = at + bytes;
    while ((at = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(end - at)))) != nullptr) {
      ++m_lines;
      ++at;
    }
  }

  // Says how far the data got: the line (of the decompressed text) and the bytes.
  [[noreturn]] void fail(const std::string& what, const char* into, std::size_t asked)
  {
    const std::size_t partial = asked - m_stream.avail_out;
    count_lines(into, partial);
    const std::uint64_t used = m_read - m_stream.avail_in;
    throw Error(Location{m_name, static_cast<std::size_t>(m_lines + 1)},
                fmt::format("{}, at compressed byte {} of {} read, after {} bytes ({} lines) decompressed", what, used,
                            m_read, m_written + partial, m_lines),
                "a whole gzip file (`gzip -t FILE` checks one; leave it out of the input to price the rest)");
  }

  std::string m_name;
  int m_fd;
  bool m_seekable;
  std::uint64_t m_offset; // next compressed byte to read from the file
  std::size_t m_capacity;
  std::unique_ptr<unsigned char[]> m_in;
  z_stream m_stream{};
  bool m_in_member = true;  // a member started and has not ended yet
  bool m_at_end = false;    // the file has no more bytes
  std::uint64_t m_read = 0; // compressed bytes read from the file
  std::uint64_t m_written = 0;
  std::uint64_t m_lines = 0; // newlines written
};

} // namespace

std::unique_ptr<ByteSource> make_gzip_source(const std::string& name, int fd, bool seekable, std::uint64_t offset,
                                             std::string_view start)
{
  return std::make_unique<GzipSource>(name, fd, seekable, offset, start);
}

} // namespace llmcost
