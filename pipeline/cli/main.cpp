// vidpred: action-conditioned video prediction. Subcommands live in the
// *_commands.cpp files beside this one.
#include <csignal>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "pipeline/cli/commands.h"
#include "pipeline/core/error.h"

int main(int argc, char** argv) {
  // A file-size limit must fail a write with EFBIG (reported with the file's
  // name), not kill the process halfway through a file.
  std::signal(SIGXFSZ, SIG_IGN);
  vidpred::CancelToken cancel;
  vidpred::InterruptWatcher watcher(cancel);

  CLI::App app{"vidpred: action-conditioned video prediction (SVG-style CVAE) on BAIR robot pushing"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  vidpred::cli::add_data_commands(app, cancel);
#ifdef VIDPRED_WITH_TORCH
  vidpred::cli::add_run_commands(app, cancel);  // a build without LibTorch has the data commands only
#endif
  vidpred::cli::add_bench_commands(app, cancel);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const vidpred::Interrupted&) {
    // Files are only ever renamed into place when complete, so nothing half-written
    // remains; a training run continues from its last.pt with --resume.
    std::fputs("vidpred: interrupted; files are written only when complete (resume training with --resume RUN_DIR)\n", stderr);
    return 130;
  } catch (const std::exception& e) {
    std::fputs(fmt::format("vidpred: error: {}\n", e.what()).c_str(), stderr);
    return 1;
  }
  return 0;
}
