#pragma once

#include <string>

namespace llmcost {

// Reads a whole file ("-" is standard input); throws Error naming the file.
std::string read_file(const std::string& path);

} // namespace llmcost

#include <cstdio>
#include <functional>
#include <string_view>

namespace llmcost {

// Reads a file ("-" is standard input) block by block so memory stays flat:
// each piece handed on ends on a record boundary chosen by the caller, and
// the rest is carried into the next piece. A record longer than a block makes
// the piece grow until it is whole.
class BlockReader
{
public:
  explicit BlockReader(const std::string& path, std::size_t block_size = std::size_t{8} << 20);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The start of the input (at least 64 KiB, or all of it), for format detection.
  std::string_view peek();
  // True when the whole input fits in what peek() returned.
  bool peeked_all();

  // `cut(text)` returns how many bytes of `text` form whole records (0: need more);
  // `consume(piece, first_line)` gets each piece with the line it starts on.
  void run(const std::function<std::size_t(std::string_view)>& cut,
           const std::function<void(std::string_view, std::size_t)>& consume);

private:
  bool fill(); // appends one block; false at the end of the input

  std::string m_path;
  std::FILE* m_file = nullptr;
  bool m_owned = false;
  bool m_eof = false;
  std::size_t m_block_size;
  std::string m_buffer;
};

// Cut functions for BlockReader: after the last newline (JSONL), or after the
// last newline outside double quotes (CSV; pieces start outside quotes).
std::size_t cut_after_last_line(std::string_view text);
std::size_t cut_after_last_csv_record(std::string_view text);

} // namespace llmcost
