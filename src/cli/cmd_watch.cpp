// `llmcost watch`: the live cost of usage files as they grow. The files are
// followed by UsageFollower (llmcost/watch.hpp); each change is priced by a
// fresh UsageAggregator fed what was read so far, so the totals are those of
// `estimate` on the same bytes. On a terminal: a full-screen view redrawn in
// place; into a pipe: a table, or a JSON line, at start and per change.

#include "cli/app.hpp"
#include "cli/config.hpp"
#include "cli/inputs.hpp"
#include "cli/terminal.hpp"

#include "llmcost/error.hpp"
#include "llmcost/group_by.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/text_table.hpp"
#include "llmcost/timestamp.hpp"
#include "llmcost/watch.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace llmcost::cli {

namespace {

struct WatchOptions
{
  CommonOptions common;
  std::vector<std::string> inputs;
  UsageInputOptions usage;
  std::string interval = "1";
  std::string limit;
  std::string period;
  bool exit_on_limit = false;
};

// The burn rate is the spend of the last hour: per hour, exactly.
constexpr std::int64_t k_burn_window_seconds = 3600;
// With inotify, a look every so often all the same (a file system that
// sends no events, a sliding burn-rate window on the screen).
constexpr int k_inotify_rescan_ms = 60'000;
// Events closer than this are taken in one look, up to --interval after the
// first: a writer appending many lines a second costs one pricing per
// interval, not one per line.
constexpr int k_coalesce_ms = 100;
// How often the view prices what did not change, for the burn rate's hour.
constexpr std::int64_t k_reprice_seconds = 30;
// The limit bar's cells, and where it turns to a warning.
constexpr std::int64_t k_bar_cells = 30;
constexpr std::int64_t k_warning_percent = 80;

// The signals that end or redraw the view arrive through a pipe the loop polls.
std::array<int, 2> g_signal_pipe = {-1, -1};

extern "C" void note_signal(int signal_number)
{
  const int saved = errno;
  const char byte = static_cast<char>(signal_number);
  [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

// Installs the handlers for the loop's lifetime.
class SignalPipe
{
public:
  SignalPipe()
  {
    if (::pipe2(g_signal_pipe.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
      throw Error(Location{}, "cannot create a pipe for signals: " + std::string(std::strerror(errno)));
    }
    struct sigaction action
    {
    };
    action.sa_handler = note_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < m_signals.size(); ++i) {
      sigaction(m_signals[i], &action, &m_old[i]);
    }
  }
  ~SignalPipe()
  {
    for (std::size_t i = 0; i < m_signals.size(); ++i) {
      sigaction(m_signals[i], &m_old[i], nullptr);
    }
    ::close(g_signal_pipe[0]);
    ::close(g_signal_pipe[1]);
    g_signal_pipe[0] = g_signal_pipe[1] = -1;
  }
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  int fd() const { return g_signal_pipe[0]; }

  // Ctrl-Z: stops as it would without the handler, until SIGCONT.
  static void stop_here()
  {
    struct sigaction stop
    {
    };
    stop.sa_handler = SIG_DFL;
    sigemptyset(&stop.sa_mask);
    struct sigaction ours
    {
    };
    sigaction(SIGTSTP, &stop, &ours);
    ::raise(SIGTSTP);
    sigaction(SIGTSTP, &ours, nullptr);
  }

private:
  std::array<int, 5> m_signals{SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP};
  std::array<struct sigaction, 5> m_old{};
};

// The terminal in full-screen mode (alternate screen, no cursor, keys read
// one by one without echo) until destroyed, on every way out.
class FullScreen
{
public:
  explicit FullScreen(std::ostream& out)
    : m_out(out)
  {
    if (isatty(STDIN_FILENO) != 0 && tcgetattr(STDIN_FILENO, &m_saved) == 0) {
      termios raw = m_saved;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      m_keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    m_out << "\x1b[?1049h\x1b[?25l" << std::flush;
  }
  ~FullScreen()
  {
    m_out << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (m_keys) {
      tcsetattr(STDIN_FILENO, TCSANOW, &m_saved);
    }
  }
  FullScreen(const FullScreen&) = delete;
  FullScreen& operator=(const FullScreen&) = delete;

  bool reads_keys() const { return m_keys; }

private:
  std::ostream& m_out;
  termios m_saved{};
  bool m_keys = false;
};

std::size_t terminal_rows()
{
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) {
    return size.ws_row;
  }
  return 24;
}

// Where the terminal column after the first `width` starts in `line` (npos:
// the line is not wider), and whether a colour was set before it. Escape
// sequences take no column, nor do UTF-8 continuation bytes.
struct LineCut
{
  std::size_t at = std::string::npos;
  std::size_t columns = 0; // of the whole line
  bool painted = false;
};
LineCut measure_line(const std::string& line, std::size_t width)
{
  LineCut cut;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == 0x1b && i + 1 < line.size() && line[i + 1] == '[') {
      cut.painted = cut.painted || cut.at == std::string::npos;
      for (i += 2; i < line.size() && (static_cast<unsigned char>(line[i]) < 0x40 || line[i] == '['); ++i) {
      }
      continue;
    }
    if ((c & 0xC0) != 0x80 && ++cut.columns > width && cut.at == std::string::npos) {
      cut.at = i;
    }
  }
  return cut;
}

// `line` cut to `width` columns (0: not cut): a wrapped line would push the
// view down the screen. A cut line ends its colour.
std::string fit_line(const std::string& line, std::size_t width)
{
  const LineCut cut = measure_line(line, width);
  if (width == 0 || cut.at == std::string::npos) {
    return line;
  }
  return line.substr(0, cut.at) + (cut.painted ? "\x1b[0m" : "");
}

// "2026-03-01T12:00:00Z"
std::string iso_time(std::int64_t unix_seconds)
{
  const Day day = day_at_offset(unix_seconds, 0);
  const std::int64_t second_of_day = unix_seconds - static_cast<std::int64_t>(day) * 86400;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(day), second_of_day / 3600, second_of_day / 60 % 60,
                     second_of_day % 60);
}

// The --period that holds `now` in the --tz days: its first day and the
// Unix second it ends.
struct PeriodBounds
{
  Day first_day = 0;
  std::int64_t end = 0;
};
PeriodBounds period_bounds(const std::string& period, std::int64_t now, std::int32_t tz_offset)
{
  const Day today = day_at_offset(now, tz_offset);
  Day first = today;
  Day next = today + 1;
  if (period == "week") {
    first = today - static_cast<Day>(((today + 3) % 7 + 7) % 7); // ISO weeks start on Monday
    next = first + 7;
  } else if (period == "month") {
    first = month_start(today);
    next = next_month_start(today);
  }
  return {first, static_cast<std::int64_t>(next) * 86400 - tz_offset};
}

// What one look at the files found.
struct Snapshot
{
  Report report;
  std::int64_t as_of = 0;
  Decimal spent;
  Decimal burn; // spend of the last hour
  std::optional<PeriodBounds> period;
  std::optional<Decimal> projected;
  std::vector<FollowProblem> problems;
  std::vector<std::string> unfinished;
  std::vector<std::string> without_records;
  std::size_t files = 0;
};

enum class LimitState { none, ok, warning, alert };

LimitState limit_state(const Snapshot& s, const std::optional<Decimal>& limit)
{
  if (!limit) {
    return LimitState::none;
  }
  if (s.spent >= *limit) {
    return LimitState::alert;
  }
  return s.spent.mul_int(100) >= limit->mul_int(k_warning_percent) ? LimitState::warning : LimitState::ok;
}

// The share of the limit spent, in whole percent (rounded down).
std::int64_t limit_percent(const Snapshot& s, const Decimal& limit)
{
  if (limit.is_zero()) {
    return s.spent.is_zero() ? 0 : 100;
  }
  return static_cast<std::int64_t>(s.spent.mul_div(Decimal::from_int(100), limit).whole());
}

class Watcher
{
public:
  // `watching`: what the view says it watches when the user named nothing.
  Watcher(const WatchOptions& o, Context& context, std::vector<std::string> inputs, std::string watching)
    : m_o(o)
    , m_context(context)
    , m_inputs(std::move(inputs))
    , m_watching(std::move(watching))
    , m_catalog(load_catalog(o.common))
    , m_follower(follow_options(o.usage))
  {
    std::vector<std::string> group_by;
    if (!o.common.by.empty()) {
      group_by = parse_group_by(o.common.by);
    }
    m_aggregate = aggregate_options(o.usage, o.common.provider, group_by);
    m_aggregate.model_mapping = model_mapping(o.usage, m_inputs, m_catalog, user_config(context), o.common.provider);
    m_render = render_options(o.common, context, "watch");
    m_limit = number_flag(o.limit, "--limit", NumberKind::amount);
    const auto interval = number_flag(o.interval, "--interval", NumberKind::amount);
    if (interval->is_zero() || *interval > Decimal::from_int(3600)) {
      throw Error(Location{}, fmt::format("--interval: {} is out of range", o.interval),
                  "seconds, more than 0 and at most 3600 (e.g. 1 or 0.5)");
    }
    m_interval_ms =
        static_cast<int>(std::max<std::int64_t>(1, static_cast<std::int64_t>(interval->mul_int(1000).whole())));
    if (o.exit_on_limit && !m_limit) {
      throw Error(Location{}, "--exit-on-limit needs --limit", "--limit USD, e.g. --limit 50");
    }
    if (m_render.format == OutputFormat::table && o.common.chart) {
      throw Error(Location{}, "--chart is not drawn by watch", "llmcost estimate --chart on the files");
    }
    m_full_screen = m_render.format == OutputFormat::table && context.stdout_is_tty && !writes_to_file(o.common);
  }

  int run()
  {
    SignalPipe signals;
    std::optional<FullScreen> screen;
    ChangeNotifier notifier;
    const char* no_inotify = std::getenv("LLMCOST_WATCH_POLL");
    bool& inotify = m_inotify;
    inotify = (no_inotify == nullptr || *no_inotify == '\0') && notifier.fd() >= 0;
    bool first = true;
    bool redraw = true;
    for (;;) {
      if (inotify && !notifier.watch(m_inputs)) {
        inotify = false; // out of watches: poll at --interval
      }
      const bool changed = look();
      if (first) {
        // As estimate: files that cannot be read fail the run before it starts.
        if (!m_snapshot.problems.empty()) {
          throw Error(m_snapshot.problems.front().message);
        }
        if (m_full_screen) {
          screen.emplace(m_context.out);
        }
      }
      if ((changed || redraw) && !show(first)) {
        return 0; // the reader of the pipe is gone
      }
      first = false;
      redraw = false;
      if (m_limit && m_o.exit_on_limit && m_snapshot.spent >= *m_limit) {
        screen.reset();
        m_context.err << fmt::format("llmcost: limit reached: {} spent, limit {}\n", money(m_snapshot.spent),
                                     money(*m_limit));
        return 1;
      }
      // Wait for a change, a key, a signal or the time to look again.
      std::array<pollfd, 3> fds{};
      nfds_t count = 0;
      fds[count++] = {signals.fd(), POLLIN, 0};
      const nfds_t notifier_at = count;
      if (inotify) {
        fds[count++] = {notifier.fd(), POLLIN, 0};
      }
      const nfds_t keys_at = count;
      if (screen && screen->reads_keys()) {
        fds[count++] = {STDIN_FILENO, POLLIN, 0};
      }
      std::optional<std::chrono::steady_clock::time_point> pending_since;
      const auto timeout = [&] {
        if (!pending_since) {
          return inotify ? k_inotify_rescan_ms : m_interval_ms;
        }
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - *pending_since);
        return static_cast<int>(std::clamp<std::int64_t>(m_interval_ms - waited.count(), 0, k_coalesce_ms));
      };
      for (;;) {
        const int ready = ::poll(fds.data(), count, timeout());
        if (ready < 0 && errno == EINTR) {
          continue;
        }
        if (ready <= 0) {
          // The clock and the burn rate's hour have moved on.
          redraw = screen.has_value() && !pending_since;
          break;
        }
        if ((fds[0].revents & POLLIN) != 0) {
          char signal_number = 0;
          bool stop = false;
          while (::read(signals.fd(), &signal_number, 1) == 1) {
            if (signal_number == SIGTSTP) {
              stop = true;
            } else if (signal_number != SIGWINCH) {
              return 0; // Ctrl-C: the last output is whole
            }
            redraw = screen.has_value();
          }
          if (stop) {
            // The shell gets its screen and modes back while stopped; on fg, the view returns.
            const bool had_screen = screen.has_value();
            screen.reset();
            SignalPipe::stop_here();
            if (had_screen) {
              screen.emplace(m_context.out);
            }
          }
          if (redraw) {
            break;
          }
        }
        if (keys_at < count && (fds[keys_at].revents & POLLIN) != 0) {
          char key = 0;
          while (::read(STDIN_FILENO, &key, 1) == 1) {
            if (key == 'q' || key == 'Q') {
              return 0;
            }
          }
        }
        if (notifier_at < count && (fds[notifier_at].revents & POLLIN) != 0) {
          notifier.drain();
          // Look once the events stop for a moment, or after --interval at most.
          pending_since = pending_since.value_or(std::chrono::steady_clock::now());
        }
      }
    }
  }

private:
  static FollowOptions follow_options(const UsageInputOptions& usage)
  {
    FollowOptions follow;
    follow.input_kind = parse_input_kind(usage.input_format);
    follow.source = parse_trace_source(usage.source);
    follow.maps = parse_column_maps(usage.maps);
    follow.decimal_comma = usage.decimal_comma;
    follow.max_line_bytes = usage.max_line_bytes;
    return follow;
  }

  // Reads what changed and prices everything read so far. True when the
  // report (not its time) changed.
  bool look()
  {
    UsageFiles listed;
    try {
      listed = list_usage_files(m_inputs);
    } catch (const Error& e) {
      if (m_snapshot.as_of == 0) {
        throw; // at start, as estimate: exit 2
      }
      // A watched directory gone or unreadable: said as a rejected input;
      // the files it held are looked at (and found missing) one by one.
      listed.files = m_files;
      listed.problems.emplace_back(e.location().file, e.what());
    }
    m_files = listed.files;
    bool changed = m_follower.update(listed.files);
    changed = changed || listed.problems != m_walk_problems;
    m_walk_problems = listed.problems;
    Snapshot s;
    s.as_of = static_cast<std::int64_t>(std::time(nullptr));
    AggregateOptions options = m_aggregate;
    if (!m_o.period.empty()) {
      s.period = period_bounds(m_o.period, s.as_of, options.tz_offset_seconds);
      options.since = std::max(options.since.value_or(s.period->first_day), s.period->first_day);
      changed = changed || !m_snapshot.period || m_snapshot.period->first_day != s.period->first_day;
    }
    // Nothing new: no pricing (an idle poll costs a walk and a stat per
    // file). On the screen the burn rate's hour slides, so it is priced
    // again now and then; into a pipe only a change writes a line.
    const bool slid = m_full_screen && s.as_of - m_priced_at >= k_reprice_seconds;
    if (!changed && !slid && m_priced_at != 0) {
      m_snapshot.as_of = s.as_of;
      return false;
    }
    m_priced_at = s.as_of;
    UsageAggregator usage(m_catalog, options);
    // As read_inputs: what a directory walk could not read is a rejected input.
    for (const auto& [path, problem] : m_walk_problems) {
      usage.reject(Location{path}, "unreadable input", problem);
    }
    m_follower.replay(usage);
    s.report = usage.finish();
    s.spent = s.report.total_cost.total();
    AggregateOptions burn_options = options;
    burn_options.group_by.clear();
    UsageAggregator burn(m_catalog, burn_options);
    const std::int64_t from = s.as_of - k_burn_window_seconds;
    m_follower.replay(burn, [&](const UsageRecord& r) { return r.time && *r.time > from && *r.time <= s.as_of; });
    s.burn = burn.finish().total_cost.total();
    if (s.period) {
      const std::int64_t left = std::max<std::int64_t>(0, s.period->end - s.as_of);
      s.projected = s.spent + s.burn.mul_div(Decimal::from_int(left), Decimal::from_int(k_burn_window_seconds));
    }
    s.problems = m_follower.problems();
    s.unfinished = m_follower.unfinished();
    s.without_records = m_follower.without_records();
    s.files = m_follower.file_count();
    m_snapshot = std::move(s);
    return changed;
  }

  std::string money(Decimal value) const
  {
    return fmt::format("{} {}", format_money(value, m_render.precision), m_snapshot.report.currency);
  }

  // The lines under the table: burn rate, projection, limit, what waits or failed.
  std::vector<std::string> live_lines(bool color) const
  {
    const Snapshot& s = m_snapshot;
    std::vector<std::string> lines;
    // The total again, outside the table: a narrow terminal cuts the table's right side.
    if (s.period) {
      lines.push_back(
          fmt::format("spent this {} (since {}): {}", m_o.period, format_date(s.period->first_day), money(s.spent)));
      lines.push_back(fmt::format("burn rate: {}/h (the last hour); projected by the {}'s end: {}", money(s.burn),
                                  m_o.period, money(*s.projected)));
    } else {
      lines.push_back(fmt::format("spent: {}", money(s.spent)));
      lines.push_back(fmt::format("burn rate: {}/h (the last hour)", money(s.burn)));
    }
    if (m_limit) {
      const std::int64_t percent = limit_percent(s, *m_limit);
      const std::int64_t filled = std::min<std::int64_t>(k_bar_cells, percent * k_bar_cells / 100);
      std::string bar;
      for (std::int64_t i = 0; i < k_bar_cells; ++i) {
        bar += i < filled ? (m_render.unicode ? "\u2588" : "#") : (m_render.unicode ? "\u2591" : ".");
      }
      const LimitState state = limit_state(s, m_limit);
      const char* word = state == LimitState::alert     ? "ALERT: limit reached"
                         : state == LimitState::warning ? "WARNING: 80% of the limit"
                                                        : "ok";
      const char* paint = state == LimitState::alert     ? "\x1b[1;31m"
                          : state == LimitState::warning ? "\x1b[1;33m"
                                                         : "\x1b[32m";
      lines.push_back(fmt::format("limit {}: {}{} {:>3}% {}{}", money(*m_limit), color ? paint : "", bar, percent, word,
                                  color ? "\x1b[0m" : ""));
    }
    for (const auto& p : s.problems) {
      lines.push_back(fmt::format("not read (left out until it changes): {}", p.message));
    }
    if (!s.without_records.empty()) {
      lines.push_back(fmt::format("no usage read (yet) from {} file{} (first: {})", s.without_records.size(),
                                  s.without_records.size() == 1 ? "" : "s", s.without_records.front()));
    }
    if (!s.unfinished.empty()) {
      lines.push_back(fmt::format("waiting for a newline: {} (first: {})", s.unfinished.size(), s.unfinished.front()));
    }
    return lines;
  }

  std::string header() const
  {
    const Snapshot& s = m_snapshot;
    // Polling is said: changes then show up to --interval late.
    return fmt::format("llmcost watch: {} file{} as of {}{}", s.files, s.files == 1 ? "" : "s", iso_time(s.as_of),
                       m_inotify ? "" : fmt::format(", looked at every {} s", m_o.interval));
  }

  std::string json_line() const
  {
    const Snapshot& s = m_snapshot;
    RenderOptions render = m_render;
    render.format = OutputFormat::json;
    auto j = nlohmann::ordered_json::parse(render_report(s.report, render));
    j["as_of"] = iso_time(s.as_of);
    nlohmann::ordered_json live;
    live["files"] = s.files;
    live["changes_seen_by"] = m_inotify ? "inotify" : "polling";
    live["burn_rate_per_hour"] = s.burn.to_exact_string();
    if (s.period) {
      live["period"] = m_o.period;
      live["period_start"] = format_date(s.period->first_day);
      live["projected"] = s.projected->to_exact_string();
    }
    if (m_limit) {
      live["limit"] = m_limit->to_exact_string();
      const LimitState state = limit_state(s, m_limit);
      live["limit_state"] = state == LimitState::alert ? "alert" : state == LimitState::warning ? "warning" : "ok";
    }
    live["waiting_for_newline"] = s.unfinished;
    live["files_without_usage"] = s.without_records.size();
    j["live"] = live;
    for (const auto& p : s.problems) {
      j["warnings"].push_back(fmt::format("not read (left out until it changes): {}", p.message));
    }
    return j.dump() + "\n";
  }

  std::string plain_view() const
  {
    std::string text =
        header() + "\n" + (m_watching.empty() ? "" : m_watching + "\n") + render_report(m_snapshot.report, m_render);
    text += render_record_summary(m_snapshot.report);
    for (const auto& line : live_lines(false)) {
      text += line + "\n";
    }
    return text;
  }

  // The table with the columns a glance needs (tokens in and out, the
  // total), for a terminal too narrow for the report's.
  std::string compact_table(std::size_t width) const
  {
    const Report& report = m_snapshot.report;
    constexpr std::array k_counters{Counter::requests, Counter::input, Counter::cached_input, Counter::output};
    TextTable table;
    table.headers = report.key_names;
    table.numeric.assign(report.key_names.size(), false);
    for (const Counter c : k_counters) {
      table.headers.emplace_back(k_counter_names[static_cast<std::size_t>(c)].label);
      table.numeric.push_back(true);
    }
    table.headers.emplace_back("total $");
    table.numeric.push_back(true);
    const auto add_row = [&](std::vector<std::string> cells, const Usage& usage, Decimal total) {
      for (const Counter c : k_counters) {
        cells.push_back(format_quantity(usage[c]));
      }
      cells.push_back(format_money(total, m_render.precision));
      table.rows.push_back(std::move(cells));
    };
    for (const ReportRow& row : report.rows) {
      add_row(row.keys, row.usage, row.cost.total());
    }
    std::vector<std::string> total_keys(report.key_names.size());
    if (!total_keys.empty()) {
      total_keys.front() = "total";
    }
    add_row(std::move(total_keys), report.total_usage, report.total_cost.total());
    std::string text = fmt::format("{} ({}; the full table needs a wider terminal)\n\n{}", m_render.title,
                                   report.currency, render_aligned(table, width));
    if (!report.notes.empty()) {
      text += "\nnotes:\n";
      for (const auto& note : report.notes) {
        text += fmt::format("  - {}\n", note);
      }
    }
    return text;
  }

  std::string screen_view() const
  {
    RenderOptions render = m_render;
    const std::size_t width = terminal_columns_of(STDOUT_FILENO);
    render.width = width;
    std::string table = render_report(m_snapshot.report, render);
    // The report's table lines (its notes are prose, cut like any line).
    std::size_t widest = 0;
    for (std::size_t at = 0; at < table.size() && table.compare(at, 6, "notes:") != 0;) {
      const std::size_t end = std::min(table.find('\n', at), table.size());
      widest = std::max(widest, measure_line(table.substr(at, end - at), 0).columns);
      at = end + 1;
    }
    if (width > 0 && widest > width) {
      table = compact_table(width);
    }
    std::vector<std::string> lines;
    lines.push_back(header() + " (q quits)");
    if (!m_watching.empty()) {
      lines.push_back(m_watching);
    }
    for (const auto& part : {table, render_record_summary(m_snapshot.report)}) {
      for (std::size_t at = 0; at < part.size();) {
        const std::size_t end = std::min(part.find('\n', at), part.size());
        lines.push_back(part.substr(at, end - at));
        at = end + 1;
      }
    }
    for (auto& line : live_lines(render.color)) {
      lines.push_back(std::move(line));
    }
    // Redrawn in place: home, each line cleared to its end, the rest erased;
    // never more lines than the screen holds (the terminal would scroll).
    const std::size_t rows = terminal_rows();
    if (lines.size() > rows) {
      const std::size_t hidden = lines.size() - (rows - 1);
      lines.resize(rows - 1);
      lines.push_back(
          fmt::format("({} more line{}: a taller terminal, or fewer --by groups)", hidden, hidden == 1 ? "" : "s"));
    }
    std::string text = "\x1b[H";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      text += fit_line(lines[i], width) + "\x1b[K" + (i + 1 < lines.size() ? "\n" : "");
    }
    return text + "\x1b[J";
  }

  // Writes the view; false when standard output was closed.
  bool show(bool first)
  {
    std::string text;
    if (m_full_screen) {
      text = screen_view();
    } else {
      // Into a pipe, once per change: not again for the same figures at a later time.
      const bool json = m_render.format == OutputFormat::json;
      const std::string body = json ? json_line() : plain_view();
      std::string figures = json ? body : body.substr(body.find('\n')); // the header line holds the time
      if (json) {
        const std::size_t at = figures.find("\"as_of\":");
        figures.erase(at, figures.find(',', at) - at);
      }
      if (!first && figures == m_last_figures) {
        return true;
      }
      m_last_figures = std::move(figures);
      text = (first || writes_to_file(m_o.common) || m_render.format == OutputFormat::json ? "" : "\n") + body;
    }
    emit(m_o.common, m_context, text);
    return writes_to_file(m_o.common) || static_cast<bool>(m_context.out);
  }

  const WatchOptions& m_o;
  Context& m_context;
  std::vector<std::string> m_inputs;
  std::string m_watching;
  Catalog m_catalog;
  UsageFollower m_follower;
  AggregateOptions m_aggregate;
  RenderOptions m_render;
  std::optional<Decimal> m_limit;
  int m_interval_ms = 1000;
  bool m_inotify = false; // else polling at --interval
  bool m_full_screen = false;
  std::vector<std::pair<std::string, std::string>> m_walk_problems;
  std::vector<std::string> m_files; // as last listed
  std::int64_t m_priced_at = 0;     // when the snapshot was last priced
  Snapshot m_snapshot;
  std::string m_last_figures; // what was last written into a pipe, without its time
};

void run_watch_command(const WatchOptions& o, Context& context)
{
  std::vector<std::string> inputs = o.inputs;
  std::string watching;
  if (std::find(inputs.begin(), inputs.end(), "-") != inputs.end()) {
    throw Error(Location{}, "watch follows files, not standard input", "the files or directories to watch");
  }
  if (inputs.empty()) {
    // On a terminal, the agents' logs on this machine; never guessed in a script.
    const auto homes = agent_log_homes_found();
    if (!context.stdout_is_tty || homes.empty()) {
      std::vector<std::string> dirs;
      for (const auto& [agent, dir] : homes) {
        dirs.push_back(dir);
      }
      throw Error(Location{}, "nothing to watch",
                  homes.empty() ? "the usage files or directories to follow; " + usage_log_homes()
                                : fmt::format("the usage files or directories to follow (the agents' logs on a "
                                              "terminal only), e.g. llmcost watch {}",
                                              fmt::join(dirs, " ")));
    }
    std::vector<std::string> said;
    for (const auto& [agent, dir] : homes) {
      inputs.push_back(dir);
      said.push_back(fmt::format("{} ({})", dir, agent));
    }
    watching = fmt::format("watching {}", fmt::join(said, ", "));
    context.err << "llmcost: " << watching << "\n";
  }
  Watcher watcher(o, context, inputs, watching);
  context.exit_code = watcher.run();
}

} // namespace

void setup_watch(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<WatchOptions>();
  cmd.add_option("inputs", options->inputs,
                 "Usage CSVs, JSON traces or agents' logs to follow; directories are followed recursively "
                 "(default on a terminal: the agents' log homes that exist)");
  add_pricing_options(cmd, options->common);
  add_output_options(cmd, options->common, {OutputFormat::table, OutputFormat::json});
  cmd.add_option("--by", options->common.by,
                 fmt::format("Group rows by: {} (comma-separated)", fmt::join(group_by_names(k_group_usage), ", ")));
  cmd.add_option("--interval", options->interval, "Seconds between looks at the files when inotify is not available")
      ->capture_default_str();
  cmd.add_option("--limit", options->limit, "Spend limit (USD) for the bar: warning at 80%, alert at 100%");
  cmd.add_option("--period", options->period,
                 "Spend of the current day, week or month (in --tz), with its projected total")
      ->check(CLI::IsMember({"day", "week", "month"}));
  cmd.add_flag("--exit-on-limit", options->exit_on_limit, "Exit 1 as soon as the spend reaches --limit");
  add_usage_input_options(cmd, options->usage, false);
  // Options of a one-off read that mean nothing to a watch.
  for (const char* name : {"--strict", "--allow-rejects", "--threads", "--quiet", "--allow-empty", "--explain"}) {
    cmd.remove_option(cmd.get_option(name));
  }
  add_request_id_check_option(cmd, options->usage);
  add_model_mapping_options(cmd, options->usage);
  cmd.callback([options, &context]() {
    apply_config(options->common, context);
    run_watch_command(*options, context);
  });
}

} // namespace llmcost::cli
