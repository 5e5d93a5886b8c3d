#pragma once

#include <optional>
#include <string>

namespace llmcost {

// Reads a whole file ("-" is standard input); throws Error naming the file.
std::string read_file(const std::string& path);

} // namespace llmcost

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace llmcost {

// Bytes read at a time. Small enough for the block to stay in the core's
// cache while it is parsed: 256 KiB took half the system time of 4 MiB
// (1 GiB CSV: 0.15 s against 0.30 s) and a quarter of the peak memory.
constexpr std::size_t k_default_block_size = std::size_t{256} << 10;

// The longest line read (--max-line-bytes): a line without an end (a file
// of zeros, a crashed writer's hole) must not take memory without bound.
// Lines read whole in one block are not measured, so blocks are never longer
// than the limit, and the limit is never below the start read for detection.
constexpr std::size_t k_default_max_line_bytes = std::size_t{64} << 20;
constexpr std::size_t k_min_max_line_bytes = std::size_t{1} << 20;

// Where a BlockReader's bytes come from when they are not the file's own: a
// decompressor (gzip_reader.hpp).
class ByteSource
{
public:
  virtual ~ByteSource() = default;
  // Up to `want` bytes into `into`, fewer only at the end; throws Error when
  // the data is bad.
  virtual std::size_t read(char* into, std::size_t want) = 0;
};

// Up to `want` bytes of `fd` (at `offset` when `seekable`, else in order);
// fewer only at the end of the file. Errors name `path`.
std::size_t read_fd(int fd, bool seekable, std::uint64_t offset, char* into, std::size_t want, const std::string& path);

// Reads a file ("-" is standard input), or a byte range of one, block by
// block so memory stays flat: the parser takes the whole records at the
// start of what has been read, and the rest is carried into the next round.
// A record longer than a block makes the buffer grow until it is whole.
// Read from its start, a gzip file is read decompressed (gzip_reader.hpp); a
// range then counts decompressed bytes (a compressed file is never cut).
// A line longer than the set maximum is read past without being held.
class BlockReader
{
public:
  static constexpr std::uint64_t k_to_end = UINT64_MAX;

  explicit BlockReader(const std::string& path, std::size_t block_size = k_default_block_size, std::uint64_t begin = 0,
                       std::uint64_t end = k_to_end);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The start of the input (at least 64 KiB, or all of it), for format detection.
  std::string_view peek();
  // Drops the first `bytes` of the input (a header read from peek()) and
  // counts its lines.
  void skip(std::size_t bytes);

  // What a parse took: bytes, and the newlines in them when the parser
  // counted them as it read (else the reader counts them again).
  struct Taken
  {
    static constexpr std::size_t k_uncounted = SIZE_MAX;
    Taken(std::size_t bytes_taken, std::size_t newlines_in_them = k_uncounted) // NOLINT: a byte count converts
      : bytes(bytes_taken)
      , newlines(newlines_in_them)
    {
    }
    std::size_t bytes;
    std::size_t newlines;
  };

  // `parse(text, first_line, at_end)` reads the whole records at the start of
  // `text` and returns the bytes they take (0: the first record is not whole
  // yet, read more); at the end of the input it must take everything.
  void run(const std::function<Taken(std::string_view, std::size_t, bool)>& parse);

  // Lines longer than `bytes` are not held: `on_long_line(line)` is told
  // (it may throw) and the line is skipped. When the long line ends a
  // record of several lines, which cannot be skipped alone, Error is thrown.
  void limit_lines(std::size_t bytes, std::function<void(std::size_t)> on_long_line);

  // Newlines in what was consumed so far.
  std::uint64_t lines_consumed() const { return m_line - 1; }

private:
  bool fill(std::size_t want); // appends up to `want` bytes; false at the end of the input
  void consume(std::size_t bytes, std::size_t newlines = Taken::k_uncounted);
  // With the unfinished record in [m_begin, m_size) longer than the limit:
  // true when its last line is too long, which is then read past.
  bool skip_long_line();

  std::string m_path;
  // Set when the file's first bytes are gzip's magic: the bytes come from it.
  std::unique_ptr<ByteSource> m_source;
  bool m_sniff = false;          // the first bytes are yet to be checked for gzip
  std::uint64_t m_asked_end = 0; // `end` as given (m_end is cut to the file's size)
  int m_fd = -1;
  bool m_owned = false;
  bool m_seekable = false; // pread by offset; otherwise read() in order (pipes)
  bool m_eof = false;
  std::uint64_t m_offset = 0; // next byte to read
  std::uint64_t m_end = k_to_end;
  std::size_t m_block_size;
  std::unique_ptr<char[]> m_buffer;
  std::size_t m_capacity = 0;
  std::size_t m_begin = 0; // unconsumed bytes are [m_begin, m_size)
  std::size_t m_size = 0;
  std::size_t m_line = 1;
  std::size_t m_max_line = SIZE_MAX;
  std::function<void(std::size_t)> m_on_long_line;
};

// Size of a regular file, or nothing (standard input, a pipe, an error).
std::optional<std::uint64_t> regular_file_size(const std::string& path);
// Up to `bytes` from `offset` of a file (for finding record boundaries).
std::string read_range(const std::string& path, std::uint64_t offset, std::size_t bytes);

// How many bytes of `text` form whole lines: up to the last newline.
std::size_t cut_after_last_line(std::string_view text);

} // namespace llmcost
