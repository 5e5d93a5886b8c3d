#include "llmcost/ingest.hpp"

#include "llmcost/codex_sessions.hpp"
#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/gzip_reader.hpp"
#include "llmcost/usage_jsonl.hpp"
#include "llmcost/workload.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <thread>

namespace llmcost {

std::string display_name(const std::string& path)
{
  return path == "-" ? "<stdin>" : path;
}

InputKind detect_input_kind(std::optional<InputKind> forced, std::string_view start)
{
  if (forced) {
    return *forced;
  }
  if (looks_like_workload_spec(start.substr(0, 1 << 16))) {
    return InputKind::workload;
  }
  if (looks_like_json_objects(start)) {
    return InputKind::jsonl;
  }
  return InputKind::csv;
}

namespace {

struct ReadResult
{
  InputKind kind = InputKind::csv;
  std::uint64_t lines = 0; // newlines read
  std::string stdin_start; // the start of standard input, which cannot be read again
};

constexpr std::size_t k_described_start = 64 * 1024;

// Thrown by a worker that finds a workload spec: it is read in order instead.
struct InOrderOnly
{
};

// UTF-16 text is refused with the fix, not read as a CSV without a model
// column: converting it here would be a second decoder under every reader,
// and iconv does it exactly. Told by its byte order mark, or by NULs in every
// other byte of the start (ASCII text in UTF-16 without a mark).
void refuse_utf16(const std::string& name, std::string_view start)
{
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(start[i]); };
  bool utf16 = start.size() >= 2 && ((byte(0) == 0xff && byte(1) == 0xfe) || (byte(0) == 0xfe && byte(1) == 0xff));
  const std::size_t pairs = std::min<std::size_t>(start.size(), 1024) / 2;
  if (!utf16 && pairs >= 2) {
    std::array<std::size_t, 2> nuls{};
    for (std::size_t i = 0; i < 2 * pairs; ++i) {
      nuls[i % 2] += start[i] == '\0' ? 1 : 0;
    }
    utf16 = (nuls[0] == 0 && 2 * nuls[1] >= pairs) || (nuls[1] == 0 && 2 * nuls[0] >= pairs);
  }
  if (utf16) {
    throw Error(Location{name, 1, 1}, "UTF-16 text: convert to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)",
                "UTF-8 text (CSV or JSON)");
  }
}

// Checks, input by input in order, that each yielded usage (see
// IngestOptions::input_of_file).
class YieldCheck
{
public:
  YieldCheck(const std::vector<std::string>& files, const IngestOptions& options, RecordSink& sink)
    : m_files(files)
    , m_options(options)
    , m_sink(sink)
  {
  }

  // After file `index` was read into the sink, which had `before` records.
  void file_read(std::size_t index, InputKind kind, std::uint64_t before, std::string_view stdin_start)
  {
    const std::size_t input = index < m_options.input_of_file.size() ? m_options.input_of_file[index] : index;
    if (m_current && *m_current != input) {
      input_done();
    }
    m_current = input;
    m_current_file = index;
    if (kind == InputKind::workload || m_sink.records_read() != before) {
      m_yielded = true;
      return;
    }
    const std::string name = display_name(m_files[index]);
    if (kind == InputKind::csv) {
      m_sink.note(fmt::format("{}: a header and no rows (an empty export)", name));
      m_yielded = true;
      return;
    }
    const std::string start =
        m_files[index] == "-" ? std::string(stdin_start) : read_range(m_files[index], 0, k_described_start);
    const JsonInputSummary summary = summarise_json_start(start);
    // Not empty: usage the readers cannot price. --allow-empty does not
    // accept it, or its tokens would leave the total without a word.
    if (!summary.usage_like.empty()) {
      throw Error(Location{name, 1, 1},
                  fmt::format("no usage record read: \"{}\" looks like token usage, in a shape no reader knows ({})",
                              summary.usage_like, describe(summary)),
                  "API responses, batch output, Claude Code logs or OpenTelemetry spans (see JSON TRACES in "
                  "llmcost(1)); leave the file out of the input to price the rest without it");
    }
    if (m_empty_files++ == 0) {
      m_first_empty = name;
      m_first_summary = describe(summary);
    }
  }

  // At the end of the input.
  void finish()
  {
    if (m_current) {
      input_done();
    }
  }

private:
  static std::string describe(const JsonInputSummary& summary)
  {
    std::string out = fmt::format("{} object{} read", summary.objects, summary.objects == 1 ? "" : "s");
    if (!summary.top_types.empty()) {
      out += fmt::format("; types: {}", fmt::join(summary.top_types, ", "));
    }
    out += fmt::format("; keys: {}", summary.keys.empty() ? "none" : fmt::format("{}", fmt::join(summary.keys, ", ")));
    return out;
  }

  void input_done()
  {
    const bool named = !m_options.input_of_file.empty() && *m_current < m_options.input_names.size();
    const std::string input = named ? m_options.input_names[*m_current] : display_name(m_files[m_current_file]);
    if (!m_yielded) {
      const std::string what =
          m_empty_files == 1 && m_first_empty == input
              ? fmt::format("no usage record read ({})", m_first_summary)
              : fmt::format("no usage record read from its {} file{} (first: {}: {})", m_empty_files,
                            m_empty_files == 1 ? "" : "s", m_first_empty, m_first_summary);
      if (!m_options.allow_empty) {
        throw Error(Location{input}, what,
                    "a usage export (CSV) or JSON traces with token usage (see JSON TRACES in llmcost(1)); "
                    "--allow-empty to accept an input without usage");
      }
      m_sink.note(fmt::format("{}: {}", input, what));
    } else if (m_empty_files > 0) {
      m_sink.note(fmt::format("{}: {} file{} without token usage (first: {})", input, m_empty_files,
                              m_empty_files == 1 ? "" : "s", m_first_empty));
    }
    m_yielded = false;
    m_empty_files = 0;
    m_first_empty.clear();
    m_first_summary.clear();
  }

  const std::vector<std::string>& m_files;
  const IngestOptions& m_options;
  RecordSink& m_sink;
  std::optional<std::size_t> m_current;
  std::size_t m_current_file = 0;
  bool m_yielded = false;
  std::size_t m_empty_files = 0;
  std::string m_first_empty;
  std::string m_first_summary;
};

// Reads one file, or the byte range [begin, end) of it, into `sink`; its kind
// is detected from its start unless given. `header`: the CSV's columns when
// the range starts after the header.
ReadResult read_one_unguarded(const std::string& path, std::optional<InputKind> kind, const IngestOptions& options,
                              RecordSink& sink, const WorkloadHandler& on_workload, std::uint64_t begin,
                              const UsageCsvReader* header, BlockReader& reader)
{
  const std::string name = display_name(path);
  // Until the kind is known, a long line cannot be a record: it is an error.
  bool line_is_record = false;
  const std::string too_long = fmt::format("line longer than {} bytes", options.max_line_bytes);
  reader.limit_lines(options.max_line_bytes, [&](std::size_t line) {
    if (!line_is_record) {
      throw Error(Location{name, line}, too_long, "shorter lines, or a larger --max-line-bytes");
    }
    sink.reject(Location{name, line}, "line too long", too_long + " (read past; --max-line-bytes raises the limit)");
  });
  const bool start_of_file = begin == 0;
  if (start_of_file) {
    refuse_utf16(name, reader.peek());
  }
  ReadResult result;
  result.kind = kind ? *kind : detect_input_kind(options.input_kind, reader.peek());
  if (path == "-") {
    result.stdin_start = reader.peek().substr(0, k_described_start);
  }
  switch (result.kind) {
  case InputKind::workload: {
    // Workload specs are small and read whole.
    std::string text;
    reader.run([&](std::string_view piece, std::size_t, bool at_end) {
      if (!at_end) {
        return std::size_t{0};
      }
      text.assign(piece);
      return piece.size();
    });
    on_workload(name, text);
    break;
  }
  case InputKind::csv: {
    if (options.source) {
      throw Error(Location{name, 1, 1}, fmt::format("a CSV export, not a {}", describe(*options.source)),
                  fmt::format("only {} files with --source {}, or leave --source out", describe(*options.source),
                              to_string(*options.source)));
    }
    std::optional<UsageCsvReader> csv;
    if (header != nullptr) {
      csv.emplace(*header, sink);
    } else {
      csv.emplace(name, options.maps, sink, options.decimal_comma);
    }
    // Told also when the header is refused (--explain shows why).
    const auto tell_columns = [&] {
      if (header == nullptr && options.on_columns && !csv->columns().empty()) {
        options.on_columns(name, csv->columns());
      }
    };
    try {
      reader.run([&](std::string_view piece, std::size_t line, bool at_end) -> BlockReader::Taken {
        line_is_record = !csv->columns().empty(); // a header is never skipped
        std::size_t newlines = 0;
        const std::size_t taken = csv->feed(piece, line, at_end, &newlines);
        if (options.progress && taken > 0) {
          options.progress(taken);
        }
        return {taken, newlines};
      });
      csv->finish();
    } catch (...) {
      tell_columns();
      throw;
    }
    tell_columns();
    break;
  }
  case InputKind::jsonl: {
    // JSONL is read line by line (a piece of a file always is JSONL);
    // pretty-printed objects are read whole.
    const bool by_line = !start_of_file || is_json_lines(reader.peek());
    if (start_of_file && reader.peek().empty()) {
      throw Error(Location{name, 1, 1}, "empty input", "JSON objects, one per line");
    }
    line_is_record = by_line; // else the whole document is one record
    CodexContext codex;       // a rollout's model, from lines in earlier blocks
    reader.run([&](std::string_view piece, std::size_t line, bool at_end) -> BlockReader::Taken {
      const std::size_t whole = at_end ? piece.size() : by_line ? cut_after_last_line(piece) : 0;
      if (whole == 0) {
        return 0;
      }
      const std::size_t newlines =
          read_usage_jsonl(piece.substr(0, whole), name, sink, line, by_line, start_of_file, options.source, &codex);
      if (options.progress) {
        options.progress(whole);
      }
      return {whole, newlines};
    });
    break;
  }
  }
  result.lines = reader.lines_consumed();
  return result;
}

// read_one_unguarded, where every failure names the input: no input can end
// a run with an "internal error" that says neither where nor why.
ReadResult read_one(const std::string& path, std::optional<InputKind> kind, const IngestOptions& options,
                    RecordSink& sink, const WorkloadHandler& on_workload, std::uint64_t begin = 0,
                    std::uint64_t end = BlockReader::k_to_end, const UsageCsvReader* header = nullptr)
{
  BlockReader reader(path, options.block_size, begin, end);
  try {
    return read_one_unguarded(path, kind, options, sink, on_workload, begin, header, reader);
  } catch (const Error&) {
    throw;
  } catch (const InOrderOnly&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(Location{display_name(path), reader.lines_consumed() + 1}, "out of memory reading this input",
                "a smaller --max-line-bytes, or fewer --threads");
  } catch (const std::overflow_error&) {
    throw; // an amount out of range: the caller's to report
  } catch (const std::exception& e) {
    throw Error(Location{display_name(path), reader.lines_consumed() + 1},
                fmt::format("cannot read this input: {}", e.what()));
  }
}

// The first line start at or after `offset` (a line start is just after a
// newline), or nothing before `limit`.
std::optional<std::uint64_t> next_line_start(const std::string& path, std::uint64_t offset, std::uint64_t limit)
{
  constexpr std::size_t k_probe = 64 * 1024;
  for (std::uint64_t at = offset - 1; at < limit; at += k_probe) {
    const std::string bytes = read_range(path, at, k_probe);
    const std::size_t newline = bytes.find('\n');
    if (newline != std::string::npos) {
      const std::uint64_t start = at + newline + 1;
      return start < limit ? std::optional(start) : std::nullopt;
    }
    if (bytes.size() < k_probe) {
      break;
    }
  }
  return std::nullopt;
}

struct Piece
{
  std::size_t file = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = BlockReader::k_to_end;
  // Filled in by the worker.
  std::unique_ptr<RecordSink> sink;
  std::uint64_t lines = 0;
  bool failed = false;
  InputKind kind = InputKind::csv; // as the worker found it
};

struct FilePlan
{
  std::string path;
  std::optional<InputKind> kind;          // unknown for a small file: its reader detects it
  bool parallel = false;                  // read by workers; else in order on this thread
  std::unique_ptr<UsageCsvReader> header; // CSV cut into pieces: the columns
  std::uint64_t header_lines = 0;
  std::vector<std::size_t> pieces;
};

// How to read one file: whole on a worker, cut into pieces, or in order here.
FilePlan plan_file(const std::string& path, const IngestOptions& options, RecordSink& sink, std::vector<Piece>& pieces,
                   std::size_t file_index)
{
  FilePlan plan;
  plan.path = path;
  const auto size = regular_file_size(path);
  if (!size) {
    return plan; // standard input or a pipe: read in order
  }
  if (*size < 2 * options.min_piece || is_gzip_file(path)) {
    // Read whole on a worker, which tells its format: a tree of many small
    // files is not first read here one start at a time. A gzip file cannot
    // be cut: its pieces are known only by inflating all before them.
    plan.parallel = true;
    plan.pieces.push_back(pieces.size());
    pieces.push_back(Piece{file_index, 0, BlockReader::k_to_end, nullptr, 0, false, InputKind::csv});
    return plan;
  }
  const std::string start = read_range(path, 0, 64 * 1024);
  const bool whole_in_start = start.size() == *size;
  plan.kind = detect_input_kind(options.input_kind, start);
  if (plan.kind == InputKind::workload) {
    return plan;
  }
  std::uint64_t data_begin = 0;
  bool splittable = true;
  if (plan.kind == InputKind::jsonl) {
    // A Codex rollout's lines need its earlier ones (codex_sessions.hpp).
    splittable = splittable && is_json_lines(start) && !is_codex_rollout(start);
  } else if (splittable) {
    try {
      auto header = std::make_unique<UsageCsvReader>(display_name(path), options.maps, sink, options.decimal_comma);
      data_begin = header->feed_header(start, whole_in_start);
      if (data_begin > 0 && options.on_columns) {
        options.on_columns(display_name(path), header->columns());
      }
      plan.header_lines = static_cast<std::uint64_t>(
          std::count(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(data_begin), '\n'));
      plan.header = std::move(header);
      splittable = data_begin > 0;
    } catch (const Error&) {
      splittable = false; // reported in order by the single pass
    }
  }
  plan.parallel = true;
  if (!splittable) {
    plan.pieces.push_back(pieces.size());
    pieces.push_back(Piece{file_index, 0, BlockReader::k_to_end, nullptr, 0, false, InputKind::csv});
    plan.header.reset();
    return plan;
  }
  const std::uint64_t data = *size - data_begin;
  const std::uint64_t count =
      std::max<std::uint64_t>(1, std::min<std::uint64_t>(data / options.min_piece, 4 * options.threads));
  std::uint64_t begin = data_begin;
  for (std::uint64_t i = 1; i <= count; ++i) {
    std::optional<std::uint64_t> end =
        i == count ? std::optional<std::uint64_t>(*size)
                   : next_line_start(path, std::max(begin + 1, data_begin + data * i / count), *size);
    if (!end) {
      end = *size;
      i = count;
    }
    plan.pieces.push_back(pieces.size());
    pieces.push_back(Piece{file_index, begin, *end, nullptr, 0, false, InputKind::csv});
    begin = *end;
  }
  return plan;
}

bool ingest_in_order(const std::vector<std::string>& files, const IngestOptions& options, RecordSink& sink,
                     const WorkloadHandler& on_workload, YieldCheck& yield)
{
  bool any_usage = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::uint64_t before = sink.records_read();
    const ReadResult read = read_one(files[i], std::nullopt, options, sink, on_workload);
    any_usage = read.kind != InputKind::workload || any_usage;
    yield.file_read(i, read.kind, before, read.stdin_start);
  }
  return any_usage;
}

bool ingest_in_parallel(const std::vector<std::string>& files, const IngestOptions& options, RecordSink& sink,
                        const WorkloadHandler& on_workload, YieldCheck& yield)
{
  bool any_usage = false;
  std::vector<Piece> pieces;
  std::vector<FilePlan> plans;
  for (std::size_t i = 0; i < files.size(); ++i) {
    plans.push_back(plan_file(files[i], options, sink, pieces, i));
  }

  // Pieces are read into forks by whichever thread takes them next, the
  // calling one included. The thread that completes the next file in input
  // order joins it (and any complete ones after it) into `sink`, one joiner
  // at a time: forks do not pile up waiting, and no thread is kept just to
  // join (with two cores, a third thread took time from the readers).
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<char> done(pieces.size(), 0); // guarded by mutex, as are the three below
  std::size_t next_plan = 0;
  bool joining = false;
  std::exception_ptr failure;

  // A file in order on `sink`: its forks joined, or read again here when it
  // could not be read in parallel (the error, if any, is then reported exactly).
  auto join_plan = [&](std::size_t file_index) {
    const FilePlan& plan = plans[file_index];
    const std::uint64_t before = sink.records_read();
    bool failed = std::any_of(plan.pieces.begin(), plan.pieces.end(), [&](std::size_t i) { return pieces[i].failed; });
    if (plan.parallel && !failed) {
      std::vector<RecordSink*> later;
      for (const std::size_t i : plan.pieces) {
        later.push_back(pieces[i].sink.get());
      }
      failed = !sink.admit(later); // a response also in an earlier piece or file: one pass decides
    }
    if (!plan.parallel || failed) {
      for (const std::size_t i : plan.pieces) {
        pieces[i].sink.reset();
      }
      const ReadResult read = read_one(plan.path, plan.kind, options, sink, on_workload);
      any_usage = read.kind != InputKind::workload || any_usage;
      yield.file_read(file_index, read.kind, before, read.stdin_start);
      return;
    }
    any_usage = true;
    std::uint64_t line_offset = plan.header_lines;
    for (const std::size_t i : plan.pieces) {
      sink.join(*pieces[i].sink, line_offset);
      line_offset += pieces[i].lines;
      pieces[i].sink.reset();
    }
    yield.file_read(file_index, plan.kind ? *plan.kind : pieces[plan.pieces.front()].kind, before, {});
  };
  // Called by the thread that took the joiner's role; gives it up when the
  // next file in order is not complete yet (whoever completes it takes over).
  auto join_ready = [&] {
    while (true) {
      std::size_t plan = 0;
      {
        const std::lock_guard lock(mutex);
        const bool ready = !failure && next_plan < plans.size() &&
                           std::all_of(plans[next_plan].pieces.begin(), plans[next_plan].pieces.end(),
                                       [&](std::size_t i) { return done[i] != 0; });
        if (!ready) {
          joining = false;
          return;
        }
        plan = next_plan;
      }
      try {
        join_plan(plan);
      } catch (...) {
        const std::lock_guard lock(mutex);
        failure = std::current_exception();
        next = pieces.size(); // hand out nothing more
        joining = false;
        return;
      }
      const std::lock_guard lock(mutex);
      ++next_plan;
    }
  };
  auto work = [&] {
    for (std::size_t i = next++; i < pieces.size(); i = next++) {
      Piece& piece = pieces[i];
      const FilePlan& plan = plans[piece.file];
      try {
        piece.sink = sink.fork();
        // A workload spec is read in order, by the joiner.
        const WorkloadHandler in_order = [](const std::string&, const std::string&) { throw InOrderOnly{}; };
        const ReadResult read =
            read_one(plan.path, plan.kind, options, *piece.sink, in_order, piece.begin, piece.end, plan.header.get());
        piece.lines = read.lines;
        piece.kind = read.kind;
        piece.sink->input_read();
      } catch (...) {
        piece.failed = true; // read again in order, where the error is reported
        piece.sink.reset();
      }
      bool join = false;
      {
        const std::lock_guard lock(mutex);
        done[i] = 1;
        join = !joining;
        joining = true;
      }
      if (join) {
        join_ready();
      }
    }
  };
  struct Workers
  {
    std::vector<std::thread> threads;
    std::atomic<std::size_t>& next;
    std::size_t end;
    ~Workers()
    {
      next = end; // on an error here, hand out nothing more and wait for the rest
      for (auto& thread : threads) {
        thread.join();
      }
    }
  } workers{{}, next, pieces.size()};
  const unsigned count =
      std::min<unsigned>(options.threads, static_cast<unsigned>(std::max<std::size_t>(1, pieces.size())));
  for (unsigned t = 1; t < count; ++t) {
    workers.threads.emplace_back(work);
  }
  work();
  for (auto& thread : workers.threads) {
    thread.join();
  }
  workers.threads.clear();
  // What is left: files without pieces (standard input, workload specs) at the end.
  {
    const std::lock_guard lock(mutex);
    joining = true;
  }
  join_ready();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return any_usage;
}

} // namespace

bool ingest_usage(const std::vector<std::string>& files, const IngestOptions& options, RecordSink& sink,
                  const WorkloadHandler& on_workload)
{
  YieldCheck yield(files, options, sink);
  const bool any_usage = options.threads <= 1 || sink.fork() == nullptr
                             ? ingest_in_order(files, options, sink, on_workload, yield)
                             : ingest_in_parallel(files, options, sink, on_workload, yield);
  yield.finish();
  return any_usage;
}

} // namespace llmcost
