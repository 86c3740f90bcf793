#include "pipeline/run/benchmark.h"

#include <sys/resource.h>

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/core/error.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/distributed/process_group.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/model_dynamics.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/training.h"
#include "pipeline/run/world_dynamics.h"
#include "stages/metrics/metric.h"

namespace vidpred {
namespace {

void synchronize(c10::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

}  // namespace

DataMeasurement measure_data(const Config& config, const Registry& registry, const CancelToken& cancel,
                             BenchSteps steps) {
  auto data = registry.create<stages::DataSource>(config.section("data"));
  // On a GPU the batches go on as training takes them: pinned, copied on a
  // side stream, so the figure includes the host-to-device copy.
  const c10::Device device = resolve_device(config.section("run").string("device"));
  auto request = pass_request("train", true, run_shape(config).length(),
                              uint64_t(config.section("run").integer("seed")), device);
  auto drain = [&](int64_t max_batches, auto&& on_batch) {
    request.max_batches = max_batches;
    auto stream = data->open(request, cancel);
    DeviceFeeder feeder(*stream, device);
    while (auto batch = feeder.next()) on_batch(*batch);
    synchronize(device);
    ++request.epoch;  // the next pass draws a new order, as training would
    return stream;
  };
  // Warm-up first (threads started, batch memory faulted in, files in the
  // page cache), then as many epochs as the steps need.
  if (steps.warmup > 0) drain(steps.warmup, [](const stages::Batch&) {});
  DataMeasurement m;
  m.batch_size = data->batch_size();
  m.device = device.str();
  const Stopwatch watch;
  while (m.batches < steps.steps) {
    auto stream = drain(steps.steps - m.batches, [&](const stages::Batch& batch) {
      ++m.batches;
      m.sequences += batch.frames.size(0);
      m.bytes += double(batch.frames.nbytes() + batch.cond.nbytes());
    });
    if (stream->batches() == 0) throw Error("the train split gives no batch (fewer sequences than data.batch_size?)");
    for (const auto& node : stream->busy_times()) m.busy[node.node] += node.seconds;
  }
  m.seconds = watch.seconds();
  return m;
}

TrainMeasurement measure_train(const Config& config, const Registry& registry, const CancelToken& cancel,
                               BenchSteps steps, dist::ProcessGroup* group, dist::SyncOptions sync) {
  TrainingSession session(config, registry, cancel, group, sync);
  auto request = session.epoch_request(0);
  request.max_batches = steps.warmup + steps.steps;
  auto stream = session.data().open(request, cancel);
  DeviceFeeder feeder(*stream, session.device());
  TrainMeasurement m;
  int64_t step = 0;
  double wait_before = 0, sync_before = 0, collectives_before = 0;
  Stopwatch watch;
  while (auto batch = feeder.next()) {
    if (step == steps.warmup) {
      if (group) group->barrier();
      synchronize(session.device());
      watch.restart();
      wait_before = feeder.wait_seconds();
      if (group) {
        sync_before = session.gradient_sync()->seconds();
        collectives_before = group->times().seconds;
      }
    }
    session.step(*batch, 0, 1.0, 1.0);
    if (step >= steps.warmup) m.sequences += session.data().batch_size();
    ++step;
  }
  if (group) group->barrier();
  synchronize(session.device());
  m.steps = step - steps.warmup;
  if (m.steps <= 0) {
    throw Error(fmt::format("{}: the train split is too small for --warmup + --steps batches", config.source()));
  }
  m.seconds = watch.seconds();
  m.wait = feeder.wait_seconds() - wait_before;
  if (group) {
    m.gradient_sync = session.gradient_sync()->seconds() - sync_before;
    m.collectives = group->times().seconds - collectives_before;
    m.buckets = session.gradient_sync()->buckets();
  }
  // Then a whole epoch of as many steps as training runs one (its own graph,
  // progress off): the steps above are its floor, the difference its overhead.
  m.epoch_seconds = seconds_of([&] { session.run_epoch(1, false); });
  m.threads = torch::get_num_threads();
  m.device = session.device().str();
  m.batch = session.data().batch_size();
  return m;
}

EvalMeasurement measure_eval(const Config& config, const Registry& registry, const CancelToken& cancel,
                             BenchSteps steps) {
  const c10::Device device = resolve_device(config.section("run").string("device"));
  const int64_t threads = config.section("run").integer("threads");
  if (threads > 0) torch::set_num_threads(int(threads));
  model::Cvae model = build_model(config, registry);
  model->to(device);
  auto metrics = registry.create_all<stages::Metric>(config.section("eval").list("metrics"));
  auto data = registry.create<stages::DataSource>(config.section("data"));
  const RunShape shape = run_shape(config);
  auto request = pass_request(config.section("eval").string("split"), false, shape.length(),
                              uint64_t(config.section("run").integer("seed")), device);
  request.max_batches = steps.warmup + steps.steps;
  auto stream = data->open(request, cancel);
  DeviceFeeder feeder(*stream, device);
  const GenerationRequest generation{shape.n_past, shape.n_future, 1, 1};
  EvalMeasurement m;
  int64_t step = 0;
  Stopwatch watch;
  while (auto batch = feeder.next()) {
    if (step == steps.warmup) watch.restart();
    at::Tensor predicted = generate_samples(model, *batch, generation).select(1, 0);
    at::Tensor truth = batch->frames.narrow(1, shape.n_past, shape.n_future);
    const stages::MetricContext context{batch->frames.select(1, shape.n_past - 1)};
    for (auto& metric : metrics) at::nansum(metric->score(predicted, truth, context)).item<double>();
    if (step >= steps.warmup) m.sequences += batch->frames.size(0);
    ++step;
  }
  if (step <= steps.warmup) {
    throw Error(fmt::format("{}: the evaluation split is too small for --warmup + --steps batches", config.source()));
  }
  m.seconds = watch.seconds();
  m.batches = step - steps.warmup;
  m.batch_size = data->batch_size();
  m.metrics = int64_t(metrics.size());
  m.device = device.str();
  return m;
}

double peak_resident_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

PlanGenerationMeasurement measure_plan_generation(model::Cvae& model, c10::Device device, const RunShape& shape,
                                                  const stages::Kinematics& kinematics, int64_t batch,
                                                  BenchSteps steps) {
  torch::manual_seed(3);
  ModelStart start{torch::rand({shape.n_past, 3, 64, 64}), torch::zeros({shape.n_past - 1, 7}), torch::zeros({3})};
  ModelDynamics dynamics(model, device, start, kinematics, 1, 1, 0);
  const at::Tensor actions = (torch::rand({batch, shape.n_future, 4}) - 0.5) * 0.2;
  stages::Batch rows;
  rows.frames = start.frames.unsqueeze(0).expand({batch, -1, -1, -1, -1}).contiguous().to(device);
  rows.cond = dynamics.conditions(actions).to(device);
  rows.samples.assign(size_t(batch), 0);
  const GenerationRequest generation{shape.n_past, shape.n_future, 1, 1};
  PlanGenerationMeasurement m;
  m.batch = batch;
  m.horizon = shape.n_future;
  m.n_past = shape.n_past;
  m.repeats = steps.steps;
  for (int64_t i = 0; i < steps.warmup + steps.steps; ++i) {
    Stopwatch planner;
    dynamics.rollout(actions);
    const double planner_seconds = planner.seconds();
    Stopwatch evaluation;
    generate_samples(model, rows, generation);
    if (i < steps.warmup) continue;
    m.planner_seconds += planner_seconds / double(steps.steps);
    m.evaluation_seconds += evaluation.seconds() / double(steps.steps);
  }
  m.device = device.str();
  return m;
}

double measure_world_rollouts(int64_t batch, int64_t horizon, BenchSteps steps) {
  WorldDynamics world(synth::Environment(1, 0));
  torch::manual_seed(3);
  const at::Tensor actions = (torch::rand({batch, horizon, 4}) - 0.5) * 0.2;
  double seconds = 0;
  for (int64_t i = 0; i < steps.warmup + steps.steps; ++i) {
    Stopwatch watch;
    world.rollout(actions);
    if (i >= steps.warmup) seconds += watch.seconds() / double(steps.steps);
  }
  return seconds;
}

}  // namespace vidpred
