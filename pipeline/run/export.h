#pragma once
// `vidpred export`: a trained run as a folder to ship or share: its resolved
// config (with overrides), one checkpoint's weights without the optimizer's
// state (optionally as float16, half the size), its training log and plots.
// The folder is a run directory: eval, predict, plan and control take it.
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/config/registry.h"

namespace vidpred {

struct ExportArgs {
  std::filesystem::path run_dir;
  std::string checkpoint = "best";  // best, last, or a file
  std::vector<std::string> overrides;  // applied to the exported config.toml
  std::filesystem::path out;
  bool half = false;  // floating-point parameters as float16 (buffers stay float32)
  bool force = false;
};

struct ExportReport {
  std::vector<std::filesystem::path> files;
  int64_t parameters = 0;
  int64_t weight_bytes = 0;  // the exported checkpoint's size
};

ExportReport export_run(const ExportArgs& args, const Registry& registry);

}  // namespace vidpred
