// vidpred: action-conditioned video prediction. Subcommands live in the
// *_commands.cpp files beside this one.
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/cli/commands.h"
#include "pipeline/core/error.h"
#include "pipeline/core/text.h"

namespace {

// CLI11 reports a misspelt command ("vidpred trian") as a missing one; this
// names the word and suggests the nearest command. Levels that require a
// subcommand (vidpred, config, bench) take no valued options before it, so
// every bare word there is meant as a command.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path;  // "config ", "bench ": the level's own words
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : level->get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (names.empty() || level->get_require_subcommand_min() == 0) return std::nullopt;
    CLI::App* next = nullptr;
    try {
      next = level->get_subcommand(word);
    } catch (const CLI::OptionNotFound&) {
      return fmt::format("unknown {}command '{}'{}; commands: {}", path, word, vidpred::did_you_mean(word, names),
                         fmt::join(names, ", "));
    }
    level = next;
    path += word + " ";
  }
  return std::nullopt;
}

// The level (vidpred, config, bench) that was given no subcommand although it
// needs one, or null: the deepest command on the line.
const CLI::App* missing_subcommand(const CLI::App& app) {
  const CLI::App* level = &app;
  while (!level->get_subcommands().empty()) level = level->get_subcommands().front();
  return level->get_require_subcommand_min() > 0 ? level : nullptr;
}

// Usage errors exit with 2, as command-line tools do.
constexpr int kUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit must fail a write with EFBIG (reported with the file's
  // name), not kill the process halfway through a file.
  std::signal(SIGXFSZ, SIG_IGN);
  vidpred::CancelToken cancel;
  vidpred::InterruptWatcher watcher(cancel);

  CLI::App app{"vidpred: action-conditioned video prediction (SVG-style CVAE) on BAIR robot pushing"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VIDPRED_VERSION);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  vidpred::cli::add_data_commands(app, cancel);
#ifdef VIDPRED_WITH_TORCH
  vidpred::cli::add_run_commands(app, cancel);  // a build without LibTorch has the data commands only
#endif
  vidpred::cli::add_bench_commands(app, cancel);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (auto message = unknown_command(app, argc, argv)) {
      std::fputs(fmt::format("vidpred: error: {}\n", *message).c_str(), stderr);
      return e.get_exit_code();
    }
    if (const CLI::App* level = missing_subcommand(app); level && dynamic_cast<const CLI::RequiredError*>(&e)) {
      std::fputs(level->help().c_str(), stderr);
      return kUsageError;
    }
    return app.exit(e);
  } catch (const vidpred::Interrupted&) {
    // Files are only ever renamed into place when complete, so nothing half-written
    // remains; a training run continues from its last.pt with --resume.
    std::fputs("vidpred: interrupted; no file was left half-written (a training continues with vidpred train "
               "--resume RUN_DIR)\n",
               stderr);
    return 130;
  } catch (const std::exception& e) {
    std::fputs(fmt::format("vidpred: error: {}\n", e.what()).c_str(), stderr);
    return 1;
  }
  return 0;
}
