#pragma once
// The user's defaults: $LLMCOST_CONFIG, else $XDG_CONFIG_HOME/llmcost/config.json,
// else ~/.config/llmcost/config.json (JSON, comments allowed). Flags override it.
//   { "provider": "moonshot", "pricing": ["~/cards"], "precision": 4, "tax_rate": "8.5%",
//     "assume_model": "moonshot/kimi-k2.6", "model_aliases": {"gpt-4.1-mini": "moonshot/kimi-k2.6"} }

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmcost::cli {

struct CommonOptions;
struct Context;

struct UserConfig
{
  std::string path;        // where it is (or would be) read from
  bool found = false;      // the file exists
  std::string path_origin; // "LLMCOST_CONFIG", "XDG_CONFIG_HOME" or "HOME"
  std::optional<std::string> provider;
  std::vector<std::string> pricing; // resolved against the file's directory
  std::optional<int> precision;
  std::optional<std::string> tax_rate;
  std::optional<std::string> assume_model;                        // as --assume-model
  std::vector<std::pair<std::string, std::string>> model_aliases; // as --model-alias, in file order
};

// Where the config file is, and which variable said so.
std::pair<std::string, std::string> config_location();
// Parses a config's text; errors name path:line:col.
UserConfig parse_config(std::string_view text, const std::string& path);
// Reads it (no file: an empty config); cached in the context.
const UserConfig& user_config(Context& context);
// Fills what the flags left unset: provider, precision, and the config's
// pricing paths before --pricing (flags are loaded last, so they win).
void apply_config(CommonOptions& options, Context& context);

} // namespace llmcost::cli
