// `vidpred bench data|train|eval`: throughput of the data graph, of training
// steps and of generation + metrics. Figures are printed, never asserted.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <tbb/info.h>
#include <torch/torch.h>

#include "pipeline/cli/commands.h"
#include "pipeline/cli/dist_options.h"
#include "pipeline/config/config.h"
#include "pipeline/core/error.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "pipeline/run/training.h"
#include "stages/metrics/metric.h"
#include "stages/register.h"

namespace vidpred::cli {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// This process's peak resident set so far (Linux reports kilobytes).
double peak_resident_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

struct BenchArgs {
  std::vector<fs::path> files;
  std::vector<std::string> overrides;
  int64_t steps = 20, warmup = 3;
};

void add_common(CLI::App* cmd, BenchArgs& args, bool many_files) {
  if (many_files) {
    cmd->add_option("run", args.files, "Run files (TOML)")->required();
  } else {
    cmd->add_option("run", args.files, "Run file (TOML)")->required()->expected(1);
  }
  cmd->add_option("--set", args.overrides, "Override a key (repeatable)")->take_all();
  cmd->add_option("--steps", args.steps, "Measured batches")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", args.warmup, "Batches before measuring")->capture_default_str();
}

void add_bench_data(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  args->steps = 200;
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
      auto data = registry.create<stages::DataSource>(config.section("data"));
      // On a GPU the batches go on as training takes them: pinned, copied
      // on a side stream, so the figure includes the host-to-device copy.
      const c10::Device device = resolve_device(config.section("run").string("device"));
      stages::EpochRequest request;
      request.length = run_shape(config).length();
      request.pin_memory = wants_pinned_memory(device);
      auto drain = [&](int64_t max_batches, auto&& on_batch) {
        request.max_batches = max_batches;
        auto stream = data->open(request, cancel);
        DeviceFeeder feeder(*stream, device);
        while (auto batch = feeder.next()) on_batch(*batch);
        if (device.is_cuda()) torch::cuda::synchronize();
        ++request.epoch;  // the next pass draws a new order, as training would
        return stream;
      };
      // Warm-up first (threads started, batch memory faulted in, files in the
      // page cache), then as many epochs as `--steps` batches need.
      if (args->warmup > 0) drain(args->warmup, [](const stages::Batch&) {});
      int64_t batches = 0, sequences = 0;
      double bytes = 0;
      std::map<std::string, double> busy;  // seconds per node of the data graph, all passes together
      auto start = Clock::now();
      while (batches < args->steps) {
        auto stream = drain(args->steps - batches, [&](const stages::Batch& batch) {
          ++batches;
          sequences += batch.frames.size(0);
          bytes += double(batch.frames.nbytes() + batch.cond.nbytes());
        });
        if (stream->batches() == 0) throw Error("the train split gives no batch (fewer sequences than data.batch_size?)");
        for (const auto& node : stream->busy_times()) busy[node.node] += node.seconds;
      }
      double s = seconds_since(start);
      fmt::print("data threads {:2}: {:8.1f} sequences/s  {:7.1f} MB/s of batches  ({} batches of {} to {}, {:.2f} s)  "
                 "busy: plan {:.0f}%, read {:.0f}%, decode {:.0f}% (of wall time, summed over threads)\n",
                 threads, sequences / s, bytes / 1e6 / s, batches, data->batch_size(), device.str(), s,
                 100 * busy["plan"] / s, 100 * busy["read"] / s, 100 * busy["decode"] / s);
    }
  });
}

struct TrainMeasurement {
  double seconds = 0, wait = 0;
  double epoch_seconds = 0;  // a whole epoch of as many steps, as training runs it (no validation)
  int64_t steps = 0, sequences = 0;  // sequences of the global batches
  double gradient_sync = 0, collectives = 0;  // seconds, data-parallel runs only
  int threads = 0;
  std::string device;
  int64_t batch = 0;
  int64_t buckets = 0;
};

// Warm-up, then timed training steps on the first batches of epoch 0. In a
// data-parallel run every rank steps through its shard of the same global
// batches and the clock runs between two barriers.
TrainMeasurement measure_train(const Config& config, const Registry& registry, const CancelToken& cancel,
                               const BenchArgs& args, dist::ProcessGroup* group, dist::SyncOptions sync) {
  TrainingSession session(config, registry, cancel, group, sync);
  auto request = session.epoch_request(0);
  request.max_batches = args.warmup + args.steps;
  auto stream = session.data().open(request, cancel);
  DeviceFeeder feeder(*stream, session.device());
  TrainMeasurement m;
  int64_t step = 0;
  double wait_before = 0, sync_before = 0, collectives_before = 0;
  Clock::time_point start;
  while (auto batch = feeder.next()) {
    if (step == args.warmup) {
      if (group) group->barrier();
      if (session.device().is_cuda()) torch::cuda::synchronize();
      start = Clock::now();
      wait_before = feeder.wait_seconds();
      if (group) {
        sync_before = session.gradient_sync()->seconds();
        collectives_before = group->times().seconds;
      }
    }
    session.step(*batch, 0, 1.0, 1.0);
    if (step >= args.warmup) m.sequences += session.data().batch_size();
    ++step;
  }
  if (group) group->barrier();
  if (session.device().is_cuda()) torch::cuda::synchronize();
  m.steps = step - args.warmup;
  if (m.steps <= 0) {
    throw Error(fmt::format("{}: the train split is too small for --warmup + --steps batches", config.source()));
  }
  m.seconds = seconds_since(start);
  m.wait = feeder.wait_seconds() - wait_before;
  if (group) {
    m.gradient_sync = session.gradient_sync()->seconds() - sync_before;
    m.collectives = group->times().seconds - collectives_before;
    m.buckets = session.gradient_sync()->buckets();
  }
  // Then a whole epoch of as many steps as training runs one (its own graph,
  // progress off): the steps above are its floor, the difference its overhead.
  const auto epoch_start = Clock::now();
  session.run_epoch(1, false);
  m.epoch_seconds = seconds_since(epoch_start);
  m.threads = torch::get_num_threads();
  m.device = session.device().str();
  m.batch = session.data().batch_size();
  return m;
}

// The line a data-parallel bench's rank 0 prints for its launcher to read.
constexpr const char* kResultTag = "dist-bench-result";

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
    Registry registry = stages::make_registry();
    const fs::path& file = args->files[0];
    // The whole epoch measured after the steps has as many steps.
    auto overrides = args->overrides;
    overrides.push_back(fmt::format("train.steps_per_epoch={}", args->steps));
    if (dist_args->launches()) {
      // 1 process on every core of this machine (unless run.threads says otherwise)...
      Config probe = Config::load(file, overrides, run_schema(), registry);
      const int64_t threads = probe.section("run").integer("threads");
      const int single_threads = threads > 0 ? int(threads) : dist::threads_per_worker(1);
      overrides.push_back(fmt::format("run.threads={}", single_threads));
      Config single_config = Config::load(file, overrides, run_schema(), registry);
      TrainMeasurement single = measure_train(single_config, registry, cancel, *args, nullptr, {});
      const double single_rate = double(single.sequences) / single.seconds;
      fmt::print("1 process x {} thread{}, no process group: {:.2f} sequences/s ({:.1f} ms/step, batch {}, {} "
                 "steps)\n",
                 single.threads, single.threads > 1 ? "s" : "", single_rate,
                 1000 * single.seconds / double(single.steps), single.batch, single.steps);
      std::fflush(stdout);
      // ...then N processes in a process group on the same cores (N = 1: the
      // group's own cost), each measuring its part.
      dist::LaunchOptions launch = dist_args->launch();
      std::string result;
      launch.on_line = [&result](int rank, const std::string& line) {
        if (line.rfind(kResultTag, 0) != 0) return false;
        if (rank == 0) result = line;
        return true;
      };
      dist::launch_workers(launch, cancel);
      double rate = 0, sync_ms = 0, collective_ms = 0, step_ms = 0;
      int threads_each = 0;
      char backend[16] = {};
      if (std::sscanf(result.c_str(), "dist-bench-result %lf %lf %lf %lf %d %15s", &rate, &step_ms, &sync_ms,
                      &collective_ms, &threads_each, backend) != 6) {
        throw Error("the workers did not report a result");
      }
      const int n = dist_args->nproc_per_node;
      fmt::print("{} process{} x {} thread{} in a {}-rank {} group: {:.2f} sequences/s ({:.1f} ms/step); gradient "
                 "all-reduce {:.1f} ms/step, all collectives (sync BatchNorm's too, when on) {:.1f} ms/step\n",
                 n, n > 1 ? "es" : "", threads_each, threads_each > 1 ? "s" : "", n, backend, rate, step_ms, sync_ms,
                 collective_ms);
      if (n == 1) {
        // Two separate runs differ by more than a 1-rank group costs; the
        // time spent in gradient sync is the direct figure.
        fmt::print("process group cost: gradient sync {:.1f} ms/step ({:.2f}% of a step); whole steps {:+.1f}% against "
                   "no group (two separate runs: includes run-to-run variation)\n",
                   sync_ms, 100 * sync_ms / step_ms, 100 * (single_rate / rate - 1));
      } else {
        fmt::print("scaling efficiency on the same cores: {:.0f}% ({} processes give {:.2f}x the sequences/s of 1)\n",
                   100 * rate / single_rate, n, rate / single_rate);
      }
      return;
    }
    Config config = Config::load(file, overrides, run_schema(), registry);
    std::unique_ptr<dist::ProcessGroup> group = dist::join_worker_group(
        resolve_device(config.section("run").string("device")), dist::parse_timeout(dist_args->timeout_seconds));
    TrainMeasurement m = measure_train(config, registry, cancel, *args, group.get(), dist_args->sync());
    if (group && group->rank() != 0) return;
    const double ms = 1000 * m.seconds / double(m.steps);
    if (group) {
      fmt::print("train {} on {} x {} ({} torch threads each, {} backend, {} gradient bucket{}): {:.1f} ms/step  "
                 "{:.2f} sequences/s  gradient all-reduce {:.1f} ms/step  all collectives {:.1f} ms/step  waiting for "
                 "data {:.1f}% ({} steps of global batch {}, {} warm-up)\n",
                 file.string(), m.device, group->size(), m.threads, group->backend(), m.buckets,
                 m.buckets == 1 ? "" : "s", ms, double(m.sequences) / m.seconds, 1000 * m.gradient_sync / double(m.steps),
                 1000 * m.collectives / double(m.steps), 100 * m.wait / m.seconds, m.steps, m.batch, args->warmup);
      fmt::print("{} {} {} {} {} {} {}\n", kResultTag, double(m.sequences) / m.seconds, ms,
                 1000 * m.gradient_sync / double(m.steps), 1000 * m.collectives / double(m.steps), m.threads,
                 group->backend());
      std::fflush(stdout);
      return;
    }
    fmt::print("train {} on {} ({} torch threads): {:.1f} ms/step  {:.2f} sequences/s  waiting for data {:.1f}% "
               "({} steps of batch {}, {} warm-up)\n",
               file.string(), m.device, m.threads, ms, double(m.sequences) / m.seconds, 100 * m.wait / m.seconds,
               m.steps, m.batch, args->warmup);
    fmt::print("whole epoch of {} steps: {:.2f} s, {:.1f} ms/step ({:+.1f}% over the steps alone); peak resident "
               "{:.0f} MB\n",
               m.steps, m.epoch_seconds, 1000 * m.epoch_seconds / double(m.steps),
               100 * (m.epoch_seconds / m.seconds - 1), peak_resident_mb());
  });
}

void add_bench_eval(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  args->steps = 5;
  args->warmup = 1;
  auto* cmd = bench.add_subcommand("eval", "Generation + PSNR/SSIM/MSE: sequences/s (random weights)");
  add_common(cmd, *args, true);
  cmd->callback([args, &cancel] {
    Registry registry = stages::make_registry();
    for (const auto& file : args->files) {
      Config config = Config::load(file, args->overrides, run_schema(), registry);
      const c10::Device device = resolve_device(config.section("run").string("device"));
      if (config.section("run").integer("threads") > 0) torch::set_num_threads(int(config.section("run").integer("threads")));
      model::Cvae model = build_model(config, registry);
      model->to(device);
      auto metrics = registry.create_all<stages::Metric>(config.section("eval").list("metrics"));
      auto data = registry.create<stages::DataSource>(config.section("data"));
      RunShape shape = run_shape(config);
      stages::EpochRequest request;
      request.split = config.section("eval").string("split");
      request.length = shape.length();
      request.training = false;
      request.max_batches = args->warmup + args->steps;
      auto stream = data->open(request, cancel);
      DeviceFeeder feeder(*stream, device);
      GenerationRequest generation{shape.n_past, shape.n_future, 1, 1};
      int64_t step = 0, sequences = 0;
      Clock::time_point start;
      while (auto batch = feeder.next()) {
        if (step == args->warmup) start = Clock::now();
        at::Tensor predicted = generate_samples(model, *batch, generation).select(1, 0);
        at::Tensor truth = batch->frames.narrow(1, shape.n_past, shape.n_future);
        const stages::MetricContext context{batch->frames.select(1, shape.n_past - 1)};
        for (auto& m : metrics) at::nansum(m->score(predicted, truth, context)).item<double>();
        if (step >= args->warmup) sequences += batch->frames.size(0);
        ++step;
      }
      if (step <= args->warmup) {
        throw Error(fmt::format("{}: the evaluation split is too small for --warmup + --steps batches", file.string()));
      }
      double s = seconds_since(start);
      fmt::print("eval {} (width {}) on {}: {:.2f} sequences/s of generation + {} metrics at batch {} ({} batches)\n",
                 file.string(), config.section("model").real("width"), device.str(), double(sequences) / s,
                 metrics.size(), data->batch_size(), step - args->warmup);
    }
  });
}

}  // namespace

void add_bench_run_commands(CLI::App& bench, const CancelToken& cancel) {
  add_bench_data(bench, cancel);
  add_bench_train(bench, cancel);
  add_bench_eval(bench, cancel);
}

}  // namespace vidpred::cli
