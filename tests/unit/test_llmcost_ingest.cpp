// Parallel reading must give exactly what one pass gives: totals, counts,
// listed rejections and their line numbers, whatever the threads and pieces.

#include "llmcost/aggregator.hpp"
#include "llmcost/catalog.hpp"
#include "llmcost/ingest.hpp"
#include "llmcost/render.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace llmcost;
using llmcost::test::bundled;

namespace {

std::string write_temp(const std::string& name, const std::string& text)
{
  const auto path = std::filesystem::temp_directory_path() / ("llmcost-ingest-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// The whole report as JSON text: any difference shows.
std::string read_all(const std::vector<std::string>& files, unsigned threads, std::uint64_t piece, std::size_t block,
                     std::uint64_t check_request_ids = AggregateOptions::k_check_request_ids_default)
{
  AggregateOptions aggregate;
  aggregate.group_by = {"provider", "model", "day"};
  aggregate.show_rejects = 50;
  aggregate.check_request_ids = check_request_ids;
  UsageAggregator sink(bundled(), aggregate);
  IngestOptions options;
  options.threads = threads;
  options.min_piece = piece;
  options.block_size = block;
  ingest_usage(files, options, sink, [](const std::string&, const std::string&) {});
  RenderOptions render;
  render.format = OutputFormat::json;
  return render_report(sink.finish(), render);
}

} // namespace

TEST_CASE("ingest: pieces and threads change nothing, even with quoted newlines across the cuts")
{
  std::string csv = "timestamp,provider,model,input_tokens,cached_input_tokens,output_tokens,note\n";
  std::string jsonl;
  for (int i = 0; i < 3000; ++i) {
    const std::string day = i % 2 == 0 ? "2026-02-01" : "2026-02-02";
    const std::string model = i % 3 == 0 ? "kimi-k2.6" : i % 3 == 1 ? "kimi-k2.5" : "no-such-model";
    // Every seventh note holds a line break inside quotes; every 11th row is bad.
    const std::string note = i % 7 == 0 ? "\"line one\nline, two\"" : "plain";
    const std::string input = i % 11 == 0 ? "-5" : std::to_string(1000 + i);
    csv += day + "T10:00:00Z,moonshot," + model + "," + input + ",100," + std::to_string(50 + i) + "," + note + "\n";
    jsonl += R"({"id":"c)" + std::to_string(i) + R"(","provider":"moonshot","created":1769940000,"model":")" + model +
             R"(","usage":{"prompt_tokens":)" + input + R"(,"completion_tokens":)" + std::to_string(i) + "}}\n";
    if (i % 13 == 0) {
      jsonl += "{\"broken\": \n";
    }
  }
  const std::string csv_path = write_temp("pieces.csv", csv);
  const std::string jsonl_path = write_temp("pieces.jsonl", jsonl);
  const std::vector<std::string> files = {csv_path, jsonl_path, csv_path};
  const std::string single = read_all(files, 1, 1 << 20, 1 << 20);
  CHECK(single.find("\"rejected\": 0") == std::string::npos); // the bad rows are there to be counted
  for (const unsigned threads : {2U, 3U, 5U}) {
    for (const std::uint64_t piece : {1ULL, 97ULL, 4096ULL}) {
      CAPTURE(threads);
      CAPTURE(piece);
      CHECK(read_all(files, threads, piece, 61) == single);
    }
  }
  std::filesystem::remove(csv_path);
  std::filesystem::remove(jsonl_path);
}

TEST_CASE("ingest: a response logged twice counts once, across pieces and files, as one pass counts it")
{
  // Each response appears twice, 1,500 lines apart (so in different pieces),
  // and the whole file is read twice: 1,000 responses, 3,000 duplicates.
  std::string jsonl;
  for (int copy = 0; copy < 2; ++copy) {
    for (int i = 0; i < 1000; ++i) {
      jsonl += R"({"id":"r)" + std::to_string(i) +
               R"(","provider":"moonshot","created":1769940000,"model":"kimi-k2.6",)"
               R"("usage":{"prompt_tokens":)" +
               std::to_string(1000 + i) + R"(,"completion_tokens":7}})" + "\n";
      if (copy == 0 && i % 2 == 0) {
        jsonl += "{\"note\": \"a line between\"}\n";
      }
    }
  }
  // The same id with other usage: which copy is right cannot be told, so it
  // is rejected (each time), never billed on top.
  jsonl +=
      R"({"id":"r1","provider":"moonshot","created":1769940000,"model":"kimi-k2.6","usage":{"prompt_tokens":5,"completion_tokens":7}})"
      "\n";
  const std::string path = write_temp("responses.jsonl", jsonl);
  const std::vector<std::string> files = {path, path};
  const std::string single = read_all(files, 1, 1 << 20, 1 << 20);
  CHECK(single.find("\"read\": 4002") != std::string::npos);
  CHECK(single.find("\"priced\": 1000") != std::string::npos);
  CHECK(single.find("\"duplicates\": 3000") != std::string::npos);
  CHECK(single.find("\"conflicting copies of a response\": 2") != std::string::npos);
  for (const unsigned threads : {2U, 3U}) {
    for (const std::uint64_t piece : {1ULL, 997ULL, 65536ULL}) {
      CAPTURE(threads);
      CAPTURE(piece);
      CHECK(read_all(files, threads, piece, 61) == single);
    }
  }
}

TEST_CASE("ingest: request ids repeated in a CSV export are kept and reported, where they are, as one pass sees them")
{
  // 2,000 billed lines; rows 1,501-1,510 repeat the ids of rows 1-10 (in
  // another piece), and the file is read twice: every row is priced, and
  // 10 + 2,000 rows repeat an earlier row's id.
  std::string csv = "timestamp,request_id,provider,model,input_tokens,output_tokens\n";
  for (int i = 0; i < 2000; ++i) {
    const int id = i >= 1500 && i < 1510 ? i - 1500 : i;
    csv +=
        "2026-02-01T10:00:00Z,req_" + std::to_string(id) + ",moonshot,kimi-k2.6," + std::to_string(1000 + i) + ",50\n";
  }
  const std::string path = write_temp("repeats.csv", csv);
  const std::vector<std::string> files = {path, path};
  const std::string single = read_all(files, 1, 1 << 20, 1 << 20);
  CHECK(single.find("\"priced\": 4000") != std::string::npos);
  CHECK(single.find("\"repeated\": 2010") != std::string::npos);
  CHECK(single.find("\"rows_with_id\": 4000") != std::string::npos);
  // The first repeats, in input order: lines 1,502 to 1,511 of the file.
  const std::string first_repeat = "\"where\": \"" + path + ":1502:1\"";
  CHECK(single.find(first_repeat) != std::string::npos);
  CHECK(single.find("2010 rows repeat the request id of an earlier row") != std::string::npos);
  for (const unsigned threads : {2U, 3U}) {
    for (const std::uint64_t piece : {1ULL, 997ULL, 65536ULL}) {
      CAPTURE(threads);
      CAPTURE(piece);
      CHECK(read_all(files, threads, piece, 61) == single);
    }
  }

  // Past the limit, the check says it did not run, whatever the pieces.
  const std::string unchecked = read_all(files, 1, 1 << 20, 1 << 20, 3000);
  CHECK(unchecked.find("\"checked\": false") != std::string::npos);
  CHECK(unchecked.find("\"repeated\": 0") != std::string::npos);
  CHECK(unchecked.find("not checked for repeats: 4000 rows carry one, and the check stops past 3000") !=
        std::string::npos);
  for (const unsigned threads : {2U, 3U}) {
    for (const std::uint64_t piece : {1ULL, 997ULL, 65536ULL}) {
      CAPTURE(threads);
      CAPTURE(piece);
      CHECK(read_all(files, threads, piece, 61, 3000) == unchecked);
    }
  }
  CHECK(read_all(files, 2, 997, 61, 0).find("not checked for repeats (--check-ids off)") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("ingest: an input that yields no usage record is an error naming what it holds, or a note")
{
  const std::string no_usage = write_temp("no-usage.jsonl", "{\"type\":\"user\",\"message\":{\"content\":\"hi\"}}\n");
  const std::string unknown =
      write_temp("unknown.json", "{\"object\":\"page\",\"data\":[{\"results\":[{\"input_tokens\":5}]}]}\n");
  const std::string usage = write_temp(
      "usage.jsonl", "{\"model\":\"moonshot/kimi-k2.6\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n");
  const std::string header_only = write_temp("header-only.csv", "model,input_tokens,output_tokens\n");
  auto run = [](const std::vector<std::string>& files, std::vector<std::size_t> inputs, bool allow_empty,
                unsigned threads) {
    UsageAggregator sink(bundled(), AggregateOptions{});
    IngestOptions options;
    options.input_of_file = std::move(inputs);
    options.input_names = {"first", "second"};
    options.allow_empty = allow_empty;
    options.threads = threads;
    ingest_usage(files, options, sink, [](const std::string&, const std::string&) {});
    return sink.finish().notes;
  };
  for (const unsigned threads : {1U, 2U}) {
    CAPTURE(threads);
    // Alone, a file without usage is an error; with --allow-empty, a note.
    CHECK_THROWS_WITH_AS(run({no_usage}, {}, false, threads),
                         doctest::Contains("no usage record read (1 object read; types: user; keys: type, message)"),
                         Error);
    CHECK(run({no_usage}, {}, true, threads).size() == 1);
    // In a directory with usage, it is noted; one holding usage in an unknown shape is an error.
    const auto notes = run({no_usage, usage}, {0, 0}, false, threads);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] == "first: 1 file without token usage (first: " + no_usage + ")");
    CHECK_THROWS_WITH_AS(run({unknown, usage}, {0, 0}, false, threads),
                         doctest::Contains("\"input_tokens\" looks like token usage, in a shape no reader knows"),
                         Error);
    // A directory of files without usage is an error for the directory.
    CHECK_THROWS_WITH_AS(run({no_usage, no_usage, usage}, {0, 0, 1}, false, threads),
                         doctest::Contains("first: no usage record read from its 2 files"), Error);
    // A header-only CSV is an empty export: noted.
    const auto empty = run({header_only}, {}, false, threads);
    REQUIRE(empty.size() == 1);
    CHECK(empty[0] == header_only + ": a header and no rows (an empty export)");
  }
}

TEST_CASE("ingest: a line longer than the maximum is read past and rejected; one of the maximum is read")
{
  // The limit is exact whatever the block size, once past the start read
  // for detection (64 KiB, never above the smallest limit): a line of the
  // limit is read, one a byte longer is not, nor held past the limit.
  constexpr std::size_t limit = 70000;
  const std::string row = "2026-01-05T09:00:00Z,moonshot,kimi-k2.6,1000,300\n";
  std::string csv = "timestamp,provider,model,input_tokens,output_tokens\n" + row;
  csv += std::string(limit, 'x') + "\n" + row + std::string(limit + 1, 'y') + "\n" + row + std::string(300000, 'z');
  const std::string path = write_temp("long-lines.csv", csv);
  for (const std::size_t block : {std::size_t{7}, std::size_t{4096}, std::size_t{100000}}) {
    CAPTURE(block);
    BlockReader reader(path, block);
    std::vector<std::size_t> long_lines;
    reader.limit_lines(limit, [&](std::size_t line) { long_lines.push_back(line); });
    std::vector<std::size_t> lengths;
    reader.run([&](std::string_view text, std::size_t, bool at_end) -> BlockReader::Taken {
      CHECK(text.size() <= limit + block);
      const std::size_t whole = at_end ? text.size() : cut_after_last_line(text);
      for (std::size_t at = 0; at < whole;) {
        const std::size_t end = std::min(text.find('\n', at), whole);
        lengths.push_back(end - at);
        at = end + 1;
      }
      return whole;
    });
    // Lines 5 and 7 are skipped whole; the rest is read.
    CHECK(long_lines == std::vector<std::size_t>{5, 7});
    CHECK(lengths == std::vector<std::size_t>{51, 48, limit, 48, 48});
    CHECK(reader.lines_consumed() == 6);
  }
  // Through ingest: each long line is a rejected record at its line; the rows are priced.
  AggregateOptions aggregate;
  aggregate.show_rejects = 5;
  UsageAggregator sink(bundled(), aggregate);
  IngestOptions options;
  options.block_size = 4096;
  options.max_line_bytes = limit;
  ingest_usage({path}, options, sink, [](const std::string&, const std::string&) {});
  const Report report = sink.finish();
  CHECK(report.records.read == 6); // 3 rows, the line of x (a bad row), 2 long lines
  CHECK(report.records.rejected_by_reason.at("line too long") == 2);
  REQUIRE(report.records.first_rejections.size() == 3);
  CHECK(report.records.first_rejections[1].where == path + ":5:1");
  CHECK(report.records.first_rejections[1].reason ==
        "line longer than 70000 bytes (read past; --max-line-bytes raises the limit)");
  CHECK(report.records.first_rejections[2].where == path + ":7:1");
}
