#include "cli/config.hpp"

#include "cli/app.hpp"
#include "llmcost/error.hpp"
#include "llmcost/strings.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace llmcost::cli {

namespace {

// nlohmann reports a byte offset; editors want line:col.
Location location_of(std::string_view text, std::size_t byte, const std::string& path)
{
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return Location{path, line, col};
}

} // namespace

std::pair<std::string, std::string> config_location()
{
  if (const char* explicit_path = std::getenv("LLMCOST_CONFIG"); explicit_path != nullptr && *explicit_path != '\0') {
    return {explicit_path, "LLMCOST_CONFIG"};
  }
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return {std::string(xdg) + "/llmcost/config.json", "XDG_CONFIG_HOME"};
  }
  const char* home = std::getenv("HOME");
  return {std::string(home != nullptr ? home : "") + "/.config/llmcost/config.json", "HOME"};
}

UserConfig parse_config(std::string_view text, const std::string& path)
{
  UserConfig config;
  config.path = path;
  config.found = true;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, nullptr, true, true);
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    what = what.substr(what.find("- ") == std::string::npos ? 0 : what.find("- ") + 2);
    throw Error(location_of(text, at, path), "not valid JSON: " + what,
                "an object like {\"provider\": \"moonshot\", \"precision\": 4}");
  }
  if (!j.is_object()) {
    throw Error(Location{path, 1, 1}, "the config is not a JSON object", "{ \"provider\": ..., ... }");
  }
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  for (const auto& [key, value] : j.items()) {
    const Location where{path + ": /" + key};
    if (key == "provider" && value.is_string()) {
      config.provider = value.get<std::string>();
    } else if (key == "pricing" && value.is_array()) {
      for (const auto& item : value) {
        if (!item.is_string()) {
          throw Error(where, "pricing paths must be strings", "[\"cards/\", \"/etc/llmcost/extra.json\"]");
        }
        std::filesystem::path p = item.get<std::string>();
        config.pricing.push_back((p.is_relative() ? base / p : p).string());
      }
    } else if (key == "precision" && value.is_number_integer() && value.get<int>() >= 0 && value.get<int>() <= 12) {
      config.precision = value.get<int>();
    } else if (key == "tax_rate" && (value.is_string() || value.is_number())) {
      config.tax_rate = value.is_string() ? value.get<std::string>() : value.dump();
    } else if (key == "assume_model" && value.is_string()) {
      config.assume_model = value.get<std::string>();
    } else if (key == "model_aliases" && value.is_object()) {
      for (const auto& [from, to] : value.items()) {
        if (!to.is_string() || from.empty()) {
          throw Error(where, "bad alias \"" + from + "\": " + to.dump(),
                      "an object of model names to ROUTE/ID, e.g. {\"gpt-4.1-mini\": \"moonshot/kimi-k2.6\"}");
        }
        config.model_aliases.emplace_back(from, to.get<std::string>());
      }
    } else if (key == "assume_model" || key == "model_aliases") {
      throw Error(where, "bad value " + value.dump(),
                  key == "assume_model" ? "a ROUTE/ID, e.g. \"moonshot/kimi-k2.6\""
                                        : "an object of model names to ROUTE/ID");
    } else if (key == "provider" || key == "pricing" || key == "precision" || key == "tax_rate") {
      throw Error(where, "bad value " + value.dump(),
                  key == "provider"    ? "a route name, e.g. \"moonshot\""
                  : key == "pricing"   ? "an array of card files or directories"
                  : key == "precision" ? "an integer from 0 to 12"
                                       : "a percentage like \"8.5%\" or 8.5");
    } else {
      std::string near;
      for (const char* known : {"provider", "pricing", "precision", "tax_rate", "assume_model", "model_aliases"}) {
        if (edit_distance(to_lower(key), known) <= 2) {
          near = std::string("; did you mean \"") + known + "\"?";
        }
      }
      throw Error(where, "unknown setting \"" + key + "\"" + near,
                  "provider, pricing, precision, tax_rate, assume_model or model_aliases");
    }
  }
  return config;
}

const UserConfig& user_config(Context& context)
{
  if (!context.config) {
    const auto [path, origin] = config_location();
    std::ifstream file(path, std::ios::binary);
    UserConfig config;
    if (file) {
      std::ostringstream text;
      text << file.rdbuf();
      config = parse_config(text.str(), path);
    }
    config.path = path;
    config.path_origin = origin;
    context.config = std::make_shared<UserConfig>(std::move(config));
  }
  return *context.config;
}

void apply_config(CommonOptions& options, Context& context)
{
  const UserConfig& config = user_config(context);
  if (options.provider.empty() && config.provider) {
    options.provider = *config.provider;
  }
  if (options.precision < 0) {
    options.precision = config.precision.value_or(2);
  }
  options.config_pricing = config.pricing;
}

} // namespace llmcost::cli
