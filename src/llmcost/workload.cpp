#include "llmcost/workload.hpp"

#include "llmcost/json_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace llmcost {

using nlohmann::json;

std::string_view to_string(Period period)
{
  switch (period) {
  case Period::day:
    return "day";
  case Period::week:
    return "week";
  case Period::month:
    return "month";
  case Period::year:
    return "year";
  }
  return "month";
}

std::optional<Period> parse_period(std::string_view text)
{
  for (auto p : {Period::day, Period::week, Period::month, Period::year}) {
    if (to_string(p) == text) {
      return p;
    }
  }
  return std::nullopt;
}

namespace {

// Length of a period in twelfths of a day, so every ratio is exact:
// day 12, week 84, month 365 (a twelfth of a 365-day year), year 4380.
std::int64_t twelfths_of_day(Period p)
{
  switch (p) {
  case Period::day:
    return 12;
  case Period::week:
    return 84;
  case Period::month:
    return 365;
  case Period::year:
    return 4380;
  }
  return 365;
}

struct FieldReader
{
  const std::string& file;
  const std::string& pointer;
  const Location& where;

  [[noreturn]] void fail(const std::string& field, const std::string& problem, const std::string& expected) const
  {
    Location at = where;
    at.file = file + (at.line == 0 ? "" : "");
    throw Error(at, fmt::format("{}/{}: {}", pointer, field, problem), expected);
  }

  std::optional<Decimal> number(const json& object, const char* key, bool allow_suffix = false) const
  {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return std::nullopt;
    }
    std::string text;
    if (it->is_number_integer()) {
      text = it->dump();
    } else if (it->is_string()) {
      text = it->get<std::string>();
    } else {
      fail(key, fmt::format("expected a number, found {}", it->type_name()), "a number like 1000 or \"100k\"");
    }
    std::string why;
    auto value = allow_suffix ? Decimal::parse_count(text, &why) : Decimal::parse(text, &why);
    if (!value) {
      fail(key, fmt::format("\"{}\" is not a number: {}", text, why),
           allow_suffix ? "a number, optionally with k/M/B (\"100k\")" : "a decimal number");
    }
    if (value->is_negative()) {
      fail(key, fmt::format("{} is negative", text), "zero or more");
    }
    return value;
  }

  std::string text(const json& object, const char* key) const
  {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return {};
    }
    if (!it->is_string()) {
      fail(key, fmt::format("expected a string, found {}", it->type_name()), "a string");
    }
    return it->get<std::string>();
  }
};

// Line of the n-th occurrence of `"name"` after the `workloads` key: good
// enough to point an editor at the right workload.
Location locate_workload(std::string_view text, const std::string& file, const std::string& name, std::size_t index)
{
  std::size_t pos = text.find("\"workloads\"");
  if (pos == std::string_view::npos) {
    return Location{file};
  }
  if (!name.empty()) {
    const std::string needle = json(name).dump();
    const std::size_t hit = text.find(needle, pos);
    if (hit != std::string_view::npos) {
      return location_of_offset(text, hit, file);
    }
  }
  // Fall back to the index-th '{' after "workloads" at depth one.
  int depth = 0;
  std::size_t seen = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    if (text[i] == '[' || text[i] == '{') {
      ++depth;
      if (text[i] == '{' && depth == 2) {
        if (seen++ == index) {
          return location_of_offset(text, i, file);
        }
      }
    } else if (text[i] == ']' || text[i] == '}') {
      --depth;
    }
  }
  return Location{file};
}

const std::set<std::string>& known_fields()
{
  static const std::set<std::string> fields = {"name",
                                               "model",
                                               "provider",
                                               "period",
                                               "requests",
                                               "input_tokens",
                                               "cached_input_tokens",
                                               "cache_hit_rate",
                                               "output_tokens",
                                               "batch_share",
                                               "web_search_calls",
                                               "search_result_tokens",
                                               "images",
                                               "image_quality",
                                               "image_size",
                                               "video_seconds",
                                               "audio_minutes",
                                               "tts_characters",
                                               "songs",
                                               "music_seconds",
                                               "voices",
                                               "generations",
                                               "peak_requests_per_minute",
                                               "peak_tokens_per_minute",
                                               "description",
                                               "note"};
  return fields;
}

} // namespace

Decimal convert_period(Decimal quantity, Period from, Period to, bool* inexact)
{
  if (from == to) {
    return quantity;
  }
  return quantity.mul_div(Decimal::from_int(twelfths_of_day(to)), Decimal::from_int(twelfths_of_day(from)), inexact);
}

Decimal Workload::cached_per_request() const
{
  if (cached_input_tokens) {
    return *cached_input_tokens;
  }
  if (cache_hit_rate) {
    return input_tokens.mul(*cache_hit_rate);
  }
  return Decimal{};
}

bool looks_like_workload_spec(std::string_view text)
{
  return text.find("\"workloads\"") != std::string_view::npos;
}

void validate_workload(const Workload& w)
{
  const std::string file = w.where.file;
  auto fail = [&](const std::string& field, const std::string& problem, const std::string& expected) {
    const std::string prefix = w.pointer.empty() ? "--" + field : w.pointer + "/" + field;
    throw Error(w.where, fmt::format("workload \"{}\": {}: {}", w.name, prefix, problem), expected);
  };
  const Decimal one = Decimal::from_int(1);
  if (w.model.empty()) {
    fail("model", "no model given", "a model id such as moonshot/kimi-k2.6");
  }
  if (w.requests.is_zero()) {
    fail("requests", "zero requests", "a positive number of requests per period");
  }
  if (w.cached_input_tokens && w.cache_hit_rate) {
    fail("cache_hit_rate", "both cached_input_tokens and cache_hit_rate are given", "one of them");
  }
  if (w.cache_hit_rate && *w.cache_hit_rate > one) {
    fail("cache_hit_rate", fmt::format("{} is above 1", w.cache_hit_rate->to_exact_string(0)), "a share from 0 to 1");
  }
  if (w.cached_input_tokens && *w.cached_input_tokens > w.input_tokens) {
    fail("cached_input_tokens",
         fmt::format("{} cached tokens exceed {} input tokens", w.cached_input_tokens->to_exact_string(0),
                     w.input_tokens.to_exact_string(0)),
         "cached tokens to be part of input_tokens (input counts all input, cached included)");
  }
  if (w.batch_share > one) {
    fail("batch_share", fmt::format("{} is above 1", w.batch_share.to_exact_string(0)), "a share from 0 to 1");
  }
}

std::vector<Workload> load_workloads(std::string_view text, const std::string& file)
{
  const json root = parse_json_exact(text, file);
  if (!root.is_object() || !root.contains("workloads")) {
    throw Error(Location{file, 1, 1}, "not a workload spec: no \"workloads\" array",
                "{\"workloads\": [{\"name\": ..., \"model\": ..., \"requests\": ...}]}");
  }
  const json& list = root["workloads"];
  if (!list.is_array() || list.empty()) {
    throw Error(Location{file, 1, 1}, "\"workloads\" must be a non-empty array", "at least one workload object");
  }
  std::vector<Workload> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    Workload w;
    w.pointer = "/workloads/" + std::to_string(i);
    if (!item.is_object()) {
      throw Error(locate_workload(text, file, "", i), w.pointer + ": expected a workload object");
    }
    const bool named = item.contains("name") && item["name"].is_string();
    w.name = named ? item["name"].get<std::string>() : "workload-" + std::to_string(i + 1);
    w.where = locate_workload(text, file, named ? w.name : "", i);
    FieldReader read{file, w.pointer, w.where};
    if (item.contains("name") && !named) {
      read.fail("name", fmt::format("expected a string, found {}", item["name"].type_name()), "a workload name");
    }
    for (const auto& [key, value] : item.items()) {
      if (known_fields().count(key) == 0) {
        read.fail(key, fmt::format("unknown field \"{}\"", key), "a field from the workload spec in llmcost(1)");
      }
    }
    if (!names.insert(w.name).second) {
      read.fail("name", fmt::format("duplicate workload name \"{}\"", w.name), "unique names");
    }
    w.model = read.text(item, "model");
    w.provider = read.text(item, "provider");
    if (const std::string period = read.text(item, "period"); !period.empty()) {
      auto p = parse_period(period);
      if (!p) {
        read.fail("period", fmt::format("unknown period \"{}\"", period), "day, week, month or year");
      }
      w.period = *p;
    }
    w.requests = read.number(item, "requests", true).value_or(Decimal{});
    w.input_tokens = read.number(item, "input_tokens", true).value_or(Decimal{});
    w.cached_input_tokens = read.number(item, "cached_input_tokens", true);
    w.cache_hit_rate = read.number(item, "cache_hit_rate");
    w.output_tokens = read.number(item, "output_tokens", true).value_or(Decimal{});
    w.batch_share = read.number(item, "batch_share").value_or(Decimal{});
    w.web_search_calls = read.number(item, "web_search_calls").value_or(Decimal{});
    w.search_result_tokens = read.number(item, "search_result_tokens", true).value_or(Decimal{});
    w.images = read.number(item, "images");
    w.image_quality = read.text(item, "image_quality");
    w.image_size = read.text(item, "image_size");
    w.video_seconds = read.number(item, "video_seconds");
    w.audio_minutes = read.number(item, "audio_minutes");
    w.tts_characters = read.number(item, "tts_characters", true);
    w.songs = read.number(item, "songs");
    w.music_seconds = read.number(item, "music_seconds");
    w.voices = read.number(item, "voices");
    w.generations = read.number(item, "generations");
    w.peak_requests_per_minute = read.number(item, "peak_requests_per_minute", true).value_or(Decimal{});
    w.peak_tokens_per_minute = read.number(item, "peak_tokens_per_minute", true).value_or(Decimal{});
    validate_workload(w);
    out.push_back(std::move(w));
  }
  return out;
}

} // namespace llmcost
