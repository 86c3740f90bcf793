#pragma once
// The layout of a run directory, named in one place: `vidpred train` writes
// it, `eval`, `predict` and `--resume` read it.
#include <filesystem>
#include <string>

namespace vidpred {

struct RunFiles {
  std::filesystem::path dir;
  std::filesystem::path config() const { return dir / "config.toml"; }  // the resolved run file
  // "best" (best validation PSNR) or "last" (every checkpoint_every epochs).
  std::filesystem::path checkpoint(const std::string& which) const { return dir / (which + ".pt"); }
  std::filesystem::path last() const { return checkpoint("last"); }
  std::filesystem::path best() const { return checkpoint("best"); }
  std::filesystem::path log() const { return dir / "train_log.csv"; }
  std::filesystem::path eval_dir() const { return dir / "eval"; }
};

}  // namespace vidpred
