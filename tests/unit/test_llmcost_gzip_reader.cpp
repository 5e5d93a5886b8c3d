// BlockReader over gzip data: the decompressed text and its line count must
// be the same whatever the block size, across member boundaries, and bad
// data must fail with how far it got.

#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/gzip_reader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>
#include <zlib.h>

using namespace llmcost;

namespace {

// One gzip member holding `text` (level 6, the gzip tool's default).
std::string gzip_member(const std::string& text)
{
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string write_temp(const std::string& name, const std::string& bytes)
{
  const auto path =
      std::filesystem::temp_directory_path() / ("llmcost-gzip-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

// Text of varied line lengths, so that lines and blocks cross at every offset.
std::string sample_text(std::size_t lines)
{
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) {
    text +=
        "line " + std::to_string(i) + ",kimi-k2.6," + std::string(i % 97, 'x') + "," + std::to_string(i * 7919) + "\n";
  }
  return text;
}

// Everything a BlockReader gives, taken a line at a time as the readers do.
std::string read_all(const std::string& path, std::size_t block_size, std::uint64_t* lines = nullptr)
{
  BlockReader reader(path, block_size);
  std::string out;
  reader.run([&](std::string_view text, std::size_t, bool at_end) -> BlockReader::Taken {
    const std::size_t whole = at_end ? text.size() : cut_after_last_line(text);
    out.append(text.substr(0, whole));
    return whole;
  });
  if (lines != nullptr) {
    *lines = reader.lines_consumed();
  }
  return out;
}

} // namespace

TEST_SUITE("gzip_reader")
{
  TEST_CASE("decompressed text and lines are the same for every block size, across members")
  {
    const std::string first = sample_text(3000);
    const std::string second = sample_text(1234);
    const std::string path = write_temp("two-members.gz", gzip_member(first) + gzip_member(second));
    CHECK(is_gzip_file(path));
    for (const std::size_t block :
         {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{65536}, k_default_block_size}) {
      CAPTURE(block);
      std::uint64_t lines = 0;
      CHECK(read_all(path, block, &lines) == first + second);
      CHECK(lines == 3000 + 1234);
    }
    // A range from the start counts decompressed bytes (format detection reads one).
    CHECK(read_range(path, 0, 100) == first.substr(0, 100));
    std::filesystem::remove(path);
  }

  TEST_CASE("a plain file is read as it is")
  {
    const std::string text = sample_text(50);
    const std::string path = write_temp("plain.csv", text);
    CHECK_FALSE(is_gzip_file(path));
    CHECK(read_all(path, 3) == text);
    std::filesystem::remove(path);
  }

  TEST_CASE("truncated and corrupt data fail with the file, the line and the bytes")
  {
    const std::string text = sample_text(2000);
    const std::string whole = gzip_member(text);
    const std::string cut = write_temp("cut.gz", whole.substr(0, whole.size() / 2));
    const std::string tail = write_temp("tail.gz", whole + "trailing garbage");
    std::string corrupt_bytes = whole;
    corrupt_bytes[whole.size() - 6] = static_cast<char>(corrupt_bytes[whole.size() - 6] ^ 0x5a); // the CRC
    const std::string corrupt = write_temp("corrupt.gz", corrupt_bytes);
    std::vector<std::string> messages; // how far it got: the same whatever the blocks
    for (const std::size_t block : {std::size_t{1}, k_default_block_size}) {
      CAPTURE(block);
      try {
        read_all(cut, block);
        FAIL("a truncated file was read");
      } catch (const Error& e) {
        const std::string message = e.what();
        CHECK(message.find(cut + ":") == 0);
        CHECK(message.find("stops inside a member") != std::string::npos);
        CHECK(e.location().line > 1);
        messages.push_back(message);
      }
      CHECK_THROWS_WITH_AS(read_all(corrupt, block), doctest::Contains("incorrect data check"), Error);
      CHECK_THROWS_WITH_AS(read_all(tail, block), doctest::Contains("corrupt"), Error);
    }
    REQUIRE(messages.size() == 2);
    CHECK(messages[0] == messages[1]);
    std::filesystem::remove(cut);
    std::filesystem::remove(tail);
    std::filesystem::remove(corrupt);
  }
}
