#include "llmcost/watch.hpp"

#include "llmcost/codex_sessions.hpp"
#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/gzip_reader.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/inotify.h>
#endif

namespace llmcost {

namespace {

// Copies of the text a record points into (its line is gone once read),
// in blocks whose addresses never move.
class TextArena
{
public:
  std::string_view keep(std::string_view text)
  {
    if (text.empty()) {
      return {};
    }
    if (m_blocks.empty() || m_used + text.size() > m_size) {
      m_size = std::max(k_block, text.size());
      m_blocks.push_back(std::make_unique<char[]>(m_size));
      m_used = 0;
    }
    char* at = m_blocks.back().get() + m_used;
    std::copy(text.begin(), text.end(), at);
    m_used += text.size();
    return {at, text.size()};
  }

private:
  static constexpr std::size_t k_block = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> m_blocks;
  std::size_t m_size = 0;
  std::size_t m_used = 0;
};

// The calls readers make on a sink, kept to be replayed in order.
class Recording : public RecordSink
{
public:
  explicit Recording(std::string_view file)
    : m_file(file)
  {
  }

  void record(const UsageRecord& r) override { add(Kind::record, r); }
  void record_billed_line(const UsageRecord& r) override { add(Kind::billed_line, r); }
  void record_once(const std::string& key, const UsageRecord& r) override { add(Kind::once, r).key = key; }
  void record_response(const ResponseKey& key, const UsageRecord& r) override { add(Kind::response, r).response = key; }
  void reject(const Location& where, const std::string& category, const std::string& detail) override
  {
    ++m_read;
    Call& call = m_calls.emplace_back();
    call.kind = Kind::rejected;
    call.rejection = m_rejections.size();
    m_rejections.push_back(Rejected{where, category, detail});
  }
  void skip(const std::string& reason) override { ++m_skipped[reason]; }
  std::uint64_t records_read() const override { return m_read; }

  void replay(RecordSink& sink, const std::function<bool(const UsageRecord&)>& keep) const
  {
    for (const Call& call : m_calls) {
      if (call.kind == Kind::rejected) {
        if (!keep) {
          const Rejected& rejected = m_rejections[call.rejection];
          sink.reject(rejected.where, rejected.category, rejected.detail);
        }
        continue;
      }
      if (keep && !keep(call.record)) {
        continue;
      }
      switch (call.kind) {
      case Kind::record:
        sink.record(call.record);
        break;
      case Kind::billed_line:
        sink.record_billed_line(call.record);
        break;
      case Kind::once:
        sink.record_once(call.key, call.record);
        break;
      case Kind::response:
        sink.record_response(call.response, call.record);
        break;
      case Kind::rejected:
        break;
      }
    }
    if (keep) {
      return;
    }
    for (const auto& [reason, count] : m_skipped) {
      for (std::uint64_t i = 0; i < count; ++i) {
        sink.skip(reason);
      }
    }
    for (const auto& text : input_notes()) {
      sink.note(text);
    }
  }

private:
  enum class Kind { record, billed_line, once, response, rejected };
  struct Call
  {
    Kind kind = Kind::record;
    UsageRecord record;
    std::string key; // record_once's
    ResponseKey response;
    std::size_t rejection = 0; // into m_rejections
  };
  struct Rejected
  {
    Location where;
    std::string category;
    std::string detail;
  };

  Call& add(Kind kind, const UsageRecord& r)
  {
    ++m_read;
    UsageRecord kept = r;
    kept.where.file = m_file; // the followed file's name outlives the reader's
    kept.provider = m_text.keep(r.provider);
    kept.model = m_text.keep(r.model);
    kept.request_id = m_text.keep(r.request_id);
    kept.project = m_text.keep(r.project);
    kept.key = m_text.keep(r.key);
    kept.session = m_text.keep(r.session);
    Call& added = m_calls.emplace_back();
    added.kind = kind;
    added.record = kept;
    return added;
  }

  std::string_view m_file;
  std::vector<Call> m_calls;
  std::vector<Rejected> m_rejections;
  std::map<std::string, std::uint64_t> m_skipped;
  std::uint64_t m_read = 0;
  TextArena m_text;
};

// The bytes kept from before a file's offset: when they are not there any
// more, the file was rewritten and is read again from its start.
constexpr std::size_t k_tail_bytes = 64;
// Bytes read at a time from a growing file.
constexpr std::size_t k_chunk = std::size_t{1} << 20;
// The start read to tell a file's kind.
constexpr std::size_t k_detect_bytes = 64 * 1024;

} // namespace

struct UsageFollower::File
{
  // How the file is read: line by line from its offset (JSONL, CSV), or,
  // for what cannot be read from the middle (gzip, pretty-printed JSON,
  // UTF-16 to refuse), whole again by ingest_usage each time it changes.
  enum class Mode { undecided, jsonl, csv, whole };

  explicit File(std::string file_path)
    : path(std::move(file_path))
    , name(display_name(path))
  {
    reset();
  }

  void reset()
  {
    csv.reset(); // it refers to the recording
    recording = std::make_unique<Recording>(name);
    mode = Mode::undecided;
    offset = 0;
    line = 1;
    tail.clear();
    skipping_long_line = false;
    unfinished = false;
    codex = CodexContext{};
  }

  std::string path;
  std::string name;
  dev_t device = 0;
  ino_t inode = 0;
  std::uint64_t seen_size = 0;
  std::int64_t seen_mtime_ns = -1;
  Mode mode = Mode::undecided;
  std::uint64_t offset = 0; // the bytes read: whole lines (records, for CSV)
  std::size_t line = 1;     // the line that starts at `offset`
  std::string tail;         // the bytes just before `offset`
  bool skipping_long_line = false;
  bool unfinished = false; // bytes after `offset` wait for their newline
  std::unique_ptr<Recording> recording;
  std::unique_ptr<UsageCsvReader> csv;
  CodexContext codex; // a Codex rollout's model and session, from lines read before
  std::optional<std::string> problem;
};

namespace {

using File = UsageFollower::File;

// Decides how to read a new file from its start; stays undecided while it
// holds no whole line.
void decide_mode(File& f, const FollowOptions& options)
{
  const std::string start = read_range(f.path, 0, k_detect_bytes);
  if (start.empty()) {
    return;
  }
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(start[i]); };
  const bool gzip = start.size() >= 2 && byte(0) == 0x1f && byte(1) == 0x8b;
  // NUL bytes: UTF-16, which ingest refuses with the fix.
  const bool nul = start.find('\0') != std::string::npos;
  if (gzip || nul) {
    f.mode = File::Mode::whole;
    return;
  }
  const std::size_t whole = cut_after_last_line(start);
  if (whole == 0 && start.size() < k_detect_bytes) {
    return; // not one whole line yet
  }
  const std::string_view lines = whole == 0 ? std::string_view(start) : std::string_view(start).substr(0, whole);
  switch (detect_input_kind(options.input_kind, lines)) {
  case InputKind::workload:
    throw Error(Location{f.name, 1, 1}, "a workload spec, not recorded usage",
                "a usage export (CSV) or JSON traces with billed amounts");
  case InputKind::csv:
    if (options.source) {
      throw Error(Location{f.name, 1, 1}, fmt::format("a CSV export, not a {}", describe(*options.source)),
                  fmt::format("only {} files with --source {}, or leave --source out", describe(*options.source),
                              to_string(*options.source)));
    }
    f.mode = File::Mode::csv;
    f.csv = std::make_unique<UsageCsvReader>(f.name, options.maps, *f.recording, options.decimal_comma);
    return;
  case InputKind::jsonl:
    f.mode = is_json_lines(lines) ? File::Mode::jsonl : File::Mode::whole;
    return;
  }
}

// Reads the whole lines of [f.offset, size) into the recording.
void read_lines(File& f, std::uint64_t size, const FollowOptions& options)
{
  std::size_t want = k_chunk;
  while (f.offset < size) {
    const std::uint64_t left = size - f.offset;
    if (f.skipping_long_line) {
      // Past a line longer than the limit, to its newline, holding none of it.
      const std::string bytes =
          read_range(f.path, f.offset, static_cast<std::size_t>(std::min<std::uint64_t>(left, k_chunk)));
      const std::size_t newline = bytes.find('\n');
      if (bytes.empty()) {
        break;
      }
      if (newline == std::string::npos) {
        f.offset += bytes.size();
        continue;
      }
      f.offset += newline + 1;
      ++f.line;
      f.skipping_long_line = false;
      continue;
    }
    const std::string text =
        read_range(f.path, f.offset, static_cast<std::size_t>(std::min<std::uint64_t>(left, want)));
    if (text.empty()) {
      break; // shrank under us: the next update reads it again
    }
    std::size_t taken = 0;
    std::size_t newlines = 0;
    if (f.mode == File::Mode::jsonl) {
      taken = cut_after_last_line(text);
      if (taken > 0) {
        newlines = read_usage_jsonl(std::string_view(text).substr(0, taken), f.name, *f.recording, f.line, true,
                                    f.offset == 0, options.source, &f.codex);
      }
    } else {
      taken = f.csv->feed(text, f.line, false, &newlines);
    }
    if (taken == 0) {
      if (text.size() >= options.max_line_bytes) {
        const std::string too_long = fmt::format("line longer than {} bytes", options.max_line_bytes);
        if (f.mode == File::Mode::csv && f.offset == 0) {
          throw Error(Location{f.name, f.line}, too_long, "shorter lines, or a larger --max-line-bytes");
        }
        f.recording->reject(Location{f.name, f.line}, "line too long",
                            too_long + " (read past; --max-line-bytes raises the limit)");
        f.skipping_long_line = true;
        continue;
      }
      if (text.size() == left) {
        break; // a line still being written
      }
      want *= 2;
      continue;
    }
    f.offset += taken;
    f.line += newlines;
    want = k_chunk;
  }
  f.unfinished = f.offset < size && !f.skipping_long_line;
  const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(f.offset, k_tail_bytes));
  f.tail = keep == 0 ? std::string() : read_range(f.path, f.offset - keep, keep);
}

// Reads a file that cannot be followed line by line, whole, as estimate does.
void read_whole(File& f, const FollowOptions& options)
{
  IngestOptions ingest;
  ingest.input_kind = options.input_kind;
  ingest.source = options.source;
  ingest.maps = options.maps;
  ingest.decimal_comma = options.decimal_comma;
  ingest.max_line_bytes = options.max_line_bytes;
  ingest.allow_empty = true; // a file of a watched directory may hold no usage (yet)
  ingest_usage({f.path}, ingest, *f.recording, [&](const std::string& name, const std::string&) {
    throw Error(Location{name, 1, 1}, "a workload spec, not recorded usage",
                "a usage export (CSV) or JSON traces with billed amounts");
  });
}

} // namespace

UsageFollower::UsageFollower(FollowOptions options)
  : m_options(std::move(options))
{
}

UsageFollower::~UsageFollower() = default;

bool UsageFollower::update(const std::vector<std::string>& files)
{
  bool changed = false;
  std::map<std::string, std::unique_ptr<File>> known;
  for (auto& f : m_files) {
    known.emplace(f->path, std::move(f));
  }
  changed = known.size() != files.size();
  std::vector<std::unique_ptr<File>> next;
  for (const std::string& path : files) {
    auto found = known.find(path);
    std::unique_ptr<File> f;
    if (found != known.end()) {
      f = std::move(found->second);
      known.erase(found);
    } else {
      f = std::make_unique<File>(path);
      changed = true;
    }
    try {
      struct stat st
      {
      };
      if (::stat(path.c_str(), &st) != 0) {
        const int error = errno;
        f->reset();
        f->seen_mtime_ns = -1;
        throw Error(Location{f->name}, fmt::format("cannot read: {}", std::strerror(error)));
      }
      const auto size = static_cast<std::uint64_t>(st.st_size);
      const std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      const bool same_file = st.st_dev == f->device && st.st_ino == f->inode;
      if (same_file && size == f->seen_size && mtime_ns == f->seen_mtime_ns) {
        next.push_back(std::move(f));
        continue; // unchanged since the last look (a problem stays until it changes)
      }
      const bool had_records = f->recording->records_read() > 0 || f->problem.has_value();
      // Another file under the name (rotated), cut shorter (truncated), or
      // other bytes where the last ones read were (rewritten): from the start.
      bool again = !same_file || size < f->offset || f->problem.has_value() || f->mode == File::Mode::whole;
      if (!again && f->offset > 0 && read_range(path, f->offset - f->tail.size(), f->tail.size()) != f->tail) {
        again = true;
      }
      if (again) {
        f->reset();
        changed = changed || had_records;
      }
      f->device = st.st_dev;
      f->inode = st.st_ino;
      f->seen_size = size;
      f->seen_mtime_ns = mtime_ns;
      f->problem.reset();
      const std::uint64_t before = f->recording->records_read();
      const std::uint64_t offset_before = f->offset;
      if (f->mode == File::Mode::undecided) {
        decide_mode(*f, m_options);
      }
      if (f->mode == File::Mode::whole) {
        read_whole(*f, m_options);
        changed = true;
      } else if (f->mode != File::Mode::undecided) {
        read_lines(*f, size, m_options);
      } else {
        f->unfinished = size > 0;
      }
      changed = changed || f->recording->records_read() != before || f->offset != offset_before;
    } catch (const Error& e) {
      f->reset();
      f->problem = e.what();
      changed = true;
    }
    next.push_back(std::move(f));
  }
  changed = changed || !known.empty();
  m_files = std::move(next);
  m_problems.clear();
  for (const auto& f : m_files) {
    if (f->problem) {
      m_problems.push_back({f->name, *f->problem});
    }
  }
  return changed;
}

void UsageFollower::replay(RecordSink& sink, const std::function<bool(const UsageRecord&)>& keep) const
{
  for (const auto& f : m_files) {
    f->recording->replay(sink, keep);
  }
}

std::vector<std::string> UsageFollower::unfinished() const
{
  std::vector<std::string> names;
  for (const auto& f : m_files) {
    if (f->unfinished) {
      names.push_back(f->name);
    }
  }
  return names;
}

std::vector<std::string> UsageFollower::without_records() const
{
  std::vector<std::string> names;
  for (const auto& f : m_files) {
    if (f->offset > 0 && f->recording->records_read() == 0 && !f->problem) {
      names.push_back(f->name);
    }
  }
  return names;
}

ChangeNotifier::ChangeNotifier()
{
#if defined(__linux__)
  m_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#endif
}

ChangeNotifier::~ChangeNotifier()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

bool ChangeNotifier::watch(const std::vector<std::string>& paths)
{
#if defined(__linux__)
  if (m_fd < 0 || m_failed) {
    return false;
  }
  namespace fs = std::filesystem;
  std::vector<std::string> dirs;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      // A file: its directory, to see it replaced, created or removed.
      const fs::path parent = fs::path(path).parent_path();
      dirs.push_back(parent.empty() ? std::string(".") : parent.string());
      continue;
    }
    dirs.push_back(path);
    // Links to directories are not followed, as the walk of the inputs does not.
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
        dirs.push_back(it->path().string());
      }
    }
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  constexpr std::uint32_t k_mask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                   IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  for (const std::string& dir : dirs) {
    if (std::binary_search(m_watched.begin(), m_watched.end(), dir)) {
      continue;
    }
    if (inotify_add_watch(m_fd, dir.c_str(), k_mask) < 0) {
      if (errno == ENOSPC || errno == ENOMEM) {
        m_failed = true; // out of watches: the caller polls
        return false;
      }
      continue; // gone, or unreadable: the scan says so
    }
    m_watched.insert(std::upper_bound(m_watched.begin(), m_watched.end(), dir), dir);
  }
  return true;
#else
  (void)paths;
  return false;
#endif
}

bool ChangeNotifier::drain()
{
  if (m_fd < 0) {
    return false;
  }
  bool any = false;
  alignas(8) char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    any = true;
  }
  // A removed directory's watch goes with it; forget them all, to be added
  // again by the next watch().
  if (any) {
    m_watched.clear();
  }
  return any;
}

} // namespace llmcost
