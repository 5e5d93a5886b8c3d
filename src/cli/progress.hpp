#pragma once
// A progress bar on standard error for long reads: bytes done of the total,
// rate and time left. Drawn only when it helps (see Progress::wanted), at
// most ten times a second, and erased when done, so it never lands in a log.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace llmcost::cli {

// One line, e.g. " 42% ████████▍           420 MB / 1.0 GB  210 MB/s  ETA 0:03".
// Pure, for tests: `elapsed_ms` since the start; `width` the terminal's.
std::string progress_line(std::uint64_t done, std::uint64_t total, std::uint64_t elapsed_ms, std::size_t width,
                          bool unicode);
// 1234567 -> "1.2 MB" (decimal units, as file managers show sizes).
std::string format_bytes(std::uint64_t bytes);

class Progress
{
public:
  // Inputs above this size get a bar (when stderr is a terminal and not --quiet).
  static constexpr std::uint64_t k_threshold = 50'000'000;
  static bool wanted(std::uint64_t total_bytes, bool quiet);

  Progress(std::uint64_t total_bytes, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(std::uint64_t bytes);
  // Erases the bar (also done by the destructor).
  void finish();

private:
  void draw();

  std::uint64_t m_total;
  std::uint64_t m_done = 0;
  bool m_enabled;
  bool m_drawn = false;
  bool m_unicode;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last_draw;
};

} // namespace llmcost::cli
