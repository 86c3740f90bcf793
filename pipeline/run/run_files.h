#pragma once
// The layout of a run directory, named in one place: `vidpred train` writes
// it, `eval`, `predict` and `--resume` read it.
#include <filesystem>
#include <string>

namespace vidpred {

struct RunFiles {
  std::filesystem::path dir;
  std::filesystem::path config() const { return dir / "config.toml"; }  // the resolved run file
  std::filesystem::path last() const { return dir / "last.pt"; }        // written every checkpoint_every epochs
  std::filesystem::path best() const { return dir / "best.pt"; }        // best validation PSNR
  std::filesystem::path log() const { return dir / "train_log.csv"; }
  std::filesystem::path eval_dir() const { return dir / "eval"; }
  // "best" or "last": that checkpoint of the run.
  std::filesystem::path checkpoint(const std::string& which) const { return dir / (which + ".pt"); }
};

}  // namespace vidpred
