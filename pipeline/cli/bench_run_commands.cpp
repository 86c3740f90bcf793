// `vidpred bench data|train|eval`: throughput of the data graph, of training
// steps and of generation + metrics. Figures are printed, never asserted.
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <tbb/info.h>
#include <torch/torch.h>

#include "pipeline/cli/commands.h"
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
      stages::EpochRequest request;
      request.length = run_shape(config).length();
      request.max_batches = args->steps;
      auto stream = data->open(request, cancel);
      auto start = Clock::now();
      int64_t sequences = 0;
      double bytes = 0;
      while (auto batch = stream->next()) {
        sequences += batch->frames.size(0);
        bytes += double(batch->frames.nbytes() + batch->cond.nbytes());
      }
      double s = seconds_since(start);
      const auto& times = stream->node_times();
      fmt::print("data threads {:2}: {:8.1f} sequences/s  {:7.1f} MB/s of batches  ({} batches of {}, {:.2f} s)  "
                 "busy: plan {:.0f}%, read {:.0f}%, decode {:.0f}% (of wall time, summed over threads)\n",
                 threads, sequences / s, bytes / 1e6 / s, stream->batches(), data->batch_size(), s,
                 100 * times.seconds("plan") / s, 100 * times.seconds("read") / s, 100 * times.seconds("decode") / s);
    }
  });
}

void add_bench_train(CLI::App& bench, const CancelToken& cancel) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = bench.add_subcommand("train", "Training steps: ms/step, sequences/s, share of time waiting for data");
  add_common(cmd, *args, false);
  cmd->callback([args, &cancel] {
    Registry registry = stages::make_registry();
    Config config = Config::load(args->files[0], args->overrides, run_schema(), registry);
    TrainingSession session(config, registry, cancel);
    auto request = session.epoch_request(0);
    request.max_batches = args->warmup + args->steps;
    auto stream = session.data().open(request, cancel);
    DeviceFeeder feeder(*stream, session.device());
    int64_t step = 0, sequences = 0;
    double wait_before = 0;
    Clock::time_point start;
    while (auto batch = feeder.next()) {
      if (step == args->warmup) {
        if (session.device().is_cuda()) torch::cuda::synchronize();
        start = Clock::now();
        wait_before = feeder.wait_seconds();
      }
      session.step(*batch, 0, 1.0, 1.0);
      if (step >= args->warmup) sequences += batch->frames.size(0);
      ++step;
    }
    if (session.device().is_cuda()) torch::cuda::synchronize();
    const int64_t measured = step - args->warmup;
    if (measured <= 0) throw Error("the train split is too small for --warmup + --steps batches");
    double s = seconds_since(start), wait = feeder.wait_seconds() - wait_before;
    fmt::print("train {} on {} ({} torch threads): {:.1f} ms/step  {:.2f} sequences/s  waiting for data {:.1f}% "
               "({} steps of batch {}, {} warm-up)\n",
               args->files[0].string(), session.device().str(), torch::get_num_threads(), 1000 * s / double(measured),
               double(sequences) / s, 100 * wait / s, measured, session.data().batch_size(), args->warmup);
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
        for (auto& m : metrics) m->per_step(predicted, truth).sum().item<double>();
        if (step >= args->warmup) sequences += batch->frames.size(0);
        ++step;
      }
      if (step <= args->warmup) throw Error("the evaluation split is too small for --warmup + --steps batches");
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
