#pragma once
// Training the tests' run file (configs/test-tiny.toml): what a test that
// needs a trained run starts from.
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/run/training.h"

namespace vidpred::test {

// test-tiny on the dataset in `data_root`, into `run_dir`, without a progress
// line; `overrides` come after its own.
inline TrainArgs tiny_train_args(const std::filesystem::path& data_root, const std::filesystem::path& run_dir,
                                 const std::vector<std::string>& overrides = {}) {
  TrainArgs a;
  a.run_file = std::string(VIDPRED_SOURCE_DIR) + "/configs/test-tiny.toml";
  a.overrides = {"data.root=" + data_root.string(), "run.dir=" + run_dir.string()};
  a.overrides.insert(a.overrides.end(), overrides.begin(), overrides.end());
  a.progress = false;
  return a;
}

}  // namespace vidpred::test
