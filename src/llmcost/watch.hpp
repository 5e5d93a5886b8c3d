#pragma once
// Following usage files as they grow (`llmcost watch`): each file is tracked
// by device, inode and the offset of the whole lines read so far; what its
// readers produced is kept as calls to a RecordSink, so a fresh aggregator
// replays them and prices exactly what `estimate` would on the same bytes.
// A file that is truncated, replaced (rotated) or rewritten is read again
// from its start, its earlier calls dropped: nothing counts twice. A last
// line without its newline waits for it. No terminal code here.

#include "llmcost/ingest.hpp"
#include "llmcost/usage.hpp"
#include "llmcost/usage_csv.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmcost {

struct FollowOptions
{
  std::optional<InputKind> input_kind; // none: detected per file
  std::optional<TraceSource> source;
  ColumnMap maps;
  bool decimal_comma = false;
  std::size_t max_line_bytes = k_default_max_line_bytes;
};

// A file that could not be read as it is now; its records are left out
// until it changes.
struct FollowProblem
{
  std::string file;
  std::string message;
};

class UsageFollower
{
public:
  explicit UsageFollower(FollowOptions options);
  ~UsageFollower();
  UsageFollower(const UsageFollower&) = delete;
  UsageFollower& operator=(const UsageFollower&) = delete;

  // Makes `files` (in this order) the followed set and reads what each
  // gained since the last call. Returns true when what replay() gives changed.
  bool update(const std::vector<std::string>& files);

  // Sends every call the readers made, file by file in order, to `sink`
  // (its notes too). With `keep`, only the records it accepts (no
  // rejections or skipped lines): the usage of a time window.
  void replay(RecordSink& sink, const std::function<bool(const UsageRecord&)>& keep = {}) const;

  const std::vector<FollowProblem>& problems() const { return m_problems; }
  // Files whose last bytes are a line still without its newline.
  std::vector<std::string> unfinished() const;
  // Files read whose whole lines yielded no record (no usage, or not yet).
  std::vector<std::string> without_records() const;
  std::size_t file_count() const { return m_files.size(); }

  struct File; // one followed file (watch.cpp)

private:
  FollowOptions m_options;
  std::vector<std::unique_ptr<File>> m_files; // in the order of the last update()
  std::vector<FollowProblem> m_problems;
};

// Tells when a followed directory or file may have changed: inotify where the
// system has it, else nothing (the caller polls at its interval).
class ChangeNotifier
{
public:
  ChangeNotifier();
  ~ChangeNotifier();
  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;

  // Watches each directory (and its subdirectories) and the directory of
  // each file; call again after a scan to take in new subdirectories. False
  // when inotify is not available or ran out of watches (then poll).
  bool watch(const std::vector<std::string>& paths);
  // The descriptor to poll for events; -1 without inotify.
  int fd() const { return m_fd; }
  // Reads the pending events; true when there were any.
  bool drain();

private:
  int m_fd = -1;
  bool m_failed = false;
  std::vector<std::string> m_watched; // sorted
};

} // namespace llmcost
