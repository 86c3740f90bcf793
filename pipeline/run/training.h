#pragma once
// A training run: the model, its optimizer and every stage around it, built
// from a resolved config; epochs with progress, validation, checkpoints and
// the CSV log. `vidpred train` and `vidpred bench train` both drive it.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <c10/core/Device.h>

#include "model/cvae.h"
#include "pipeline/config/config.h"
#include "pipeline/core/cancel.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/distributed/gradient_sync.h"
#include "pipeline/distributed/process_group.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/train_log.h"
#include "stages/data/data_source.h"

namespace torch::optim {
class Optimizer;
}

namespace vidpred {
namespace stages {
class Annealer;
class LearningRateSchedule;
class TeacherForcing;
class Metric;
}  // namespace stages

struct StepStats {
  double loss = 0, mse = 0, kld = 0;  // this batch's values (not divided by T)
  int64_t sequences = 0;
  bool teacher_forcing = true;
  double weight = 1;  // this rank's share of the global batch (1 in a single process)
};

struct Validation {
  double psnr = 0, ssim = 0;
};

// With a process group, the session is one replica of a data-parallel run:
// rank 0's weights are broadcast, each rank trains on its shard of every
// global batch, gradients are averaged, validation and logged losses are
// reduced over the ranks (every rank gets the global figures).
class TrainingSession {
 public:
  TrainingSession(const Config& config, const Registry& registry, const CancelToken& cancel,
                  dist::ProcessGroup* group = nullptr, dist::SyncOptions sync = {});
  ~TrainingSession();

  // Resumes from a checkpoint (model, optimizer, counters).
  void restore(const std::filesystem::path& checkpoint);
  void save(const std::filesystem::path& checkpoint) const;

  // One optimisation step on a batch already on the device.
  StepStats step(const stages::Batch& batch, int64_t epoch, double kl_factor, double tfr);
  // Sets every parameter group's rate to its configured one times the
  // lr_schedule's factor at this share of the run; returns the first group's.
  double schedule_learning_rate(double progress);
  // One epoch: a pass of the data graph with a progress bar.
  EpochRecord run_epoch(int64_t epoch, bool progress);
  Validation validate();

  model::Cvae& model() { return model_; }
  stages::DataSource& data() { return *data_; }
  const TrainingState& state() const { return state_; }
  TrainingState& state() { return state_; }
  c10::Device device() const { return device_; }
  int64_t epochs() const { return epochs_; }
  int64_t length() const { return n_past_ + n_future_; }
  stages::EpochRequest epoch_request(int64_t epoch) const;
  double data_wait_seconds() const { return data_wait_seconds_; }
  dist::ProcessGroup* group() const { return group_; }
  const dist::GradientSync* gradient_sync() const { return gradient_sync_.get(); }
  // Every step prints "rank R epoch E batch I positions ..." (tests of sharding).
  void set_trace(bool trace) { trace_ = trace; }
  // Overwrites parameters (and buffers) with rank 0's.
  void broadcast_from_rank0(bool parameters, bool buffers);

 private:
  const Config& config_;
  CancelToken cancel_;
  c10::Device device_;
  model::Cvae model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::unique_ptr<stages::LearningRateSchedule> lr_schedule_;
  std::vector<double> base_learning_rates_;  // per parameter group, as configured
  std::unique_ptr<stages::DataSource> data_;
  std::vector<std::unique_ptr<stages::Augmenter>> augmenters_;
  std::unique_ptr<stages::Annealer> annealer_;
  std::unique_ptr<stages::TeacherForcing> teacher_forcing_;
  std::unique_ptr<stages::Metric> psnr_, ssim_;
  TrainingState state_;
  int64_t epochs_, n_past_, n_future_, steps_per_epoch_, validate_batches_;
  double beta_;
  double ssim_weight_;
  bool bf16_;
  std::string validate_split_;
  double data_wait_seconds_ = 0;
  // The run's clock and steps from the first epoch this process trains, for
  // the progress bar's whole-run ETA.
  std::optional<Stopwatch> run_watch_;
  uint64_t run_steps_ = 0;
  dist::ProcessGroup* group_ = nullptr;
  std::unique_ptr<dist::GradientSync> gradient_sync_;
  bool trace_ = false;
};

struct TrainArgs {
  std::filesystem::path run_file;    // a new run from this file...
  std::filesystem::path resume_dir;  // ...or the run in this directory, continued
  std::vector<std::string> overrides;
  bool force = false;                // a new run may replace an old one in run.dir
  // Stop cleanly after this epoch (counted from 1) of the run's schedule,
  // last.pt written: a time-boxed session; --resume continues the same run.
  std::optional<int64_t> stop_after_epoch;
  bool progress = true;
  // Data-parallel runs (a worker of `--nproc-per-node`, torchrun, ...).
  std::chrono::milliseconds dist_timeout{std::chrono::seconds(300)};
  dist::SyncOptions sync;
  bool debug_dist = false;  // every rank prints its shards and a checksum of its weights
};

struct TrainReport {
  std::filesystem::path run_dir;
  int64_t epochs_done = 0;
  int64_t epochs = 0;                        // the run's train.epochs
  std::optional<double> best_psnr;
  std::vector<std::filesystem::path> files;  // written by the output writers
  int rank = 0, world = 1;                   // only rank 0 writes and reports
  bool nothing_to_train = false;             // a resumed run had finished its train.epochs: nothing was written
};

TrainReport train(const TrainArgs& args, const Registry& registry, const CancelToken& cancel);

}  // namespace vidpred
