#include "pipeline/run/training.h"

#include <unistd.h>

#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "model/ssim.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/directory_lock.h"
#include "pipeline/core/error.h"
#include "pipeline/core/progress.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/core/random.h"
#include "pipeline/distributed/env.h"
#include "pipeline/distributed/stats_reducer.h"
#include "pipeline/run/amp.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/noise.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_files.h"
#include "pipeline/run/run_schema.h"
#include "stages/metrics/metric.h"
#include "stages/optim/optimizer.h"
#include "stages/schedules/annealer.h"
#include "stages/schedules/learning_rate.h"
#include "stages/schedules/teacher_forcing.h"
#include "stages/writers/writer.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

// The conditions' per-dimension mean and deviation over the first batches of
// an epoch's request (unaugmented), for a model that standardises them:
// thousands of frames, a second's reading.
void fit_cond_statistics(model::CvaeImpl& model, stages::DataSource& data, stages::EpochRequest request,
                         const CancelToken& cancel) {
  constexpr int64_t kBatches = 32;
  request.max_batches = kBatches;
  request.augmenters.clear();
  auto stream = data.open(request, cancel);
  std::vector<at::Tensor> rows;
  while (auto batch = stream->next()) rows.push_back(batch->cond.reshape({-1, batch->cond.size(-1)}).to(at::kDouble));
  if (rows.empty()) throw Error("model.normalize_cond: the train split gave no batch to fit the conditions' statistics");
  const at::Tensor all = torch::cat(rows);
  model.set_cond_statistics(all.mean(0).to(at::kFloat), all.std(0).to(at::kFloat));
}

// A stage built from its name alone, with every key at its default.
template <class Interface>
std::unique_ptr<Interface> default_stage(const Registry& registry, const std::string& name) {
  toml::table table;
  table.insert("type", name);
  return registry.create<Interface>(Params(table, name, "(built-in)"));
}

// Sums each value over the ranks of `group` (a float64 tensor on the group's
// device, which NCCL needs to be a GPU's).
std::vector<double> sum_over_ranks(dist::ProcessGroup& group, const std::vector<double>& values) {
  at::Tensor sums = torch::tensor(values, torch::kDouble).to(group.device());
  group.all_sum(sums);
  sums = sums.cpu();
  return {sums.data_ptr<double>(), sums.data_ptr<double>() + sums.numel()};
}

}  // namespace

TrainingSession::TrainingSession(const Config& config, const Registry& registry, const CancelToken& cancel,
                                 dist::ProcessGroup* group, dist::SyncOptions sync)
    : config_(config), cancel_(cancel), device_(resolve_device(config.section("run").string("device"))),
      group_(group) {
  auto run = config.section("run");
  if (run.integer("threads") > 0) {
    torch::set_num_threads(int(run.integer("threads")));
  } else if (group_) {
    // N processes on C cores: C/N threads each, not C each.
    torch::set_num_threads(dist::threads_per_worker(group_->env().local_world_size));
  }
  if (group_) device_ = group_->device();
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
  ssim_weight_ = config.section("loss").real("ssim");

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
  // Taken before a checkpoint's optimizer state can replace them with the
  // scheduled rates it was saved with.
  for (const auto& group : optimizer_->param_groups()) base_learning_rates_.push_back(group.options().get_lr());
  lr_schedule_ = registry.create<stages::LearningRateSchedule>(config.section("lr_schedule"));
  state_.seed = uint64_t(run.integer("seed"));
  state_.config = config.to_toml(run_schema(), registry);
  // A resumed run's checkpoint replaces them with those it was trained with.
  if (model_->options().normalize_cond && model_->options().conditioned) fit_cond_statistics(*model_, *data_, epoch_request(0), cancel_);

  if (group_) {
    if (data_->batch_size() < group_->size()) {
      config.section("data").fail("batch_size", fmt::format("the global batch ({}) must have at least one sequence "
                                                            "per rank ({} ranks)",
                                                            data_->batch_size(), group_->size()));
    }
    // false: per-rank statistics, as PyTorch's DDP does by default.
    if (train.flag("sync_batchnorm")) model::set_stats_reducer(*model_, dist::make_stats_reducer(*group_));
    broadcast_from_rank0(true, true);
    gradient_sync_ = std::make_unique<dist::GradientSync>(*group_, model_->parameters(), sync);
  }
}

TrainingSession::~TrainingSession() = default;

void TrainingSession::restore(const fs::path& checkpoint) {
  TrainingState loaded = load_checkpoint(checkpoint, model_, optimizer_.get());
  loaded.config = state_.config;  // the config in force now (it may carry overrides)
  state_ = loaded;
  // Every rank read the file; rank 0's copy is the truth if they differ.
  if (group_) broadcast_from_rank0(true, true);
}

void TrainingSession::broadcast_from_rank0(bool parameters, bool buffers) {
  if (!group_) return;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> tensors;
  if (parameters) {
    for (const auto& p : model_->parameters()) tensors.push_back(p);
  }
  if (buffers) {
    for (const auto& b : model_->buffers()) tensors.push_back(b);
  }
  // One flat broadcast per dtype (float weights, int64 batch counters).
  std::map<at::ScalarType, std::vector<at::Tensor>> by_type;
  for (const auto& t : tensors) by_type[t.scalar_type()].push_back(t);
  for (auto& [type, same_type] : by_type) {
    at::Tensor flat = at::flatten_dense_tensors(same_type);
    group_->broadcast(flat, 0);
    const std::vector<at::Tensor> received = at::unflatten_dense_tensors(flat, same_type);
    for (size_t i = 0; i < same_type.size(); ++i) same_type[i].copy_(received[i]);
  }
}

void TrainingSession::save(const fs::path& checkpoint) const {
  save_checkpoint(checkpoint, model_, optimizer_.get(), state_);
}

stages::EpochRequest TrainingSession::epoch_request(int64_t epoch) const {
  auto request = pass_request("train", true, length(), state_.seed, device_, group_);
  request.epoch = epoch;
  request.max_batches = steps_per_epoch_;
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
  if (trace_) {
    fmt::print("rank {} epoch {} batch {} positions {}\n", group_ ? group_->rank() : 0, epoch, batch.index,
               fmt::join(batch.positions, ","));
    std::fflush(stdout);
  }
  model_->train();
  optimizer_->zero_grad();
  model::StepLosses losses;
  at::Tensor loss;
  {
    AutocastScope autocast(bf16_);
    losses = model_->forward(batch.frames, batch.cond, eps, n_past_, stats.teacher_forcing);
    loss = losses.mse + beta_ * kl_factor * losses.kld;
  }
  if (ssim_weight_ > 0) {
    // Outside autocast: SSIM's variances are differences of squares, lost in bf16.
    at::Tensor decoded = losses.predicted.to(at::kFloat);
    at::Tensor truth = batch.frames.narrow(1, 1, decoded.size(1)).to(at::kFloat);
    at::Tensor ssim = model::structural_similarity(decoded.flatten(0, 1), truth.flatten(0, 1));
    loss = loss + ssim_weight_ * (1 - ssim).sum() / double(decoded.size(0));
  }
  if (gradient_sync_) {
    // The global batch's loss is the mean of the ranks' losses weighted by
    // their share of the batch; the sync divides by the world size, so each
    // rank scales its own by world * share (1 when the shards are equal).
    const int64_t rows = batch.global_rows > 0 ? batch.global_rows : data_->batch_size();
    stats.weight = double(stats.sequences) / double(rows);
    gradient_sync_->begin_step();
    (loss * (stats.weight * group_->size())).backward();
    gradient_sync_->finish_step();
  } else {
    loss.backward();
  }
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

double TrainingSession::schedule_learning_rate(double progress) {
  const double factor = lr_schedule_->factor(progress);
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_learning_rates_[i] * factor);
  return base_learning_rates_.front() * factor;
}

EpochRecord TrainingSession::run_epoch(int64_t epoch, bool progress) {
  const Stopwatch watch;
  EpochRecord record;
  record.epoch = epoch;
  record.kl_factor = annealer_->factor(epoch, epochs_);
  record.tfr = teacher_forcing_->ratio(epoch, epochs_);
  auto stream = data_->open(epoch_request(epoch), cancel_);
  DeviceFeeder feeder(*stream, device_);
  ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, epochs_), uint64_t(stream->batches()), "step", 0, progress);
  if (!run_watch_) run_watch_.emplace();
  // Later epochs are taken to have as many steps as this one.
  bar.set_run({run_steps_, run_watch_->seconds(), uint64_t(stream->batches()) * uint64_t(epochs_ - epoch - 1)});
  int64_t steps = 0, sequences = 0;
  const double T = double(length());
  while (auto batch = feeder.next()) {
    cancel_.throw_if_cancelled();
    const double run_share = (double(epoch) + double(steps) / double(stream->batches())) / double(epochs_);
    const double lr = schedule_learning_rate(run_share);
    StepStats s = step(*batch, epoch, record.kl_factor, record.tfr);
    ++steps;
    sequences += s.sequences;
    // This rank's share of the global batch's loss (the whole of it alone).
    record.loss += s.weight * s.loss / T;
    record.mse += s.weight * s.mse / T;
    record.kld += s.weight * s.kld / T;
    bar.set_status(fmt::format("loss {:.5f} mse {:.5f} kld {:.3f} tfr {:.2f} kl {:.2f} lr {:.2g} {:.1f} seq/s",
                               record.loss / steps, record.mse / steps, record.kld / steps, record.tfr,
                               record.kl_factor, lr, sequences / std::max(1e-9, watch.seconds())));
    bar.advance(1);
  }
  bar.finish();
  run_steps_ += uint64_t(steps);
  if (steps == 0) {
    throw Error(fmt::format("the train split gave no batch (fewer sequences than data.batch_size{}?)",
                            group_ ? fmt::format(", or than the {} ranks", group_->size()) : ""));
  }
  if (group_) {
    const auto sums = sum_over_ranks(*group_, {record.loss, record.mse, record.kld});
    record.loss = sums[0];
    record.mse = sums[1];
    record.kld = sums[2];
    // Without sync_batchnorm each rank's running statistics saw its own
    // shard: rank 0's become everyone's, as DDP's broadcast_buffers does.
    broadcast_from_rank0(false, true);
  }
  record.loss /= double(steps);
  record.mse /= double(steps);
  record.kld /= double(steps);
  data_wait_seconds_ += feeder.wait_seconds();
  record.seconds = watch.seconds();
  return record;
}

Validation TrainingSession::validate() {
  auto request = pass_request(validate_split_, false, length(), state_.seed, device_, group_);
  request.max_batches = validate_batches_;
  auto stream = data_->open(request, cancel_);
  DeviceFeeder feeder(*stream, device_);
  GenerationRequest generation{n_past_, n_future_, 1, state_.seed};
  double psnr = 0, ssim = 0;
  int64_t count = 0;
  while (auto batch = feeder.next()) {
    cancel_.throw_if_cancelled();
    if (batch->frames.size(0) == 0) continue;  // a shard of a short last batch
    at::Tensor predicted = generate_samples(model_, *batch, generation).select(1, 0);
    at::Tensor truth = batch->frames.narrow(1, n_past_, n_future_);
    psnr += psnr_->per_step(predicted, truth).mean(1).sum().item<double>();
    ssim += ssim_->per_step(predicted, truth).mean(1).sum().item<double>();
    count += predicted.size(0);
  }
  if (group_) {
    const auto sums = sum_over_ranks(*group_, {psnr, ssim, double(count)});
    psnr = sums[0];
    ssim = sums[1];
    count = int64_t(sums[2]);
  }
  if (count == 0) throw Error(fmt::format("the {} split gave no sequence to validate on", validate_split_));
  return {psnr / double(count), ssim / double(count)};
}

// ------------------------------------------------------------------ train()

namespace {

Config load_run_config(const TrainArgs& args, const Registry& registry) {
  if (!args.resume_dir.empty()) {
    RunFiles files{args.resume_dir};
    std::error_code ec;
    const std::string dir = args.resume_dir.string();
    if (!fs::is_directory(args.resume_dir, ec)) throw Error(fmt::format("cannot resume '{}': no such folder", dir));
    if (!fs::exists(files.last(), ec)) {
      // A run stopped before its first epoch ended has nothing to resume
      // from; its config.toml (written first) starts it again as it was.
      const std::string again = fs::exists(files.config(), ec)
                                    ? fmt::format("'vidpred train {}'", files.config().string())
                                    : fmt::format("'vidpred train RUN.toml --set run.dir={}'", dir);
      throw Error(fmt::format("cannot resume '{}': it has no last.pt (no epoch of it finished); start it again "
                              "with {}",
                              dir, again));
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
    bool log_y = false;  // the KL term falls by orders of magnitude over the first epochs
  };
  std::vector<stages::Figure> figures;
  for (Quantity q : {Quantity{"loss", &EpochRecord::loss}, Quantity{"mse", &EpochRecord::mse},
                     Quantity{"kld", &EpochRecord::kld, true}, Quantity{"kl_factor", &EpochRecord::kl_factor},
                     Quantity{"tfr", &EpochRecord::tfr}}) {
    stages::Series series{q.name, {}, {}};
    for (const auto& r : log.records()) {
      series.x.push_back(double(r.epoch + 1));
      series.y.push_back(r.*q.value);
    }
    figures.push_back(
        {std::string("train_") + q.name, std::string(q.name) + " per epoch", "epoch", q.name, {series}, q.log_y});
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

// FNV-1a over the bytes of every parameter and buffer: replicas that hold
// bit-identical weights print the same value.
std::string weights_checksum(model::Cvae& model) {
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](const at::Tensor& t) {
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    const auto* bytes = static_cast<const uint8_t*>(c.data_ptr());
    for (size_t i = 0; i < c.nbytes(); ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  };
  for (const auto& p : model->parameters()) mix(p);
  for (const auto& b : model->buffers()) mix(b);
  return fmt::format("{:016x}", hash);
}

// A new run must not overwrite an old one unless asked. Every rank checks
// (they all fail alike on a shared disk); none has written anything yet.
void refuse_to_overwrite(const TrainArgs& args, const RunFiles& files) {
  std::error_code ec;
  if (args.resume_dir.empty() && fs::exists(files.last(), ec) && !args.force) {
    throw Error(fmt::format("'{}' already holds a run; continue it with --resume {}, or pass --force to start over",
                            files.dir.string(), files.dir.string()));
  }
}

// Rank 0 of a resumed run: its log up to the checkpoint, and a word when the
// schedules (functions of the run's length) change with train.epochs.
TrainLog resume_log(const RunFiles& files, const TrainingSession& session, const Config& config,
                    const Registry& registry) {
  TrainLog log = TrainLog::read(files.log(), session.state().epochs_done);
  fmt::print("resuming {} after epoch {}\n", files.dir.string(), session.state().epochs_done);
  const int64_t before = Config::load(files.config(), {}, run_schema(), registry).section("train").integer("epochs");
  const int64_t now = config.section("train").integer("epochs");
  if (before != now) {
    fmt::print("train.epochs {} -> {}: the KL annealing, teacher-forcing and learning-rate schedules now span {} "
               "epochs\n",
               before, now, now);
  }
  return log;
}

// Rank 0's record of an epoch: the log before the checkpoint (a kill
// between the two leaves a log one epoch ahead, which resume trims to the
// checkpoint; the other order would lose that epoch's line for good), then
// the writers and the console.
void record_epoch(const EpochRecord& record, TrainingSession& session, const RunFiles& files, TrainLog& log,
                  const std::vector<std::unique_ptr<stages::Writer>>& writers, int64_t checkpoint_every, int64_t stop) {
  const int64_t epoch = record.epoch, epochs = session.epochs();
  log.add(record);
  log.write(files.log());
  if ((epoch + 1) % checkpoint_every == 0 || epoch + 1 == stop) session.save(files.last());
  for (auto& w : writers) w->epoch(epoch, epoch_scalars(record));
  std::string validation =
      record.val_psnr ? fmt::format(" | val psnr {:.2f} ssim {:.4f}", *record.val_psnr, *record.val_ssim) : "";
  fmt::print("epoch {:>3}/{}  loss {:.5f}  mse {:.5f}  kld {:.4f}  kl {:.2f}  tfr {:.2f}  {:.1f}s{}\n", epoch + 1,
             epochs, record.loss, record.mse, record.kld, record.kl_factor, record.tfr, record.seconds, validation);
  std::fflush(stdout);
}

// The epochs left to train, up to epoch `stop` (counted from 1); only rank 0
// (`main`) writes. Validation keeps to the whole run's schedule, so a run
// stopped early and resumed trains as one that never stopped.
void train_epochs(TrainingSession& session, const Params& train, const RunFiles& files, TrainLog& log,
                  const std::vector<std::unique_ptr<stages::Writer>>& writers, bool progress, bool main,
                  int64_t stop) {
  const int64_t epochs = session.epochs();
  const int64_t validate_every = train.integer("validate_every"), checkpoint_every = train.integer("checkpoint_every");
  for (int64_t epoch = session.state().epochs_done; epoch < stop; ++epoch) {
    EpochRecord record = session.run_epoch(epoch, progress && main);
    if ((epoch + 1) % validate_every == 0 || epoch + 1 == epochs) {
      const Stopwatch watch;
      Validation v = session.validate();
      record.val_psnr = v.psnr;
      record.val_ssim = v.ssim;
      record.seconds += watch.seconds();
      // A NaN or -inf validation (a diverged model) is never the best.
      if (v.psnr > session.state().best_psnr.value_or(-std::numeric_limits<double>::infinity())) {
        session.state().best_psnr = v.psnr;
        session.state().epochs_done = epoch + 1;
        if (main) session.save(files.best());
      }
    }
    session.state().epochs_done = epoch + 1;
    if (main) record_epoch(record, session, files, log, writers, checkpoint_every, stop);
  }
}

// Where this session stops: the run's last epoch, or --stop-after-epoch.
int64_t stop_epoch(const TrainArgs& args, const TrainingSession& session) {
  if (!args.stop_after_epoch) return session.epochs();
  const int64_t stop = *args.stop_after_epoch, done = session.state().epochs_done;
  if (stop < 1) throw Error(fmt::format("--stop-after-epoch {}: epochs count from 1", stop));
  if (stop <= done) {
    throw Error(fmt::format("--stop-after-epoch {}: the run has already trained {} epochs", stop, done));
  }
  return std::min(stop, session.epochs());
}

// One process's part of a run; `group` is null in a single process. Only
// rank 0 touches the run directory, prints and runs the writers; every rank
// computes the same epoch records (they are reduced over the ranks).
TrainReport run_training(const TrainArgs& args, const Config& config, const Registry& registry,
                         const CancelToken& cancel, dist::ProcessGroup* group) {
  const bool main = !group || group->rank() == 0;
  if (args.debug_dist) {
    fmt::print("rank {} pid {}\n", group ? group->rank() : 0, ::getpid());
    std::fflush(stdout);
  }
  RunFiles files{args.resume_dir.empty() ? fs::path(config.section("run").string("dir")) : args.resume_dir};
  refuse_to_overwrite(args, files);
  // Two trainings writing one run directory would interleave their checkpoints and logs.
  std::optional<DirectoryLock> lock;
  if (main) lock.emplace(files.dir, "choose another run.dir");
  TrainingSession session(config, registry, cancel, group, args.sync);
  session.set_trace(args.debug_dist);
  TrainReport report;
  report.run_dir = files.dir;
  report.rank = group ? group->rank() : 0;
  report.world = group ? group->size() : 1;
  report.epochs = session.epochs();
  TrainLog log;
  if (!args.resume_dir.empty()) {
    session.restore(files.last());  // on every rank: a shared disk, or a copy on every machine
    report.epochs_done = session.state().epochs_done;
    if (report.epochs_done >= session.epochs()) {
      // Nothing to train: the run's files (config, plots, events) stay as they are.
      report.nothing_to_train = true;
      if (group) group->barrier();
      return report;
    }
  }
  const int64_t stop = stop_epoch(args, session);  // refused before anything is printed or removed
  if (main && !args.resume_dir.empty()) {
    log = resume_log(files, session, config, registry);
  } else if (main) {
    std::error_code ec;
    fs::remove(files.best(), ec);
  }
  std::vector<std::unique_ptr<stages::Writer>> writers;
  if (main) {
    write_file_atomically(files.config(), session.state().config);
    writers = build_writers(config, registry);
    for (auto& w : writers) w->begin({files.dir, "train"});
  }
  train_epochs(session, config.section("train"), files, log, writers, args.progress, main, stop);
  for (auto& w : writers) {
    w->end(training_figures(log), log.records().empty() ? std::map<std::string, double>{}
                                                        : epoch_scalars(log.records().back()));
    for (const auto& f : w->files()) report.files.push_back(f);
  }
  // Nobody leaves while rank 0 may still be writing: a rank that exits
  // early would look lost to the others.
  if (group) group->barrier();
  if (args.debug_dist) {
    fmt::print("rank {} weights {}\n", report.rank, weights_checksum(session.model()));
    std::fflush(stdout);
  }
  report.epochs_done = session.state().epochs_done;
  report.best_psnr = session.state().best_psnr;
  return report;
}

}  // namespace

TrainReport train(const TrainArgs& args, const Registry& registry, const CancelToken& cancel) {
  // No process group at all in a single process (see dist::worker_env).
  const Config config = load_run_config(args, registry);
  // The device decides the backend (NCCL for CUDA); resolved as the session will.
  const c10::Device device = resolve_device(config.section("run").string("device"));
  std::unique_ptr<dist::ProcessGroup> group = dist::join_worker_group(device, args.dist_timeout);
  if (!group) return run_training(args, config, registry, cancel, nullptr);
  try {
    return run_training(args, config, registry, cancel, group.get());
  } catch (const std::exception& e) {
    group->report_failure(e.what());  // the other ranks will name this one and why
    throw;
  }
}

}  // namespace vidpred
