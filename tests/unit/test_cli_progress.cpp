// The progress bar's line, as drawn (the bar itself needs a terminal).

#include "cli/progress.hpp"

#include <doctest/doctest.h>

using llmcost::cli::format_bytes;
using llmcost::cli::progress_line;

TEST_SUITE("progress")
{
  TEST_CASE("sizes in decimal units")
  {
    CHECK(format_bytes(999) == "999 B");
    CHECK(format_bytes(1'000) == "1.0 kB");
    CHECK(format_bytes(52'428'800) == "52.4 MB");
    CHECK(format_bytes(1'073'741'824) == "1.1 GB");
  }

  TEST_CASE("bytes, rate and time left")
  {
    // 400 MB of 1 GB in 2 s: 200 MB/s, 3 s to go.
    const std::string line = progress_line(400'000'000, 1'000'000'000, 2'000, 80, false);
    CHECK(line == " 40% #############....................  400.0 MB / 1.0 GB  200.0 MB/s  ETA 0:03");
    CHECK(line.size() == 79); // fills the width but its last column
    // 13 of the 33 cells are 40%, rounded down.
  }

  TEST_CASE("no rate in the first half second; unicode eighths")
  {
    const std::string line = progress_line(1'000'000, 64'000'000, 100, 60, true);
    CHECK(line == "  1% ▌                                     1.0 MB / 64.0 MB");
  }

  TEST_CASE("done and overshoot")
  {
    CHECK(progress_line(2'000, 1'000, 1'000, 40, false) == "100% ##########  1.0 kB / 1.0 kB  1.0 kB/s  ETA 0:00");
  }
}
