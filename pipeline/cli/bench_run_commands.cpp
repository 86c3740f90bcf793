// `vidpred bench data|train|eval|plan`: throughput of the data graph, of training
// steps, of generation + metrics and of the planner's batched generation (measured by pipeline/run/benchmark.h).
// Figures are printed, never asserted.
#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <tbb/info.h>
#include <torch/torch.h>

#include "pipeline/cli/commands.h"
#include "pipeline/cli/dist_options.h"
#include "pipeline/config/config.h"
#include "pipeline/core/error.h"
#include "pipeline/distributed/process_group.h"
#include "pipeline/run/benchmark.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "stages/kinematics/kinematics.h"
#include "stages/planning/planner.h"
#include "stages/register.h"

namespace vidpred::cli {
namespace fs = std::filesystem;

namespace {

struct BenchArgs {
  std::vector<fs::path> files;
  std::vector<std::string> overrides;
  BenchSteps steps;
};

void add_common(CLI::App* cmd, BenchArgs& args, bool many_files) {
  if (many_files) {
    cmd->add_option("run", args.files, "Run files (TOML)")->required();
  } else {
    cmd->add_option("run", args.files, "Run file (TOML)")->required()->expected(1);
  }
  cmd->add_option("--set", args.overrides, "Override a key (repeatable)")->take_all();
  cmd->add_option("--steps", args.steps.steps, "Measured batches")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", args.steps.warmup, "Batches before measuring")->capture_default_str();
}

void add_bench_data(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  args->steps.steps = 200;
  auto* cmd = bench.add_subcommand("data", "The data graph alone: sequences/s, MB/s and node busy shares");
  add_common(cmd, *args, false);
  cmd->callback([args, &cancel] {
    Registry registry = stages::make_registry();
    int all = tbb::info::default_concurrency();
    std::vector<int> thread_counts{1};
    if (all > 1) thread_counts.push_back(all);
    for (int threads : thread_counts) {
      auto overrides = args->overrides;
      overrides.push_back(fmt::format("data.threads={}", threads));
      Config config = Config::load(args->files[0], overrides, run_schema(), registry);
      DataMeasurement m = measure_data(config, registry, cancel, args->steps);
      const double s = m.seconds;
      fmt::print("data threads {:2}: {:8.1f} sequences/s  {:7.1f} MB/s of batches  ({} batches of {} to {}, {:.2f} s)  "
                 "busy: plan {:.0f}%, read {:.0f}%, decode {:.0f}% (of wall time, summed over threads)\n",
                 threads, m.sequences / s, m.bytes / 1e6 / s, m.batches, m.batch_size, m.device, s,
                 100 * m.busy["plan"] / s, 100 * m.busy["read"] / s, 100 * m.busy["decode"] / s);
    }
  });
}

// The line a data-parallel bench's rank 0 prints for its launcher to read.
constexpr const char* kResultTag = "dist-bench-result";

struct GroupResult {
  double rate = 0, step_ms = 0, sync_ms = 0, collective_ms = 0;
  int threads_each = 0;
  std::string backend;
};

// N processes in a process group on this machine's cores, each measuring its
// part; rank 0's result line, read back.
GroupResult launch_group_bench(const DistArgs& dist_args, const CancelToken& cancel) {
  dist::LaunchOptions launch = dist_args.launch();
  std::string line;
  launch.on_line = [&line](int rank, const std::string& text) {
    if (text.rfind(kResultTag, 0) != 0) return false;
    if (rank == 0) line = text;
    return true;
  };
  dist::launch_workers(launch, cancel);
  GroupResult r;
  char backend[16] = {};
  if (std::sscanf(line.c_str(), "dist-bench-result %lf %lf %lf %lf %d %15s", &r.rate, &r.step_ms, &r.sync_ms,
                  &r.collective_ms, &r.threads_each, backend) != 6) {
    throw Error("the workers did not report a result");
  }
  r.backend = backend;
  return r;
}

// 1 process on every core of this machine (unless run.threads says
// otherwise), then N processes in a process group on the same cores (N = 1:
// the group's own cost).
void compare_single_and_group(const fs::path& file, std::vector<std::string> overrides, const BenchArgs& args,
                              const DistArgs& dist_args, const CancelToken& cancel) {
  Registry registry = stages::make_registry();
  const int64_t threads = Config::load(file, overrides, run_schema(), registry).section("run").integer("threads");
  const int single_threads = threads > 0 ? int(threads) : dist::threads_per_worker(1);
  overrides.push_back(fmt::format("run.threads={}", single_threads));
  const TrainMeasurement single =
      measure_train(Config::load(file, overrides, run_schema(), registry), registry, cancel, args.steps, nullptr, {});
  const double single_rate = double(single.sequences) / single.seconds;
  fmt::print("1 process x {} thread{}, no process group: {:.2f} sequences/s ({:.1f} ms/step, batch {}, {} steps)\n",
             single.threads, single.threads > 1 ? "s" : "", single_rate, 1000 * single.seconds / double(single.steps),
             single.batch, single.steps);
  std::fflush(stdout);
  const GroupResult g = launch_group_bench(dist_args, cancel);
  const int n = dist_args.nproc_per_node;
  fmt::print("{} process{} x {} thread{} in a {}-rank {} group: {:.2f} sequences/s ({:.1f} ms/step); gradient "
             "all-reduce {:.1f} ms/step, all collectives (sync BatchNorm's too, when on) {:.1f} ms/step\n",
             n, n > 1 ? "es" : "", g.threads_each, g.threads_each > 1 ? "s" : "", n, g.backend, g.rate, g.step_ms,
             g.sync_ms, g.collective_ms);
  if (n == 1) {
    // Two separate runs differ by more than a 1-rank group costs; the time
    // spent in gradient sync is the direct figure.
    fmt::print("process group cost: gradient sync {:.1f} ms/step ({:.2f}% of a step); whole steps {:+.1f}% against "
               "no group (two separate runs: includes run-to-run variation)\n",
               g.sync_ms, 100 * g.sync_ms / g.step_ms, 100 * (single_rate / g.rate - 1));
  } else {
    fmt::print("scaling efficiency on the same cores: {:.0f}% ({} processes give {:.2f}x the sequences/s of 1)\n",
               100 * g.rate / single_rate, n, g.rate / single_rate);
  }
}

// A worker of a data-parallel bench: rank 0 prints the figures and the
// result line for the launcher.
void print_group_train(const fs::path& file, const TrainMeasurement& m, const dist::ProcessGroup& group,
                       const BenchArgs& args) {
  const double ms = 1000 * m.seconds / double(m.steps);
  const double sync_ms = 1000 * m.gradient_sync / double(m.steps), collective_ms = 1000 * m.collectives / double(m.steps);
  const double rate = double(m.sequences) / m.seconds;
  fmt::print("train {} on {} x {} ({} torch threads each, {} backend, {} gradient bucket{}): {:.1f} ms/step  "
             "{:.2f} sequences/s  gradient all-reduce {:.1f} ms/step  all collectives {:.1f} ms/step  waiting for "
             "data {:.1f}% ({} steps of global batch {}, {} warm-up)\n",
             file.string(), m.device, group.size(), m.threads, group.backend(), m.buckets, m.buckets == 1 ? "" : "s",
             ms, rate, sync_ms, collective_ms, 100 * m.wait / m.seconds, m.steps, m.batch, args.steps.warmup);
  fmt::print("{} {} {} {} {} {} {}\n", kResultTag, rate, ms, sync_ms, collective_ms, m.threads, group.backend());
  std::fflush(stdout);
}

void print_train(const fs::path& file, const TrainMeasurement& m, const BenchArgs& args) {
  fmt::print("train {} on {} ({} torch threads): {:.1f} ms/step  {:.2f} sequences/s  waiting for data {:.1f}% "
             "({} steps of batch {}, {} warm-up)\n",
             file.string(), m.device, m.threads, 1000 * m.seconds / double(m.steps), double(m.sequences) / m.seconds,
             100 * m.wait / m.seconds, m.steps, m.batch, args.steps.warmup);
  fmt::print("whole epoch of {} steps: {:.2f} s, {:.1f} ms/step ({:+.1f}% over the steps alone); peak resident "
             "{:.0f} MB\n",
             m.steps, m.epoch_seconds, 1000 * m.epoch_seconds / double(m.steps),
             100 * (m.epoch_seconds / m.seconds - 1), peak_resident_mb());
}

void add_bench_train(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  auto dist_args = std::make_shared<DistArgs>();
  auto* cmd = bench.add_subcommand(
      "train", "Training steps: ms/step, sequences/s, share of time waiting for data; with --nproc-per-node N, "
               "N processes in a process group against 1 process without one, on the same cores (N = 1: the "
               "group's overhead)");
  add_common(cmd, *args, false);
  add_dist_options(cmd, *dist_args);
  cmd->callback([args, dist_args, &cancel] {
    const fs::path& file = args->files[0];
    // The whole epoch measured after the steps has as many steps.
    auto overrides = args->overrides;
    overrides.push_back(fmt::format("train.steps_per_epoch={}", args->steps.steps));
    if (dist_args->launches()) return compare_single_and_group(file, overrides, *args, *dist_args, cancel);
    Registry registry = stages::make_registry();
    Config config = Config::load(file, overrides, run_schema(), registry);
    std::unique_ptr<dist::ProcessGroup> group = dist::join_worker_group(
        resolve_device(config.section("run").string("device")), dist::parse_timeout(dist_args->timeout_seconds));
    const TrainMeasurement m = measure_train(config, registry, cancel, args->steps, group.get(), dist_args->sync());
    if (!group) return print_train(file, m, *args);
    if (group->rank() == 0) print_group_train(file, m, *group, *args);
  });
}

void add_bench_eval(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  args->steps = {5, 1};
  auto* cmd = bench.add_subcommand("eval", "Generation + PSNR/SSIM/MSE: sequences/s (random weights)");
  add_common(cmd, *args, true);
  cmd->callback([args, &cancel] {
    Registry registry = stages::make_registry();
    for (const auto& file : args->files) {
      Config config = Config::load(file, args->overrides, run_schema(), registry);
      const EvalMeasurement m = measure_eval(config, registry, cancel, args->steps);
      fmt::print("eval {} (width {}) on {}: {:.2f} sequences/s of generation + {} metrics at batch {} ({} batches)\n",
                 file.string(), config.section("model").real("width"), m.device, double(m.sequences) / m.seconds,
                 m.metrics, m.batch_size, m.batches);
    }
  });
}

// A run directory's trained model, or a run file's model with its initial weights.
TrainedModel bench_model(const fs::path& config_or_run, const std::vector<std::string>& overrides,
                         const Registry& registry, std::optional<Config>& loaded) {
  std::error_code ec;
  if (fs::is_directory(config_or_run, ec)) {
    loaded = load_run_directory_config(config_or_run, {}, overrides, registry);
    return load_trained_model(*loaded, registry, choose_checkpoint(config_or_run, "best"));
  }
  const Config& config = loaded.emplace(Config::load(config_or_run, overrides, run_schema(), registry));
  const int64_t threads = config.section("run").integer("threads");
  if (threads > 0) torch::set_num_threads(int(threads));
  TrainedModel model{build_model(config, registry), resolve_device(config.section("run").string("device"))};
  model.model->to(model.device);
  return model;
}

// The reference's pred() on 2 cores at batch 200, demo width, 2 + 10 frames
// (measured by hand with its own code), for the comparison `bench plan` prints.
constexpr double kReferencePredFuturesPerSecond = 33;

void add_bench_plan(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  args->steps = {3, 1};
  auto batches = std::make_shared<std::vector<int64_t>>();
  auto* cmd = bench.add_subcommand(
      "plan", "The planner's batched generation: futures/s of the model (and of the world), beside evaluation's");
  cmd->add_option("config_or_run", args->files, "A run file (initial weights) or a trained run directory")
      ->required()
      ->expected(1);
  cmd->add_option("--set", args->overrides, "Override a key (repeatable)")->take_all();
  cmd->add_option("--steps", args->steps.steps, "Measured calls per batch")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", args->steps.warmup, "Calls before measuring")->capture_default_str();
  cmd->add_option("--batch", *batches, "Futures per call [default: 200 and the planner's decision batch]")->take_all();
  cmd->callback([args, batches, &cancel] {
    Registry registry = stages::make_registry();
    std::optional<Config> loaded;
    TrainedModel trained = bench_model(args->files[0], args->overrides, registry, loaded);
    const Config& config = *loaded;
    std::vector<int64_t> sizes = *batches;
    if (sizes.empty()) {
      const int64_t decision = registry.create<stages::Planner>(config.section("planner"))->batch() *
                               config.section("planning").integer("futures");
      sizes = {200, decision};
      if (decision == 200) sizes.pop_back();
    }
    const RunShape shape = run_shape(config);
    const auto kinematics = registry.create<stages::Kinematics>(config.section("kinematics"));
    for (int64_t batch : sizes) {
      cancel.throw_if_cancelled();
      const PlanGenerationMeasurement m = measure_plan_generation(trained.model, trained.device, shape, *kinematics,
                                                                  batch, args->steps);
      fmt::print("model (width {}) on {}, {} torch threads, batch {} ({} observed + {} predicted frames): planner "
                 "{:.1f} futures/s ({:.0f} ms a call), evaluation's generate_samples {:.1f} futures/s\n",
                 config.section("model").real("width"), m.device, torch::get_num_threads(), batch, m.n_past,
                 m.horizon, m.planner_futures_per_second(), 1000 * m.planner_seconds,
                 m.evaluation_futures_per_second());
    }
    for (int64_t batch : sizes) {
      const double seconds = measure_world_rollouts(batch, shape.n_future, args->steps);
      fmt::print("world, batch {} ({} actions each): {:.1f} futures/s ({:.0f} ms a call)\n", batch, shape.n_future,
                 double(batch) / seconds, 1000 * seconds);
    }
    fmt::print("reference pred(): {:.0f} futures/s at batch 200, width 0.125, 2 + 10 frames, 2 cores\n",
               kReferencePredFuturesPerSecond);
  });
}

}  // namespace

void add_bench_run_commands(CLI::App& bench, const CancelToken& cancel) {
  add_bench_data(bench, cancel);
  add_bench_train(bench, cancel);
  add_bench_eval(bench, cancel);
  add_bench_plan(bench, cancel);
}

}  // namespace vidpred::cli
