// UsageFollower: what it replays after each change is what one ingest of the
// same bytes gives (the report, to the line numbers), across appends cut at
// any byte, partial lines, truncation, rewrites and rotation.

#include "llmcost/aggregator.hpp"
#include "llmcost/ingest.hpp"
#include "llmcost/render.hpp"
#include "llmcost/watch.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace llmcost;
using llmcost::test::bundled;

namespace {

namespace fs = std::filesystem;

struct TempDir
{
  fs::path path;
  TempDir()
  {
    std::string pattern = (fs::temp_directory_path() / "llmcost-watch-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

void write(const fs::path& path, const std::string& text, bool append)
{
  std::ofstream(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc)) << text;
}

std::string render(UsageAggregator& sink)
{
  RenderOptions options;
  options.format = OutputFormat::json;
  return render_report(sink.finish(), options);
}

AggregateOptions aggregate()
{
  AggregateOptions options;
  options.group_by = {"provider", "model", "day"};
  options.show_rejects = 50;
  return options;
}

// The report of one ingest of `files` as they are.
std::string ingested(const std::vector<std::string>& files)
{
  UsageAggregator sink(bundled(), aggregate());
  IngestOptions options;
  options.allow_empty = true;
  ingest_usage(files, options, sink, [](const std::string&, const std::string&) {});
  return render(sink);
}

std::string followed(const UsageFollower& follower)
{
  UsageAggregator sink(bundled(), aggregate());
  follower.replay(sink);
  return render(sink);
}

const std::string k_lines[] = {
    R"({"id":"a1","object":"chat.completion","created":1767225600,"model":"kimi-k2.6","provider":"moonshot","usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120}})"
    "\n",
    R"({"id":"a2","object":"chat.completion","created":1767312000,"model":"kimi-k2.5","provider":"moonshot","usage":{"prompt_tokens":300,"completion_tokens":40,"total_tokens":340}})"
    "\n",
    "{\"not json\n",
    R"({"id":"a3","object":"chat.completion","created":1767312000,"model":"no-such-model","provider":"moonshot","usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})"
    "\n",
    R"({"id":"a1","object":"chat.completion","created":1767225600,"model":"kimi-k2.6","provider":"moonshot","usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120}})"
    "\n",
};

std::string all_lines()
{
  std::string text;
  for (const auto& line : k_lines) {
    text += line;
  }
  return text;
}

} // namespace

TEST_CASE("watch: appends cut at every byte give what one read of the whole lines gives")
{
  TempDir dir;
  const fs::path file = dir.path / "a.jsonl";
  const fs::path whole = dir.path / "whole.jsonl";
  const std::string text = all_lines();
  UsageFollower follower({});
  write(file, "", false);
  for (std::size_t cut = 1; cut <= text.size(); cut += 7) {
    write(file, text.substr(0, cut), false);
    follower.update({file.string()});
    // The truth: the same file holding only its whole lines (the last one
    // waits for its newline).
    const std::size_t lines = text.rfind('\n', cut - 1) == std::string::npos ? 0 : text.rfind('\n', cut - 1) + 1;
    write(whole, text.substr(0, lines), false);
    if (lines == 0) {
      CHECK(follower.without_records().empty());
      continue;
    }
    std::string expected = ingested({whole.string()});
    // The same report, under the followed file's name.
    for (std::size_t at = expected.find(whole.string()); at != std::string::npos; at = expected.find(whole.string())) {
      expected.replace(at, whole.string().size(), file.string());
    }
    CHECK(followed(follower) == expected);
    CHECK(follower.unfinished().size() == (lines < cut ? 1 : 0));
  }
}

TEST_CASE("watch: truncated, rewritten and rotated files are read again, nothing twice")
{
  TempDir dir;
  const fs::path file = dir.path / "a.jsonl";
  UsageFollower follower({});
  write(file, k_lines[0] + k_lines[1], false);
  CHECK(follower.update({file.string()}));
  CHECK(followed(follower) == ingested({file.string()}));

  SUBCASE("truncated")
  {
    write(file, k_lines[3], false);
    CHECK(follower.update({file.string()}));
    CHECK(followed(follower) == ingested({file.string()}));
  }
  SUBCASE("rewritten longer, in place: the bytes before the offset changed")
  {
    write(file, k_lines[1] + k_lines[0] + k_lines[3], false);
    CHECK(follower.update({file.string()}));
    CHECK(followed(follower) == ingested({file.string()}));
  }
  SUBCASE("rotated: another file under the name")
  {
    fs::rename(file, dir.path / "a.jsonl.1");
    write(file, k_lines[3], false);
    CHECK(follower.update({file.string()}));
    CHECK(followed(follower) == ingested({file.string()}));
  }
  SUBCASE("renamed to another followed name: the same lines once")
  {
    const fs::path old = dir.path / "a-old.jsonl";
    fs::rename(file, old);
    write(file, k_lines[3], false);
    CHECK(follower.update({old.string(), file.string()}));
    CHECK(followed(follower) == ingested({old.string(), file.string()}));
  }
  SUBCASE("unchanged: no change reported")
  {
    CHECK_FALSE(follower.update({file.string()}));
  }
}

TEST_CASE("watch: a file that cannot be read is a problem, left out until it changes")
{
  TempDir dir;
  const fs::path csv = dir.path / "a.csv";
  write(csv, "a,b\n1,2\n", false);
  UsageFollower follower({});
  follower.update({csv.string()});
  REQUIRE(follower.problems().size() == 1);
  CHECK(follower.problems().front().message.find("no model column") != std::string::npos);
  write(csv, "model,input_tokens,output_tokens\nmoonshot/kimi-k2.6,10,1\n", false);
  follower.update({csv.string()});
  CHECK(follower.problems().empty());
  CHECK(followed(follower) == ingested({csv.string()}));
}

TEST_CASE("watch: a CSV grows row by row after its header")
{
  TempDir dir;
  const fs::path csv = dir.path / "a.csv";
  UsageFollower follower({});
  write(csv, "model,input_tokens,output_tokens\n", false);
  follower.update({csv.string()});
  for (int i = 0; i < 3; ++i) {
    write(csv, "moonshot/kimi-k2.6,100", true);
    follower.update({csv.string()});
    write(csv, "0,7\n", true);
    follower.update({csv.string()});
    CHECK(followed(follower) == ingested({csv.string()}));
  }
}
