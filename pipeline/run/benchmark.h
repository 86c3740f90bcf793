#pragma once
// What `vidpred bench data|train|eval` measure: the data graph alone,
// training steps and a whole epoch, generation with metrics. The CLI only
// parses and prints; the measuring lives here beside what it measures.
#include <cstdint>
#include <map>
#include <string>

#include "pipeline/config/config.h"
#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"
#include "model/cvae.h"
#include "pipeline/distributed/gradient_sync.h"
#include "pipeline/run/run_context.h"
#include "stages/kinematics/kinematics.h"

namespace vidpred {
namespace dist {
class ProcessGroup;
}

// Batches measured after `warmup` unmeasured ones.
struct BenchSteps {
  int64_t steps = 20, warmup = 3;
};

struct DataMeasurement {
  double seconds = 0, bytes = 0;
  int64_t batches = 0, sequences = 0, batch_size = 0;
  std::map<std::string, double> busy;  // seconds each node of the graph was busy, summed over threads
  std::string device;
};

// The train split's batches through the data graph (and onto the device, as
// training takes them), as many epochs as the steps need.
DataMeasurement measure_data(const Config& config, const Registry& registry, const CancelToken& cancel,
                             BenchSteps steps);

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

// Warm-up, then timed training steps on the first batches of epoch 0, then a
// whole epoch of as many steps. In a data-parallel run every rank steps
// through its shard of the same global batches and the clock runs between
// two barriers.
TrainMeasurement measure_train(const Config& config, const Registry& registry, const CancelToken& cancel,
                               BenchSteps steps, dist::ProcessGroup* group, dist::SyncOptions sync);

struct EvalMeasurement {
  double seconds = 0;
  int64_t batches = 0, sequences = 0, batch_size = 0, metrics = 0;
  std::string device;
};

// Generation of one future per sequence plus every configured metric, with
// the model's initial (random) weights: the cost does not depend on them.
EvalMeasurement measure_eval(const Config& config, const Registry& registry, const CancelToken& cancel,
                             BenchSteps steps);

struct PlanGenerationMeasurement {
  int64_t batch = 0, horizon = 0, n_past = 0, repeats = 0;
  double planner_seconds = 0;   // the planner's batched generation (ModelDynamics), per call
  double evaluation_seconds = 0;  // generate_samples on the same futures, per call
  std::string device;
  double planner_futures_per_second() const { return double(batch) / planner_seconds; }
  double evaluation_futures_per_second() const { return double(batch) / evaluation_seconds; }
};

// Futures of `batch` candidates from one start, as the planner generates them
// (observed frames encoded once, inference mode) and as evaluation does
// (generate_samples, the start repeated per row), `steps.steps` calls each
// after `steps.warmup`, alternated. The model's weights do not change the cost.
PlanGenerationMeasurement measure_plan_generation(model::Cvae& model, c10::Device device, const RunShape& shape,
                                                  const stages::Kinematics& kinematics, int64_t batch,
                                                  BenchSteps steps);

// Seconds per call of the world's dynamics (copies of a synthetic episode's
// start, stepped and rendered) on `batch` candidates of `horizon` actions.
double measure_world_rollouts(int64_t batch, int64_t horizon, BenchSteps steps);

// This process's peak resident set so far, in MB.
double peak_resident_mb();

}  // namespace vidpred
