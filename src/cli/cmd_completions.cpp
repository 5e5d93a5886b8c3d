// `llmcost completions bash|zsh|fish`: print a shell completion script.

#include "cli/app.hpp"
#include "cli/completions.hpp"

#include <algorithm>
#include <set>

namespace llmcost::cli {

namespace {

struct CompletionsOptions
{
  CommonOptions common;
  std::string shell;
};

void run_completions(const CompletionsOptions& o, const CLI::App& root, Context& context)
{
  // Bundled cards only: the script is installed once, not per user.
  const Catalog catalog = Catalog::bundled();
  std::set<std::string> models;
  std::vector<std::string> providers;
  for (const auto& card : catalog.cards()) {
    providers.push_back(card.provider);
    for (const auto& model : card.models) {
      models.insert(card.provider + "/" + model.id);
      models.insert(model.id);
    }
  }
  emit(o.common, context,
       completion_script(root, o.shell, std::vector<std::string>(models.begin(), models.end()), providers));
}

} // namespace

void setup_completions(CLI::App& cmd, Context& context)
{
  auto options = std::make_shared<CompletionsOptions>();
  cmd.add_option("shell", options->shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd.add_option("-o,--output", options->common.output, "Write the script to FILE instead of standard output");
  cmd.footer("Install: llmcost completions bash > ~/.local/share/bash-completion/completions/llmcost\n"
             "         llmcost completions zsh > ~/.zfunc/_llmcost   (a directory on $fpath)\n"
             "         llmcost completions fish > ~/.config/fish/completions/llmcost.fish");
  const CLI::App* root = cmd.get_parent(); // completion_script walks every command
  cmd.callback([options, root, &context]() { run_completions(*options, *root, context); });
}

} // namespace llmcost::cli
