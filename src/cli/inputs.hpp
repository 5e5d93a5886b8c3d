#pragma once
// Reading usage inputs, shared by the commands that take them: files and
// directories, per-file format detection, and the options that go with them.

#include "cli/config.hpp"
#include "llmcost/aggregator.hpp"
#include "llmcost/date.hpp"
#include "llmcost/ingest.hpp"
#include "llmcost/workload.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llmcost::cli {

struct UsageInputOptions
{
  std::string input_format{k_detect_input_kind};
  std::string source{k_detect_source}; // --source: the tool whose logs the JSON inputs are
  std::vector<std::string> maps;
  bool strict = false; // estimate: off by default; reconcile: on (see add_usage_input_options)
  bool allow_rejects = false;
  std::size_t show_rejects = 5;
  std::string since;
  std::string until;
  std::string tz = "UTC";
  unsigned threads = 0;                   // 0: LLMCOST_THREADS, else the machine's cores
  bool quiet = false;                     // no progress bar
  bool allow_empty = false;               // an input without usage is a note, not an error
  bool explain = false;                   // print how each CSV's columns were read
  bool decimal_comma = false;             // CSV numbers written 0,05 (never guessed)
  std::string check_ids = "auto";         // repeated request ids in tabular exports: auto, all, off
  std::string assume_model;               // --assume-model ROUTE/ID
  std::vector<std::string> model_aliases; // --model-alias FROM=ROUTE/ID
  // --max-line-bytes: a longer line is a rejected record.
  std::size_t max_line_bytes = k_default_max_line_bytes;
};

// `strict_by_default`: reconcile stops at the first bad row unless
// --allow-rejects; estimate counts bad rows unless --strict.
void add_usage_input_options(CLI::App& cmd, UsageInputOptions& options, bool strict_by_default);
// --check-ids, for the commands that total usage (estimate, budget);
// reconcile always checks request ids, as discrepancies.
void add_request_id_check_option(CLI::App& cmd, UsageInputOptions& options);

// --assume-model and --model-alias, for the commands that price records by
// their model (estimate, compare, budget, reconcile).
void add_model_mapping_options(CLI::App& cmd, UsageInputOptions& options);
// Those options, after the config file's (a flag's alias wins over the
// config's for the same name), each target checked on `catalog` (a bare
// id sold by several routes takes --provider, as records do). Without
// --assume-model (or the config's), the default model of a Kimi CLI
// config.toml beside the inputs' sessions (its share directory).
ModelMapping model_mapping(const UsageInputOptions& usage, const std::vector<std::string>& inputs,
                           const Catalog& catalog, const UserConfig& config, const std::string& provider_hint);

// Where the coding agents keep their logs (Kimi CLI, Kimi Code, Claude Code;
// their variables honoured), for the message of a run given no input.
std::string usage_log_homes();

// The agents' log homes that exist on this machine: (agent, directory), as
// usage_log_homes() names them.
std::vector<std::pair<std::string, std::string>> agent_log_homes_found();

// The files the inputs name or hold, as read_inputs reads them (directories
// walked in sorted order; an agent's home: its logs alone), for `watch`: a
// directory without usage files yet is no error. `problems`: (path, why) of
// what a walk could not read.
struct UsageFiles
{
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> problems;
};
UsageFiles list_usage_files(const std::vector<std::string>& inputs);

// Reads every input: usage records go to `sink`; workload specs are appended
// to `workloads` (an error when it is null). Returns true if any usage was read.
bool read_inputs(const std::vector<std::string>& inputs, const UsageInputOptions& options, RecordSink& sink,
                 std::vector<Workload>* workloads, std::ostream& err);

// True when rejected records fail the run: always without --allow-rejects,
// and with it when nothing but rejections was read (it accepts a partial
// total, never an empty one).
bool rejections_fail(const RecordCounts& counts, const UsageInputOptions& options);
// Why they do, for the error line: "3 records rejected" and the way out.
std::string rejections_message(const RecordCounts& counts, const UsageInputOptions& options);

// One workload described by flags (--model, --requests, --input-tokens, ...).
struct InlineWorkloadOptions
{
  std::string name = "inline";
  std::string model;
  std::string requests;
  std::string input_tokens;
  std::string cached_tokens;
  std::string cache_hit_rate;
  std::string output_tokens;
  bool batch = false;
  std::string batch_share;
  std::string web_search_calls;
  std::string search_result_tokens;
  std::string images;
  std::string image_quality;
  std::string image_size;
  std::string video_seconds;
  std::string audio_minutes;
  std::string tts_characters;
  std::string songs;
  std::string music_seconds;
  std::string voices;
  std::string generations;
};
// `with_shares`: also --batch, --batch-share and --cache-hit-rate (compare
// uses those names for its levers).
void add_inline_workload_options(CLI::App& cmd, InlineWorkloadOptions& options, bool with_shares = true);
// Appends the inline workload when --model is given (period: the command's
// --period, may be empty); flags without --model are an error.
void add_inline_workload(const InlineWorkloadOptions& options, const std::string& period,
                         std::vector<Workload>& workloads);

std::optional<Day> date_flag(const std::string& text, const char* flag);
// --since and --until (inclusive days); an inverted window is a usage error.
struct DateWindow
{
  std::optional<Day> since;
  std::optional<Day> until;
};
DateWindow date_window(const UsageInputOptions& usage);

// The aggregator's settings from the recorded-usage options.
AggregateOptions aggregate_options(const UsageInputOptions& usage, const std::string& provider,
                                   const std::vector<std::string>& group_by);

// Numeric flags, parsed exactly; empty text gives nullopt; negative values
// and out-of-range shares are errors naming the flag.
enum class NumberKind {
  amount,  // a decimal, e.g. 500 or 12.50
  count,   // a decimal with an optional k/M/B suffix, e.g. 100k
  share,   // a decimal from 0 to 1
  percent, // a decimal with an optional '%', e.g. 5 or 5%
};
std::optional<Decimal> number_flag(const std::string& text, const char* flag, NumberKind kind);
std::int32_t tz_flag(const std::string& text);

} // namespace llmcost::cli
