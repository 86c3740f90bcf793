#include "pipeline/run/export.h"

#include <torch/torch.h>

#include "pipeline/run/checkpoint.h"
#include "pipeline/run/output_folder.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_files.h"
#include "pipeline/run/run_schema.h"
#include "pipeline/core/atomic_file.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

// The training log and plots, when the run has them: what the model went
// through, shipped beside it.
std::vector<fs::path> copy_history(const RunFiles& from, const fs::path& to) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(from.log(), ec)) {
    fs::copy_file(from.log(), to / from.log().filename());
    files.push_back(from.log().filename());
  }
  const fs::path plots = from.dir / "plots";
  if (fs::is_directory(plots, ec)) {
    fs::create_directories(to / "plots");
    for (const auto& entry : fs::directory_iterator(plots)) {
      if (!entry.is_regular_file()) continue;
      fs::copy_file(entry.path(), to / "plots" / entry.path().filename());
      files.push_back(fs::path("plots") / entry.path().filename());
    }
  }
  return files;
}

}  // namespace

ExportReport export_run(const ExportArgs& args, const Registry& registry) {
  const OutputFolder folder{args.out, "export", "an earlier export", args.force};
  folder.check();
  const Config config = load_run_directory_config(args.run_dir, {}, args.overrides, registry);
  const fs::path checkpoint = choose_checkpoint(args.run_dir, args.checkpoint);
  model::Cvae model = build_model(config, registry);
  TrainingState state = load_checkpoint(checkpoint, model, nullptr);
  state.config = config.to_toml(run_schema(), registry);
  ExportReport report;
  for (const auto& p : model->parameters()) report.parameters += p.numel();
  report.files = folder.write([&](const fs::path& staging) {
    const RunFiles to{staging};
    write_file_atomically(to.config(), state.config);
    save_checkpoint(to.best(), model, nullptr, state, args.half);
    std::vector<fs::path> files{to.config().filename(), to.best().filename()};
    for (auto& f : copy_history(RunFiles{args.run_dir}, staging)) files.push_back(std::move(f));
    report.weight_bytes = int64_t(fs::file_size(to.best()));
    return files;
  });
  return report;
}

}  // namespace vidpred
