#include "cli/progress.hpp"

#include "cli/terminal.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace llmcost::cli {

std::string format_bytes(std::uint64_t bytes)
{
  static const char* const k_units[] = {"B", "kB", "MB", "GB", "TB"};
  std::size_t unit = 0;
  std::uint64_t scale = 1;
  while (unit + 1 < std::size(k_units) && bytes >= scale * 1000) {
    scale *= 1000;
    ++unit;
  }
  if (unit == 0) {
    return fmt::format("{} B", bytes);
  }
  // One decimal, rounded half up, from integers (no floating point needed).
  const std::uint64_t tenths = (bytes * 10 + scale / 2) / scale;
  return fmt::format("{}.{} {}", tenths / 10, tenths % 10, k_units[unit]);
}

std::string progress_line(std::uint64_t done, std::uint64_t total, std::uint64_t elapsed_ms, std::size_t width,
                          bool unicode)
{
  done = std::min(done, total);
  const std::uint64_t percent = total == 0 ? 100 : done * 100 / total;
  std::string tail = "  " + format_bytes(done) + " / " + format_bytes(total);
  if (elapsed_ms >= 500 && done > 0) {
    const std::uint64_t rate = done * 1000 / elapsed_ms; // bytes per second
    tail += "  " + format_bytes(rate) + "/s";
    if (rate > 0) {
      const std::uint64_t left = (total - done + rate - 1) / rate;
      tail += fmt::format("  ETA {}:{:02}", left / 60, left % 60);
    }
  }
  const std::string head = fmt::format("{:3}% ", percent);
  const std::size_t line = std::max<std::size_t>(width == 0 ? 80 : width, 40) - 1; // no wrap in the last column
  const std::size_t cells = line > head.size() + tail.size() + 10 ? line - head.size() - tail.size() : 10;
  std::string bar;
  const std::uint64_t units = total == 0 ? cells * 8 : done * cells * 8 / total;
  if (unicode) {
    static const char* const k_eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    for (std::uint64_t i = 0; i < units / 8; ++i) {
      bar += "█";
    }
    bar += k_eighths[units % 8];
    const std::size_t drawn = units / 8 + (units % 8 != 0 ? 1 : 0);
    bar += std::string(cells - drawn, ' ');
  } else {
    bar = std::string(units / 8, '#') + std::string(cells - units / 8, '.');
  }
  return head + bar + tail;
}

bool Progress::wanted(std::uint64_t total_bytes, bool quiet)
{
  return !quiet && total_bytes > k_threshold && isatty(STDERR_FILENO) != 0;
}

Progress::Progress(std::uint64_t total_bytes, bool enabled)
  : m_total(total_bytes)
  , m_enabled(enabled)
  , m_unicode(utf8_locale())
  , m_start(std::chrono::steady_clock::now())
  , m_last_draw(m_start)
{
}

Progress::~Progress()
{
  finish();
}

void Progress::advance(std::uint64_t bytes)
{
  m_done += bytes;
  if (!m_enabled) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!m_drawn || now - m_last_draw >= std::chrono::milliseconds(100)) {
    m_last_draw = now;
    draw();
  }
}

void Progress::draw()
{
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - m_start).count();
  // The bar goes to stderr directly (unbuffered), so it never mixes with stdout.
  const std::string line = "\r" +
                           progress_line(m_done, m_total, static_cast<std::uint64_t>(elapsed),
                                         terminal_columns_of(STDERR_FILENO), m_unicode) +
                           "\x1b[K";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  m_drawn = true;
}

void Progress::finish()
{
  if (m_drawn) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    m_drawn = false;
  }
  m_enabled = false;
}

} // namespace llmcost::cli
