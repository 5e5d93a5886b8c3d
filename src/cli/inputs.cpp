// Reading usage inputs (see inputs.hpp).

#include "cli/inputs.hpp"

#include "cli/progress.hpp"

#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/ingest.hpp"
#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"
#include "llmcost/usage_csv.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace llmcost::cli {

namespace {

// A path a directory walk could not read, with why.
struct WalkProblem
{
  std::string path;
  std::string problem;
};

// A usage file in a directory: *.csv, *.json, *.jsonl, or one of them
// gzip-compressed (*.csv.gz, ...).
bool is_usage_file_name(std::filesystem::path path)
{
  if (path.extension() == ".gz") {
    path = path.stem();
  }
  const auto ext = path.extension();
  return ext == ".csv" || ext == ".json" || ext == ".jsonl";
}

// The home directories of the coding agents whose logs llmcost reads: the
// folder of logs under them, files there that mark them, the logs' name
// (empty: every *.jsonl), the default under $HOME and the variable that moves it.
struct LogHome
{
  std::string_view agent;
  std::string_view logs;
  std::array<std::string_view, 3> markers;
  std::string_view file;
  std::string_view default_dir;
  const char* variable;
};
// Codex first: its home has a config.toml too, which marks Kimi CLI's.
constexpr std::array<LogHome, 4> k_log_homes = {{
    {"Codex CLI", "sessions", {".codex", "version.json", "auth.json"}, "", ".codex", "CODEX_HOME"},
    {"Kimi CLI", "sessions", {"config.toml", "kimi.json", ""}, "wire.jsonl", ".kimi", "KIMI_SHARE_DIR"},
    {"Kimi Code", "sessions", {".kimi-code", "", ""}, "wire.jsonl", ".kimi-code", "KIMI_CODE_HOME"},
    {"Claude Code",
     "projects",
     {"settings.json", "history.jsonl", ".credentials.json"},
     "",
     ".claude",
     "CLAUDE_CONFIG_DIR"},
}};

// The agent home an input directory is (its logs folder, and a marker file
// in it or, for Kimi Code, whose other files were not checked, its name), or null.
const LogHome* log_home_of(const std::string& input)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::path(input).lexically_normal();
  const std::string name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
  for (const LogHome& home : k_log_homes) {
    if (!fs::is_directory(dir / home.logs, ec)) {
      continue;
    }
    for (const std::string_view marker : home.markers) {
      if (!marker.empty() && (name == marker || fs::exists(dir / marker, ec))) {
        return &home;
      }
    }
  }
  return nullptr;
}

// Walks `dir` for the files `wanted` (by name) into `found`. Links to files are followed,
// links to directories are not (a link can loop); a link that cannot be
// followed (dangling, looping) with a usage file's name and a subdirectory
// that cannot be read are problems, each under its own path, never skipped
// in silence.
void walk_directory(const std::filesystem::path& dir, const std::function<bool(const std::filesystem::path&)>& wanted,
                    std::vector<std::string>& found, std::vector<WalkProblem>& problems)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    problems.push_back({dir.string(), "cannot read directory: " + ec.message()});
    return;
  }
  std::vector<fs::path> subdirectories;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code type_ec;
    const fs::file_status own = it->symlink_status(type_ec);
    if (!type_ec && fs::is_directory(own)) {
      subdirectories.push_back(path);
      continue;
    }
    if (!wanted(path)) {
      continue;
    }
    const fs::file_status target = type_ec ? own : fs::status(path, type_ec);
    if (type_ec) {
      problems.push_back({path.string(), fs::is_symlink(own) && type_ec == std::errc::no_such_file_or_directory
                                             ? "dangling symbolic link (its target does not exist)"
                                             : "cannot read: " + type_ec.message()});
    } else if (fs::is_regular_file(target)) {
      found.push_back(path.string());
    }
  }
  if (ec) {
    problems.push_back({dir.string(), "cannot read directory: " + ec.message()});
  }
  for (const auto& sub : subdirectories) {
    walk_directory(sub, wanted, found, problems);
  }
}

// Files to read: directories are walked recursively for *.csv (and *.json
// workload specs), in sorted order so output is deterministic. `input_of_file`
// gets the index of the input each file came from; `problems`, what a walk
// could not read.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, std::vector<std::size_t>& input_of_file,
                                       std::vector<WalkProblem>& problems, bool empty_dirs_ok = false)
{
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const std::string& input = inputs[index];
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      std::vector<WalkProblem> trouble;
      // A coding agent's home directory: only its logs, not its settings,
      // credentials or daily statistics.
      const LogHome* home = log_home_of(input);
      const fs::path walked = home != nullptr ? fs::path(input) / home->logs : fs::path(input);
      const auto wanted = [&](const fs::path& path) {
        const auto ext = path.extension().string();
        if (home != nullptr && (home->file.empty() ? ext != ".jsonl" : path.filename() != home->file)) {
          return false;
        }
        // A Kimi CLI session's context.jsonl (messages, and "_usage" lines
        // with the context's token count, not usage) beside its wire.jsonl.
        std::error_code exists_ec;
        if (path.filename() == "context.jsonl" && fs::exists(path.parent_path() / "wire.jsonl", exists_ec)) {
          return false;
        }
        return is_usage_file_name(path);
      };
      walk_directory(walked, wanted, found, trouble);
      if (!trouble.empty() && trouble.front().path == walked.string()) {
        throw Error(Location{input}, trouble.front().problem);
      }
      std::sort(found.begin(), found.end());
      std::sort(trouble.begin(), trouble.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
      if (found.empty() && trouble.empty() && !empty_dirs_ok) {
        throw Error(Location{input}, "no usage files (*.csv, *.json, *.jsonl) in this directory");
      }
      files.insert(files.end(), found.begin(), found.end());
      problems.insert(problems.end(), trouble.begin(), trouble.end());
    } else {
      files.push_back(input);
    }
    input_of_file.resize(files.size(), index);
  }
  return files;
}

// What --explain says of a column.
std::string explain_column(const ColumnUse& use)
{
  switch (use.source) {
  case ColumnSource::alias:
    return fmt::format("{} (alias)", to_string(*use.field));
  case ColumnSource::map:
    return fmt::format("{} (--map)", to_string(*use.field));
  case ColumnSource::known_unpriced:
    return "not read (known, not priced)";
  case ColumnSource::cached_elsewhere:
    return "not read (known, not priced (cache reads come from another column))";
  case ColumnSource::zero_or_refused:
    return "not read; a row where it is not 0 is rejected (no card prices these tokens)";
  case ColumnSource::langfuse_member:
    return "read as a member of the Langfuse observation (its cell is JSON)";
  case ColumnSource::unknown:
    break;
  }
  return "not read (not a quantity)";
}

// An unsigned number from the environment, or `fallback`.
std::uint64_t env_number(const char* name, std::uint64_t fallback)
{
  const char* text = std::getenv(name);
  if (text != nullptr && *text != '\0') {
    const auto value = std::strtoull(text, nullptr, 10);
    if (value > 0) {
      return value;
    }
  }
  return fallback;
}

// LLMCOST_BLOCK_SIZE (bytes) lets the tests cut inputs into tiny pieces; the
// output must not depend on it.
std::size_t block_size()
{
  return static_cast<std::size_t>(env_number("LLMCOST_BLOCK_SIZE", k_default_block_size));
}

unsigned thread_count(unsigned requested)
{
  if (requested > 0) {
    return requested;
  }
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::uint64_t>(env_number("LLMCOST_THREADS", cores), 64));
}

Workload inline_workload(const InlineWorkloadOptions& o, const std::string& period)
{
  Workload w;
  w.name = o.name;
  w.model = o.model;
  w.where = Location{};
  if (!period.empty()) {
    w.period = *parse_period(period);
  }
  w.requests = number_flag(o.requests, "--requests", NumberKind::count).value_or(Decimal::from_int(1));
  w.input_tokens = number_flag(o.input_tokens, "--input-tokens", NumberKind::count).value_or(Decimal{});
  w.cached_input_tokens = number_flag(o.cached_tokens, "--cached-tokens", NumberKind::count);
  w.cache_hit_rate = number_flag(o.cache_hit_rate, "--cache-hit-rate", NumberKind::share);
  w.output_tokens = number_flag(o.output_tokens, "--output-tokens", NumberKind::count).value_or(Decimal{});
  w.batch_share = number_flag(o.batch_share, "--batch-share", NumberKind::share).value_or(Decimal{});
  if (o.batch) {
    if (!o.batch_share.empty()) {
      throw Error(Location{}, "--batch and --batch-share both given", "one of them (--batch means --batch-share 1)");
    }
    w.batch_share = Decimal::from_int(1);
  }
  w.web_search_calls = number_flag(o.web_search_calls, "--web-search-calls", NumberKind::amount).value_or(Decimal{});
  w.search_result_tokens =
      number_flag(o.search_result_tokens, "--search-result-tokens", NumberKind::count).value_or(Decimal{});
  w.images = number_flag(o.images, "--images", NumberKind::amount);
  w.image_quality = o.image_quality;
  w.image_size = o.image_size;
  w.video_seconds = number_flag(o.video_seconds, "--video-seconds", NumberKind::amount);
  w.audio_minutes = number_flag(o.audio_minutes, "--audio-minutes", NumberKind::amount);
  w.tts_characters = number_flag(o.tts_characters, "--tts-characters", NumberKind::count);
  w.songs = number_flag(o.songs, "--songs", NumberKind::amount);
  w.music_seconds = number_flag(o.music_seconds, "--music-seconds", NumberKind::amount);
  w.voices = number_flag(o.voices, "--voices", NumberKind::amount);
  w.generations = number_flag(o.generations, "--generations", NumberKind::amount);
  validate_workload(w);
  return w;
}

bool has_inline_detail(const InlineWorkloadOptions& o)
{
  for (const std::string* s :
       {&o.requests, &o.input_tokens, &o.cached_tokens, &o.cache_hit_rate, &o.output_tokens, &o.batch_share,
        &o.web_search_calls, &o.search_result_tokens, &o.images, &o.video_seconds, &o.audio_minutes, &o.tts_characters,
        &o.songs, &o.music_seconds, &o.voices, &o.generations}) {
    if (!s->empty()) {
      return true;
    }
  }
  return o.batch;
}

// The value of `key = "text"` on a TOML line, or none (Kimi's config.toml
// as kimi-cli writes it: basic strings, no escapes in model names).
std::optional<std::string> toml_string(std::string_view line, std::string_view key)
{
  const std::string_view text = trim(line);
  if (!text.starts_with(key)) {
    return std::nullopt;
  }
  std::string_view rest = trim(text.substr(key.size()));
  if (!rest.starts_with('=')) {
    return std::nullopt;
  }
  rest = trim(rest.substr(1));
  if (rest.size() < 2 || rest.front() != '"' || rest.find('"', 1) == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(rest.substr(1, rest.find('"', 1) - 1));
}

// The model id of a Kimi CLI config.toml's default_model: the top-level
// default_model names a [models."NAME"] table whose `model` is the id the
// provider was asked for (kimi-cli's config.py). Empty when it names none.
std::string kimi_default_model(const std::filesystem::path& config_toml)
{
  std::ifstream file(config_toml);
  std::string line;
  std::string table; // the [table] the line is in; empty at the top level
  std::string default_name;
  std::map<std::string, std::string> models; // [models."NAME"] -> model
  while (std::getline(file, line)) {
    const std::string_view text = trim(line);
    if (text.starts_with('[')) {
      table = std::string(text.substr(1, text.find(']') == std::string_view::npos ? 0 : text.find(']') - 1));
      continue;
    }
    if (table.empty()) {
      if (auto name = toml_string(text, "default_model")) {
        default_name = *name;
      }
    } else if (table.starts_with("models.")) {
      std::string name = table.substr(7);
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      if (auto model = toml_string(text, "model")) {
        models[name] = *model;
      }
    }
  }
  const auto found = models.find(default_name);
  return found == models.end() ? std::string() : found->second;
}

// The config.toml of the Kimi CLI share directory an input is in or is
// (the parent of its "sessions" directory), or empty.
std::filesystem::path kimi_config_of(const std::string& input)
{
  namespace fs = std::filesystem;
  // As the input was written (messages show the path the user gave), then
  // absolute (an input of "." inside the share directory).
  std::error_code ec;
  for (fs::path path : {fs::path(input).lexically_normal(), fs::absolute(input, ec).lexically_normal()}) {
    for (; !path.empty(); path = path.parent_path()) {
      std::error_code missing; // a path that does not exist is no share directory
      if (fs::is_directory(path / "sessions", missing) && fs::is_regular_file(path / "config.toml", missing)) {
        return path / "config.toml";
      }
      if (path == path.parent_path()) {
        break;
      }
    }
  }
  return {};
}

// Where an agent's home is on this machine: its variable, else under $HOME.
std::string home_dir(const LogHome& log_home)
{
  const char* home = std::getenv("HOME");
  const char* moved = std::getenv(log_home.variable);
  return moved != nullptr && *moved != '\0' ? std::string(moved)
                                            : fmt::format("{}/{}", home != nullptr ? home : "~", log_home.default_dir);
}

} // namespace

std::vector<std::pair<std::string, std::string>> agent_log_homes_found()
{
  std::vector<std::pair<std::string, std::string>> found;
  for (const LogHome& log_home : k_log_homes) {
    const std::string dir = home_dir(log_home);
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(dir) / log_home.logs, ec)) {
      found.emplace_back(std::string(log_home.agent), dir);
    }
  }
  return found;
}

UsageFiles list_usage_files(const std::vector<std::string>& inputs)
{
  UsageFiles listed;
  std::vector<std::size_t> input_of_file;
  std::vector<WalkProblem> problems;
  listed.files = expand_inputs(inputs, input_of_file, problems, true);
  for (auto& problem : problems) {
    listed.problems.emplace_back(std::move(problem.path), std::move(problem.problem));
  }
  return listed;
}

std::string usage_log_homes()
{
  std::vector<std::string> found;
  std::vector<std::string> all;
  for (const LogHome& log_home : k_log_homes) {
    const std::string dir = home_dir(log_home);
    all.push_back(fmt::format("{} {} (${})", log_home.agent, dir, log_home.variable));
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(dir) / log_home.logs, ec)) {
      found.push_back(dir);
    }
  }
  if (found.empty()) {
    return fmt::format("llmcost reads no place by itself; coding agents' logs would be in: {}", fmt::join(all, ", "));
  }
  return fmt::format("llmcost reads no place by itself; logs found: llmcost estimate {}", fmt::join(found, " "));
}

void add_model_mapping_options(CLI::App& cmd, UsageInputOptions& options)
{
  cmd.add_option("--assume-model", options.assume_model,
                 "Price records that name no model (Kimi CLI logs) as ROUTE/ID, e.g. moonshot/kimi-k2.6")
      ->group("Recorded usage");
  cmd.add_option("--model-alias", options.model_aliases,
                 "Price a model named in the input as a card's, FROM=ROUTE/ID (repeatable), e.g. "
                 "--model-alias gpt-4.1-mini=moonshot/kimi-k2.6")
      ->group("Recorded usage");
}

ModelMapping model_mapping(const UsageInputOptions& usage, const std::vector<std::string>& inputs,
                           const Catalog& catalog, const UserConfig& config, const std::string& provider_hint)
{
  ModelMapping mapping;
  // Every target must be a card's model: a typo is a usage error, not a
  // run of rejected records.
  auto check = [&](const std::string& target, const std::string& what) {
    ResolveFailure failure;
    if (!catalog.resolve(target, "", provider_hint, failure)) {
      throw Error(Location{}, fmt::format("{}: {}", what, failure.problem),
                  failure.expected.empty() ? "ROUTE/ID, e.g. moonshot/kimi-k2.6" : failure.expected);
    }
  };
  mapping.aliases = config.model_aliases;
  for (const auto& [from, to] : config.model_aliases) {
    check(to, fmt::format("{}: model_aliases \"{}\"", config.path, from));
    mapping.alias_sources.push_back("model_aliases in " + config.path);
  }
  for (const std::string& text : usage.model_aliases) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      throw Error(Location{}, fmt::format("--model-alias \"{}\" is not FROM=ROUTE/ID", text),
                  "e.g. --model-alias kimi-code/kimi-for-coding=moonshot/kimi-k2.7-code");
    }
    std::string from = to_lower(text.substr(0, eq));
    const std::string to = text.substr(eq + 1);
    check(to, fmt::format("--model-alias {}", text));
    for (std::size_t i = mapping.aliases.size(); i-- > 0;) {
      if (to_lower(mapping.aliases[i].first) == from) { // the flag wins over the config's
        mapping.aliases.erase(mapping.aliases.begin() + static_cast<std::ptrdiff_t>(i));
        mapping.alias_sources.erase(mapping.alias_sources.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    mapping.aliases.emplace_back(std::move(from), to);
    mapping.alias_sources.emplace_back("--model-alias");
  }
  if (!usage.assume_model.empty()) {
    mapping.assumed_model = usage.assume_model;
    mapping.assumed_source = "--assume-model";
  } else if (config.assume_model) {
    mapping.assumed_model = *config.assume_model;
    mapping.assumed_source = "assume_model in " + config.path;
  } else {
    for (const std::string& input : inputs) {
      if (const auto toml = kimi_config_of(input); !toml.empty()) {
        if (std::string model = kimi_default_model(toml); !model.empty()) {
          mapping.assumed_model = std::move(model);
          mapping.assumed_source = "default_model in " + toml.string();
          break;
        }
      }
    }
  }
  if (!mapping.assumed_model.empty()) {
    // The assumed model may itself be an alias (a Kimi Code subscription model).
    for (const auto& [from, to] : mapping.aliases) {
      if (to_lower(from) == to_lower(mapping.assumed_model)) {
        mapping.assumed_source += ", --model-alias " + from;
        mapping.assumed_model = to;
      }
    }
    check(mapping.assumed_model,
          mapping.assumed_source == "--assume-model"
              ? "--assume-model"
              : fmt::format("{} (\"{}\"; pass --assume-model ROUTE/ID or --model-alias "
                            "{}=ROUTE/ID)",
                            mapping.assumed_source, mapping.assumed_model, mapping.assumed_model));
  }
  return mapping;
}

void add_inline_workload_options(CLI::App& cmd, InlineWorkloadOptions& options, bool with_shares)
{
  const std::string group = "Inline workload";
  cmd.add_option("--model", options.model, "Model: provider/id (moonshot/kimi-k2.6), alias, or bare id")->group(group);
  cmd.add_option("--name", options.name, "Name of the inline workload")->group(group)->capture_default_str();
  cmd.add_option("--requests", options.requests, "Requests per period (100k, 1.5M; default 1)")->group(group);
  cmd.add_option("--input-tokens", options.input_tokens, "Input tokens per request, cached part included")
      ->group(group);
  cmd.add_option("--cached-tokens", options.cached_tokens, "Cached (cache-hit) input tokens per request")->group(group);
  if (with_shares) {
    cmd.add_option("--cache-hit-rate", options.cache_hit_rate, "Share of input that is cached, 0..1")->group(group);
  }
  cmd.add_option("--output-tokens", options.output_tokens, "Output tokens per request, reasoning included")
      ->group(group);
  if (with_shares) {
    cmd.add_flag("--batch", options.batch, "Send every request through the Batch API")->group(group);
  }
  if (with_shares) {
    cmd.add_option("--batch-share", options.batch_share, "Share of requests sent through the Batch API, 0..1")
        ->group(group);
  }
  cmd.add_option("--web-search-calls", options.web_search_calls, "$web_search tool calls per request")->group(group);
  cmd.add_option("--search-result-tokens", options.search_result_tokens,
                 "Tokens a search returns, billed as input on the next call")
      ->group(group);
  cmd.add_option("--images", options.images, "Images per request (default 1 on image models)")->group(group);
  cmd.add_option("--image-quality", options.image_quality, "Image quality tier (low, medium, high)")->group(group);
  cmd.add_option("--image-size", options.image_size, "Image size tier (1MP, 4MP)")->group(group);
  cmd.add_option("--video-seconds", options.video_seconds, "Video seconds per request (default 5)")->group(group);
  cmd.add_option("--audio-minutes", options.audio_minutes, "Audio minutes per request")->group(group);
  cmd.add_option("--tts-characters", options.tts_characters, "Characters of speech per request")->group(group);
  cmd.add_option("--songs", options.songs, "Songs per request (default 1)")->group(group);
  cmd.add_option("--music-seconds", options.music_seconds, "Music seconds per request")->group(group);
  cmd.add_option("--voices", options.voices, "Voices per request (default 1)")->group(group);
  cmd.add_option("--generations", options.generations, "Sound effects per request (default 1)")->group(group);
}

void add_inline_workload(const InlineWorkloadOptions& options, const std::string& period,
                         std::vector<Workload>& workloads)
{
  if (!options.model.empty()) {
    workloads.push_back(inline_workload(options, period));
  } else if (has_inline_detail(options)) {
    throw Error(Location{}, "workload flags given without --model", "--model MODEL, e.g. --model moonshot/kimi-k2.6");
  }
}

bool rejections_fail(const RecordCounts& counts, const UsageInputOptions& options)
{
  const bool only_rejections = counts.rejected + counts.duplicates + counts.filtered == counts.read;
  return counts.rejected > 0 && (!options.allow_rejects || only_rejections);
}

std::string rejections_message(const RecordCounts& counts, const UsageInputOptions& options)
{
  // The first rejected record's place and reason lead, in every format: a
  // CI log of a --format json run shows where to look without the JSON.
  std::string rejected = fmt::format("{} record{} rejected", counts.rejected, counts.rejected == 1 ? "" : "s");
  if (!counts.first_rejections.empty()) {
    const Rejection& first = counts.first_rejections.front();
    rejected = fmt::format("{}: {}; {}", first.where, first.reason, rejected);
  }
  if (options.allow_rejects) {
    return rejected + ", and nothing else read: nothing to total (--allow-rejects accepts a partial total, not an "
                      "empty one)";
  }
  return rejected + " (use --allow-rejects to accept a partial total)";
}

std::optional<Day> date_flag(const std::string& text, const char* flag)
{
  if (text.empty()) {
    return std::nullopt;
  }
  auto day = parse_date(text);
  if (!day) {
    throw Error(Location{}, fmt::format("{}: \"{}\" is not a date", flag, text), "YYYY-MM-DD");
  }
  return day;
}

DateWindow date_window(const UsageInputOptions& usage)
{
  DateWindow window{date_flag(usage.since, "--since"), date_flag(usage.until, "--until")};
  if (window.since && window.until && *window.since > *window.until) {
    // An inverted window reads nothing: a total of 0.00 that looks like an answer.
    throw Error(Location{}, fmt::format("--since {} is after --until {}", usage.since, usage.until),
                "--since on or before --until (both days are included)");
  }
  return window;
}

std::optional<Decimal> number_flag(const std::string& text, const char* flag, NumberKind kind)
{
  if (text.empty()) {
    return std::nullopt;
  }
  std::string value = text;
  if (kind == NumberKind::percent && value.back() == '%') {
    value.pop_back();
  }
  const char* expected = kind == NumberKind::count     ? "a number, optionally with k/M/B (\"100k\")"
                         : kind == NumberKind::share   ? "a share from 0 to 1"
                         : kind == NumberKind::percent ? "a percentage like 5 or 5%"
                                                       : "a decimal number like 500 or 12.50";
  std::string why;
  auto parsed = kind == NumberKind::count ? Decimal::parse_count(value, &why) : Decimal::parse(value, &why);
  if (!parsed) {
    throw Error(Location{},
                fmt::format("{}: \"{}\" is not a number{}", flag, text, why == "not a number" ? "" : ": " + why),
                expected);
  }
  if (parsed->is_negative()) {
    throw Error(Location{}, fmt::format("{}: {} is negative", flag, text), "zero or more");
  }
  if (kind == NumberKind::share && *parsed > Decimal::from_int(1)) {
    throw Error(Location{}, fmt::format("{}: {} is above 1", flag, text), expected);
  }
  return parsed;
}

AggregateOptions aggregate_options(const UsageInputOptions& usage, const std::string& provider,
                                   const std::vector<std::string>& group_by)
{
  AggregateOptions aggregate;
  aggregate.group_by = group_by;
  aggregate.provider_hint = provider;
  aggregate.strict = usage.strict;
  aggregate.show_rejects = usage.show_rejects;
  const DateWindow window = date_window(usage);
  aggregate.since = window.since;
  aggregate.until = window.until;
  aggregate.tz_offset_seconds = tz_flag(usage.tz);
  aggregate.check_request_ids = usage.check_ids == "all"   ? AggregateOptions::k_check_request_ids_all
                                : usage.check_ids == "off" ? 0
                                                           : AggregateOptions::k_check_request_ids_default;
  return aggregate;
}

std::int32_t tz_flag(const std::string& text)
{
  const auto offset = parse_utc_offset(text);
  if (!offset) {
    throw Error(Location{}, fmt::format("--tz: \"{}\" is not a UTC offset", text),
                "UTC, or an offset like +05:30 or -08:00");
  }
  return *offset;
}

void add_usage_input_options(CLI::App& cmd, UsageInputOptions& options, bool strict_by_default)
{
  const std::string group = "Recorded usage";
  options.strict = strict_by_default;
  std::vector<std::string> input_formats{std::string(k_detect_input_kind)};
  for (const InputKind kind : k_input_kinds) {
    input_formats.emplace_back(to_string(kind));
  }
  cmd.add_option("--input-format", options.input_format,
                 fmt::format("Input format ({} detects per file)", k_detect_input_kind))
      ->check(CLI::IsMember(input_formats))
      ->capture_default_str()
      ->group(group);
  std::vector<std::string> sources{std::string(k_detect_source)};
  for (const TraceSource source : k_trace_sources) {
    sources.emplace_back(to_string(source));
  }
  cmd.add_option("--source", options.source,
                 fmt::format("Read JSON inputs as this tool's logs alone, refusing other lines ({} reads each "
                             "line by its shape)",
                             k_detect_source))
      ->check(CLI::IsMember(sources))
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--map", options.maps,
                 "CSV column meaning, COLUMN=FIELD or COLUMN=ignore (repeatable), e.g. --map tok_in=input_tokens")
      ->group(group);
  if (strict_by_default) {
    cmd.add_flag("--allow-rejects", options.allow_rejects, "Count and list bad rows instead of stopping at the first")
        ->group(group);
  } else {
    cmd.add_flag("--strict", options.strict, "Stop at the first bad record")->group(group);
    cmd.add_flag("--allow-rejects", options.allow_rejects,
                 "Exit 0 even when records were rejected (a partial total; not when every one was)")
        ->group(group);
  }
  cmd.add_flag("--decimal-comma", options.decimal_comma,
               "CSV numbers use a decimal comma (0,05): European exports; a '.' in a number is then refused")
      ->group(group);
  cmd.add_option("--show-rejects", options.show_rejects, "How many rejected records to list")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--since", options.since, "Only records on or after this date (YYYY-MM-DD)")->group(group);
  cmd.add_option("--until", options.until, "Only records on or before this date (YYYY-MM-DD)")->group(group);
  cmd.add_option("--threads", options.threads,
                 "Threads reading big or many files (default: LLMCOST_THREADS or all cores)")
      ->group(group);
  cmd.add_option("--max-line-bytes", options.max_line_bytes,
                 "Longest line read; a longer one is a rejected record, read past without being held")
      ->check(CLI::Validator(
          [](const std::string& text) {
            std::size_t bytes = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
            if (ec != std::errc{} || end != text.data() + text.size() || bytes < k_min_max_line_bytes) {
              return fmt::format("\"{}\" is not a byte count from {} (1 MiB) to {}", text, k_min_max_line_bytes,
                                 SIZE_MAX);
            }
            return std::string();
          },
          ""))
      ->type_name("BYTES")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--tz", options.tz, "UTC offset where days, weeks and months begin (UTC, +05:30, -08:00)")
      ->capture_default_str()
      ->group(group);
  cmd.add_flag("-q,--quiet", options.quiet, "No progress bar (shown for inputs over 50 MB when stderr is a terminal)")
      ->group(group);
  cmd.add_flag("--allow-empty", options.allow_empty,
               "Accept an input that yields no usage record (noted, not an error)")
      ->group(group);
  cmd.add_flag("-v,--explain", options.explain, "Print how each CSV column was read (field, alias or --map, ignored)")
      ->group(group);
}

void add_request_id_check_option(CLI::App& cmd, UsageInputOptions& options)
{
  cmd.add_option("--check-ids", options.check_ids,
                 fmt::format("Report request ids repeated in CSV exports: auto (runs of up to {} rows with an id), "
                             "all, off",
                             AggregateOptions::k_check_request_ids_default))
      ->check(CLI::IsMember({"auto", "all", "off"}))
      ->capture_default_str()
      ->group("Recorded usage");
}

bool read_inputs(const std::vector<std::string>& inputs, const UsageInputOptions& options, RecordSink& sink,
                 std::vector<Workload>* workloads, std::ostream& err)
{
  IngestOptions ingest;
  ingest.input_kind = parse_input_kind(options.input_format); // none for "auto"
  ingest.source = parse_trace_source(options.source);         // none for "auto"
  ingest.maps = parse_column_maps(options.maps);
  ingest.decimal_comma = options.decimal_comma;
  ingest.threads = thread_count(options.threads);
  ingest.block_size = block_size();
  ingest.max_line_bytes = options.max_line_bytes;
  // LLMCOST_PIECE_SIZE lets the tests cut small files into pieces read in parallel.
  ingest.min_piece = env_number("LLMCOST_PIECE_SIZE", ingest.min_piece);
  std::vector<WalkProblem> problems;
  const auto files = expand_inputs(inputs, ingest.input_of_file, problems);
  // Rejected inputs, counted as rejected records: exit 2 unless --allow-rejects.
  for (const auto& problem : problems) {
    sink.reject(Location{problem.path}, "unreadable input", problem.problem);
  }
  for (const auto& input : inputs) {
    ingest.input_names.push_back(display_name(input));
  }
  ingest.allow_empty = options.allow_empty;
  std::mutex columns_mutex;
  std::map<std::string, std::vector<ColumnUse>> columns; // by file, told once or twice
  if (options.explain) {
    ingest.on_columns = [&](const std::string& file, const std::vector<ColumnUse>& uses) {
      const std::lock_guard lock(columns_mutex); // told from the reading threads
      columns.emplace(file, uses);
    };
  }
  std::uint64_t total_bytes = 0;
  for (const auto& file : files) {
    std::error_code ec;
    const auto size = file == "-" ? 0 : std::filesystem::file_size(file, ec);
    total_bytes += ec ? 0 : static_cast<std::uint64_t>(size);
  }
  Progress progress(total_bytes, Progress::wanted(total_bytes, options.quiet));
  std::mutex progress_mutex;
  if (Progress::wanted(total_bytes, options.quiet)) {
    ingest.progress = [&](std::uint64_t bytes) {
      const std::lock_guard lock(progress_mutex); // readers report from their threads
      progress.advance(bytes);
    };
  }
  // --explain: what each CSV's columns were taken as, also when reading failed.
  auto explain_columns = [&] {
    for (const auto& file : files) {
      const auto found = columns.find(display_name(file));
      if (found == columns.end()) {
        continue;
      }
      err << fmt::format("columns of {}:\n", found->first);
      for (const ColumnUse& use : found->second) {
        err << fmt::format("  {:<28} {}\n", use.header, explain_column(use));
      }
    }
  };
  bool any_usage = false;
  try {
    any_usage = ingest_usage(files, ingest, sink, [&](const std::string& name, const std::string& text) {
      if (workloads == nullptr) {
        throw Error(Location{name, 1, 1}, "a workload spec, not recorded usage",
                    "a usage export (CSV) or JSON traces with billed amounts");
      }
      auto loaded = load_workloads(text, name);
      workloads->insert(workloads->end(), loaded.begin(), loaded.end());
    });
  } catch (...) {
    progress.finish();
    explain_columns();
    throw;
  }
  progress.finish();
  explain_columns();
  return any_usage;
}

} // namespace llmcost::cli
