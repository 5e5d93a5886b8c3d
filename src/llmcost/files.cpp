#include "llmcost/files.hpp"

#include "llmcost/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

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

BlockReader::BlockReader(const std::string& path, std::size_t block_size)
  : m_path(path)
  , m_block_size(block_size)
{
  if (path == "-") {
    m_file = stdin;
    return;
  }
  m_file = std::fopen(path.c_str(), "rb");
  if (m_file == nullptr) {
    throw Error(Location{path}, std::string("cannot open: ") + std::strerror(errno));
  }
  m_owned = true;
}

BlockReader::~BlockReader()
{
  if (m_owned && m_file != nullptr) {
    std::fclose(m_file);
  }
}

bool BlockReader::fill()
{
  if (m_eof) {
    return false;
  }
  const std::size_t old_size = m_buffer.size();
  m_buffer.resize(old_size + m_block_size);
  const std::size_t got = std::fread(m_buffer.data() + old_size, 1, m_block_size, m_file);
  m_buffer.resize(old_size + got);
  if (got < m_block_size) {
    if (std::ferror(m_file) != 0) {
      throw Error(Location{m_path == "-" ? "<stdin>" : m_path}, std::string("read error: ") + std::strerror(errno));
    }
    m_eof = true;
  }
  return got > 0;
}

std::string_view BlockReader::peek()
{
  // Enough of the start to tell the format, whatever the block size.
  constexpr std::size_t k_detect_bytes = 64 * 1024;
  while (m_buffer.size() < k_detect_bytes && fill()) {
  }
  return m_buffer;
}

bool BlockReader::peeked_all()
{
  peek();
  return m_eof;
}

void BlockReader::run(const std::function<std::size_t(std::string_view)>& cut,
                      const std::function<void(std::string_view, std::size_t)>& consume)
{
  std::size_t line = 1;
  peek();
  while (true) {
    std::size_t whole = m_eof ? m_buffer.size() : cut(m_buffer);
    if (whole == 0 && !m_eof) {
      fill(); // one record spans the whole buffer: read on
      continue;
    }
    const std::string_view piece(m_buffer.data(), whole);
    if (!piece.empty()) {
      consume(piece, line);
      line += static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\n'));
    }
    m_buffer.erase(0, whole);
    if (m_eof && m_buffer.empty()) {
      return;
    }
    if (!fill() && m_buffer.empty()) {
      return;
    }
  }
}

std::size_t cut_after_last_line(std::string_view text)
{
  const std::size_t newline = text.rfind('\n');
  return newline == std::string_view::npos ? 0 : newline + 1;
}

std::size_t cut_after_last_csv_record(std::string_view text)
{
  bool quoted = false;
  std::size_t cut = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted; // a doubled quote toggles twice
    } else if (c == '\n' && !quoted) {
      cut = i + 1;
    }
  }
  return cut;
}

} // namespace llmcost
