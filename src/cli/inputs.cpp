// Reading usage inputs (see inputs.hpp).

#include "cli/inputs.hpp"

#include "llmcost/error.hpp"
#include "llmcost/files.hpp"
#include "llmcost/usage_csv.hpp"
#include "llmcost/usage_jsonl.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

namespace llmcost::cli {

namespace {

enum class InputKind { workload, csv, jsonl };

// Files to read: directories are walked recursively for *.csv (and *.json
// workload specs), in sorted order so output is deterministic.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs)
{
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        const auto ext = it->path().extension().string();
        if (it->is_regular_file() && (ext == ".csv" || ext == ".json" || ext == ".jsonl")) {
          found.push_back(it->path().string());
        }
      }
      if (ec) {
        throw Error(Location{input}, "cannot read directory: " + ec.message());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        throw Error(Location{input}, "no usage files (*.csv, *.json, *.jsonl) in this directory");
      }
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

InputKind detect_kind(const std::string& forced, const std::string& name, std::string_view text)
{
  if (forced == "workload") {
    return InputKind::workload;
  }
  if (forced == "csv") {
    return InputKind::csv;
  }
  if (forced == "jsonl") {
    return InputKind::jsonl;
  }
  if (looks_like_workload_spec(text.substr(0, 1 << 16))) {
    return InputKind::workload;
  }
  (void)name;
  if (looks_like_json_objects(text)) {
    return InputKind::jsonl;
  }
  return InputKind::csv;
}

// LLMCOST_BLOCK_SIZE (bytes) lets the tests cut inputs into tiny pieces; the
// output must not depend on it.
std::size_t block_size()
{
  const char* text = std::getenv("LLMCOST_BLOCK_SIZE");
  if (text != nullptr && *text != '\0') {
    const auto value = std::strtoull(text, nullptr, 10);
    if (value > 0) {
      return static_cast<std::size_t>(value);
    }
  }
  return std::size_t{8} << 20;
}

} // namespace

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
    throw Error(Location{}, fmt::format("{}: \"{}\" is not a number{}", flag, text, why == "not a number" ? "" : ": " + why),
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

std::int32_t tz_flag(const std::string& text)
{
  const auto offset = parse_utc_offset(text);
  if (!offset) {
    throw Error(Location{}, fmt::format("--tz: \"{}\" is not a UTC offset", text), "UTC, or an offset like +05:30 or -08:00");
  }
  return *offset;
}

void add_usage_input_options(CLI::App& cmd, UsageInputOptions& options, bool strict_by_default)
{
  const std::string group = "Recorded usage";
  options.strict = strict_by_default;
  cmd.add_option("--input-format", options.input_format, "Input format (auto detects per file)")
    ->check(CLI::IsMember({"auto", "workload", "csv", "jsonl"}))
    ->capture_default_str()
    ->group(group);
  cmd.add_option("--map", options.maps, "CSV column meaning, COLUMN=FIELD (repeatable), e.g. --map tok_in=input_tokens")
    ->group(group);
  if (strict_by_default) {
    cmd.add_flag("--allow-rejects", options.allow_rejects, "Count and list bad rows instead of stopping at the first")
      ->group(group);
  } else {
    cmd.add_flag("--strict", options.strict, "Stop at the first bad record")->group(group);
    cmd.add_flag("--allow-rejects", options.allow_rejects, "Exit 0 even when records were rejected")->group(group);
  }
  cmd.add_option("--show-rejects", options.show_rejects, "How many rejected records to list")
    ->capture_default_str()
    ->group(group);
  cmd.add_option("--since", options.since, "Only records on or after this date (YYYY-MM-DD)")->group(group);
  cmd.add_option("--until", options.until, "Only records on or before this date (YYYY-MM-DD)")->group(group);
  cmd.add_option("--tz", options.tz, "UTC offset where days, weeks and months begin (UTC, +05:30, -08:00)")
    ->capture_default_str()
    ->group(group);
}

bool read_inputs(const std::vector<std::string>& inputs, const UsageInputOptions& options, RecordSink& sink,
                 std::vector<Workload>* workloads)
{
  const ColumnMap maps = parse_column_maps(options.maps);
  bool any_usage = false;
  for (const auto& input : expand_inputs(inputs)) {
    const std::string name = input == "-" ? "<stdin>" : input;
    BlockReader reader(input, block_size());
    switch (detect_kind(options.input_format, name, reader.peek())) {
    case InputKind::workload: {
      if (workloads == nullptr) {
        throw Error(Location{name, 1, 1}, "a workload spec, not recorded usage",
                    "a usage export (CSV) or JSON traces with billed amounts");
      }
      // Workload specs are small and parsed whole.
      std::string text;
      reader.run([](std::string_view) { return std::size_t{0}; },
                 [&](std::string_view piece, std::size_t) { text.assign(piece); });
      auto loaded = load_workloads(text, name);
      workloads->insert(workloads->end(), loaded.begin(), loaded.end());
      break;
    }
    case InputKind::csv: {
      UsageCsvReader csv(name, maps, sink);
      reader.run(cut_after_last_csv_record, [&](std::string_view piece, std::size_t line) { csv.feed(piece, line); });
      csv.finish();
      any_usage = true;
      break;
    }
    case InputKind::jsonl: {
      // JSONL streams line by line; pretty-printed objects are read whole.
      const bool by_line = is_json_lines(reader.peek());
      reader.run(by_line ? cut_after_last_line : [](std::string_view) { return std::size_t{0}; },
                 [&](std::string_view piece, std::size_t line) { read_usage_jsonl(piece, name, sink, line, by_line); });
      any_usage = true;
      break;
    }
    }
  }
  return any_usage;
}

} // namespace llmcost::cli
