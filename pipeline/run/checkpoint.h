#pragma once
// Checkpoints: model weights and buffers, optimizer state, progress counters
// and the resolved config, written atomically (a .partial file renamed into
// place). Randomness is counter-based (pipeline/core/random.h), so the epoch
// and step counters are the whole RNG state.
#include <filesystem>
#include <optional>
#include <string>

#include "model/cvae.h"

namespace torch::optim {
class Optimizer;
}

namespace vidpred {

struct TrainingState {
  int64_t epochs_done = 0;  // completed epochs; training resumes at this epoch
  int64_t global_step = 0;
  uint64_t seed = 1;
  std::optional<double> best_psnr;  // best validation PSNR so far, none before the first validation
  std::string config;         // the resolved run file
};

// `half_parameters` stores floating-point parameters as float16 (half the
// size, for shipping weights); loading converts them to the model's dtype.
void save_checkpoint(const std::filesystem::path& path, const model::Cvae& model, torch::optim::Optimizer* optimizer,
                     const TrainingState& state, bool half_parameters = false);

// Loads into `model` (and `optimizer` when given). A file that is not a
// vidpred checkpoint, or whose parameters do not fit the model, is refused
// with a message naming the file and the first mismatched parameter, and
// leaves the model untouched.
TrainingState load_checkpoint(const std::filesystem::path& path, model::Cvae& model,
                              torch::optim::Optimizer* optimizer);

// The checkpoint that `choice` names for a trained run: "best" or "last" (the
// run directory's best.pt or last.pt), or a file. A missing one is an error
// that says what to do.
std::filesystem::path choose_checkpoint(const std::filesystem::path& run_dir, const std::string& choice);

// The resolved config stored in a checkpoint, without loading weights.
std::string checkpoint_config(const std::filesystem::path& path);

}  // namespace vidpred
