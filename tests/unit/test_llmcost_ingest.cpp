// Parallel reading must give exactly what one pass gives: totals, counts,
// listed rejections and their line numbers, whatever the threads and pieces.

#include "llmcost/catalog.hpp"
#include "llmcost/ingest.hpp"
#include "llmcost/render.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace llmcost;

namespace {

const Catalog& catalog()
{
  static const Catalog bundled = Catalog::bundled();
  return bundled;
}

std::string write_temp(const std::string& name, const std::string& text)
{
  const auto path = std::filesystem::temp_directory_path() / ("llmcost-ingest-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// The whole report as JSON text: any difference shows.
std::string read_all(const std::vector<std::string>& files, unsigned threads, std::uint64_t piece, std::size_t block)
{
  AggregateOptions aggregate;
  aggregate.group_by = {"provider", "model", "day"};
  aggregate.show_rejects = 50;
  UsageAggregator sink(catalog(), aggregate);
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
