#include "pipeline/run/training.h"

#include <chrono>

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/random.h"
#include "pipeline/run/amp.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/noise.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "stages/metrics/metric.h"
#include "stages/optim/optimizer.h"
#include "stages/schedules/annealer.h"
#include "stages/schedules/teacher_forcing.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A stage built from its name alone, with every key at its default.
template <class Interface>
std::unique_ptr<Interface> default_stage(const Registry& registry, const std::string& name) {
  toml::table table;
  table.insert("type", name);
  return registry.create<Interface>(Params(table, name, "(built-in)"));
}

}  // namespace

TrainingSession::TrainingSession(const Config& config, const Registry& registry, const CancelToken& cancel)
    : config_(config), cancel_(cancel), device_(resolve_device(config.section("run").string("device"))) {
  auto run = config.section("run");
  if (run.integer("threads") > 0) torch::set_num_threads(int(run.integer("threads")));
  auto train = config.section("train");
  epochs_ = train.integer("epochs");
  n_past_ = train.integer("n_past");
  n_future_ = train.integer("n_future");
  steps_per_epoch_ = train.integer("steps_per_epoch");
  validate_batches_ = train.integer("validate_batches");
  validate_split_ = train.string("validate_split");
  bf16_ = train.string("amp") == "bf16";
  if (bf16_ && !device_.is_cuda()) train.fail("amp", "bf16 autocast needs run.device on CUDA");
  beta_ = config.section("loss").real("beta");

  data_ = registry.create<stages::DataSource>(config.section("data"));
  data_->check("train", length());
  augmenters_ = registry.create_all<stages::Augmenter>(config.root().list("augment"));
  annealer_ = registry.create<stages::Annealer>(config.section("annealer"));
  teacher_forcing_ = registry.create<stages::TeacherForcing>(config.section("teacher_forcing"));
  psnr_ = default_stage<stages::Metric>(registry, "psnr");
  ssim_ = default_stage<stages::Metric>(registry, "ssim");

  model_ = build_model(config, registry);
  model_->to(device_);
  optimizer_ = registry.create<stages::OptimizerStage>(config.section("optimizer"))->create(model_->parameters());
  state_.seed = uint64_t(run.integer("seed"));
  state_.config = config.to_toml(run_schema(), registry);
}

TrainingSession::~TrainingSession() = default;

void TrainingSession::restore(const fs::path& checkpoint) {
  TrainingState loaded = load_checkpoint(checkpoint, model_, optimizer_.get());
  loaded.config = state_.config;  // the config in force now (it may carry overrides)
  state_ = loaded;
}

void TrainingSession::save(const fs::path& checkpoint) const {
  save_checkpoint(checkpoint, const_cast<model::Cvae&>(model_), optimizer_.get(), state_);
}

stages::EpochRequest TrainingSession::epoch_request(int64_t epoch) const {
  stages::EpochRequest request;
  request.split = "train";
  request.seed = state_.seed;
  request.epoch = epoch;
  request.length = length();
  request.training = true;
  request.max_batches = steps_per_epoch_;
  request.pin_memory = wants_pinned_memory(device_);
  for (const auto& a : augmenters_) request.augmenters.push_back(a.get());
  return request;
}

StepStats TrainingSession::step(const stages::Batch& batch, int64_t epoch, double kl_factor, double tfr) {
  StepStats stats;
  stats.sequences = batch.frames.size(0);
  stats.teacher_forcing = CounterRng(state_.seed, {kTeacherForcingDraw, uint64_t(epoch), uint64_t(batch.index)})
                              .bernoulli(tfr);
  at::Tensor eps = counter_noise(state_.seed, kTrainNoise, uint64_t(epoch), batch.positions, length() - 1,
                                 model_->options().z_dim)
                       .to(device_);
  model_->train();
  optimizer_->zero_grad();
  model::StepLosses losses;
  at::Tensor loss;
  {
    AutocastScope autocast(bf16_);
    losses = model_->forward(batch.frames, batch.cond, eps, n_past_, stats.teacher_forcing);
    loss = losses.mse + beta_ * kl_factor * losses.kld;
  }
  loss.backward();
  optimizer_->step();
  stats.loss = loss.item<double>();
  stats.mse = losses.mse.item<double>();
  stats.kld = losses.kld.item<double>();
  if (!std::isfinite(stats.loss)) {
    throw Error(fmt::format("the loss became {} at epoch {} step {} (lower optimizer.lr?)", stats.loss, epoch,
                            batch.index));
  }
  ++state_.global_step;
  return stats;
}

EpochRecord TrainingSession::run_epoch(int64_t epoch, bool progress) {
  const auto start = Clock::now();
  EpochRecord record;
  record.epoch = epoch;
  record.kl_factor = annealer_->factor(epoch, epochs_);
  record.tfr = teacher_forcing_->ratio(epoch, epochs_);
  auto stream = data_->open(epoch_request(epoch), cancel_);
  DeviceFeeder feeder(*stream, device_);
  ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, epochs_), uint64_t(stream->batches()), "step", 0,
                  progress && stderr_is_terminal());
  int64_t steps = 0, sequences = 0;
  const double T = double(length());
  while (auto batch = feeder.next()) {
    cancel_.throw_if_cancelled();
    StepStats s = step(*batch, epoch, record.kl_factor, record.tfr);
    ++steps;
    sequences += s.sequences;
    record.loss += s.loss / T;
    record.mse += s.mse / T;
    record.kld += s.kld / T;
    bar.set_status(fmt::format("loss {:.5f} mse {:.5f} kld {:.3f} tfr {:.2f} kl {:.2f} {:.1f} seq/s",
                               record.loss / steps, record.mse / steps, record.kld / steps, record.tfr,
                               record.kl_factor, sequences / std::max(1e-9, seconds_since(start))));
    bar.advance(1);
  }
  bar.finish();
  if (steps == 0) throw Error("the train split gave no batch (fewer sequences than data.batch_size?)");
  record.loss /= double(steps);
  record.mse /= double(steps);
  record.kld /= double(steps);
  data_wait_seconds_ += feeder.wait_seconds();
  record.seconds = seconds_since(start);
  return record;
}

Validation TrainingSession::validate() {
  stages::EpochRequest request;
  request.split = validate_split_;
  request.seed = state_.seed;
  request.length = length();
  request.training = false;
  request.max_batches = validate_batches_;
  request.pin_memory = wants_pinned_memory(device_);
  auto stream = data_->open(request, cancel_);
  DeviceFeeder feeder(*stream, device_);
  GenerationRequest generation{n_past_, n_future_, 1, state_.seed};
  double psnr = 0, ssim = 0;
  int64_t count = 0;
  while (auto batch = feeder.next()) {
    cancel_.throw_if_cancelled();
    at::Tensor predicted = generate_samples(model_, *batch, generation).select(1, 0);
    at::Tensor truth = batch->frames.narrow(1, n_past_, n_future_);
    psnr += psnr_->per_step(predicted, truth).mean(1).sum().item<double>();
    ssim += ssim_->per_step(predicted, truth).mean(1).sum().item<double>();
    count += predicted.size(0);
  }
  if (count == 0) throw Error(fmt::format("the {} split gave no sequence to validate on", validate_split_));
  return {psnr / double(count), ssim / double(count)};
}

// ------------------------------------------------------------------ train()

namespace {

struct RunFiles {
  fs::path dir;
  fs::path config() const { return dir / "config.toml"; }
  fs::path last() const { return dir / "last.pt"; }
  fs::path best() const { return dir / "best.pt"; }
  fs::path log() const { return dir / "train_log.csv"; }
};

Config load_run_config(const TrainArgs& args, const Registry& registry) {
  if (!args.resume_dir.empty()) {
    RunFiles files{args.resume_dir};
    std::error_code ec;
    if (!fs::exists(files.last(), ec)) {
      throw Error(fmt::format("cannot resume '{}': it has no last.pt", args.resume_dir.string()));
    }
    return Config::load(files.config(), args.overrides, run_schema(), registry);
  }
  return Config::load(args.run_file, args.overrides, run_schema(), registry);
}

// The training curves for the writers: one figure per quantity, against epoch.
std::vector<stages::Figure> training_figures(const TrainLog& log) {
  struct Quantity {
    const char* name;
    double EpochRecord::*value;
  };
  std::vector<stages::Figure> figures;
  for (Quantity q : {Quantity{"loss", &EpochRecord::loss}, Quantity{"mse", &EpochRecord::mse},
                     Quantity{"kld", &EpochRecord::kld}, Quantity{"kl_factor", &EpochRecord::kl_factor},
                     Quantity{"tfr", &EpochRecord::tfr}}) {
    stages::Series series{q.name, {}, {}};
    for (const auto& r : log.records()) {
      series.x.push_back(double(r.epoch + 1));
      series.y.push_back(r.*q.value);
    }
    figures.push_back({std::string("train_") + q.name, std::string(q.name) + " per epoch", "epoch", q.name, {series}});
  }
  stages::Series psnr{"val_psnr", {}, {}}, ssim{"val_ssim", {}, {}};
  for (const auto& r : log.records()) {
    if (!r.val_psnr) continue;
    psnr.x.push_back(double(r.epoch + 1));
    psnr.y.push_back(*r.val_psnr);
    ssim.x.push_back(double(r.epoch + 1));
    ssim.y.push_back(*r.val_ssim);
  }
  figures.push_back({"train_val_psnr", "validation PSNR per epoch", "epoch", "PSNR (dB)", {psnr}});
  figures.push_back({"train_val_ssim", "validation SSIM per epoch", "epoch", "SSIM", {ssim}});
  return figures;
}

std::map<std::string, double> epoch_scalars(const EpochRecord& r) {
  std::map<std::string, double> scalars{{"loss", r.loss}, {"mse", r.mse}, {"kld", r.kld},
                                        {"kl_factor", r.kl_factor}, {"tfr", r.tfr}, {"seconds", r.seconds}};
  if (r.val_psnr) scalars["val_psnr"] = *r.val_psnr;
  if (r.val_ssim) scalars["val_ssim"] = *r.val_ssim;
  return scalars;
}

}  // namespace

TrainReport train(const TrainArgs& args, const Registry& registry, const CancelToken& cancel) {
  Config config = load_run_config(args, registry);
  RunFiles files{args.resume_dir.empty() ? fs::path(config.section("run").string("dir")) : args.resume_dir};
  std::error_code ec;
  if (args.resume_dir.empty() && fs::exists(files.last(), ec) && !args.force) {
    throw Error(fmt::format("'{}' already holds a run; continue it with --resume {}, or pass --force to start over",
                            files.dir.string(), files.dir.string()));
  }
  TrainingSession session(config, registry, cancel);
  TrainLog log;
  if (!args.resume_dir.empty()) {
    session.restore(files.last());
    log = TrainLog::read(files.log(), session.state().epochs_done);
    fmt::print("resuming {} after epoch {}\n", files.dir.string(), session.state().epochs_done);
  } else {
    fs::create_directories(files.dir, ec);
    if (ec) throw Error(fmt::format("cannot create '{}': {}", files.dir.string(), ec.message()));
    fs::remove(files.best(), ec);
  }
  write_file_atomically(files.config(), session.state().config);
  auto writers = registry.create_all<stages::Writer>(config.root().list("outputs"));
  for (auto& w : writers) w->begin({files.dir, "train"});

  const int64_t epochs = session.epochs();
  auto train = config.section("train");
  const int64_t validate_every = train.integer("validate_every"), checkpoint_every = train.integer("checkpoint_every");
  TrainReport report;
  report.run_dir = files.dir;
  for (int64_t epoch = session.state().epochs_done; epoch < epochs; ++epoch) {
    EpochRecord record = session.run_epoch(epoch, args.progress);
    const bool last = epoch + 1 == epochs;
    if ((epoch + 1) % validate_every == 0 || last) {
      auto start = Clock::now();
      Validation v = session.validate();
      record.val_psnr = v.psnr;
      record.val_ssim = v.ssim;
      record.seconds += seconds_since(start);
      if (v.psnr > session.state().best_psnr) {
        session.state().best_psnr = v.psnr;
        session.state().epochs_done = epoch + 1;
        session.save(files.best());
      }
    }
    session.state().epochs_done = epoch + 1;
    if ((epoch + 1) % checkpoint_every == 0 || last) session.save(files.last());
    log.add(record);
    log.write(files.log());
    for (auto& w : writers) w->epoch(epoch, epoch_scalars(record));
    std::string validation =
        record.val_psnr ? fmt::format(" | val psnr {:.2f} ssim {:.4f}", *record.val_psnr, *record.val_ssim) : "";
    fmt::print("epoch {:>3}/{}  loss {:.5f}  mse {:.5f}  kld {:.4f}  kl {:.2f}  tfr {:.2f}  {:.1f}s{}\n", epoch + 1,
               epochs, record.loss, record.mse, record.kld, record.kl_factor, record.tfr, record.seconds, validation);
    std::fflush(stdout);
  }
  for (auto& w : writers) {
    w->end(training_figures(log), log.records().empty() ? std::map<std::string, double>{}
                                                        : epoch_scalars(log.records().back()));
    for (const auto& f : w->files()) report.files.push_back(f);
  }
  report.epochs_done = session.state().epochs_done;
  if (session.state().best_psnr > -1e300) report.best_psnr = session.state().best_psnr;
  return report;
}

}  // namespace vidpred
