// What only a GPU can show: training steps on CUDA (fp32 and bf16 autocast,
// batches copied on the side stream from pinned memory), a checkpoint saved
// from CUDA that loads on the CPU, and a 1-rank NCCL group on this worker's
// own device. tests/gpu/check.sh runs these on the GPU machine.
#include <doctest/doctest.h>

#include <cmath>

#include <torch/torch.h>

#include "pipeline/core/cancel.h"
#include "pipeline/distributed/process_group.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/device_feeder.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/training.h"
#include "tests/distributed/dist_support.h"
#include "tests/support/datasets.h"
#include "tests/support/run_config.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;

namespace {

// Trains `steps` batches of the tiny config on CUDA; returns the last loss.
double train_steps(TrainingSession& session, int steps) {
  double loss = NAN;
  auto stream = session.data().open(session.epoch_request(0), CancelToken());
  DeviceFeeder feeder(*stream, session.device());
  for (int i = 0; i < steps; ++i) {
    auto batch = feeder.next();
    REQUIRE(batch.has_value());
    CHECK(batch->frames.device().is_cuda());
    loss = session.step(*batch, 0, 1.0, 1.0).loss;
  }
  return loss;
}

}  // namespace

TEST_CASE("training steps on CUDA, in fp32 and bf16, and a CUDA checkpoint that loads on the CPU") {
  test::TempDir dir;
  const auto root = test::make_dataset(dir.path(), 16, 4);
  Registry registry = stages::make_registry();
  for (const char* amp : {"none", "bf16"}) {
    CAPTURE(amp);
    Config config = test::tiny_config(registry, root.string(), {"run.device=cuda", std::string("train.amp=") + amp});
    TrainingSession session(config, registry, CancelToken());
    REQUIRE(session.device().is_cuda());
    CHECK(std::isfinite(train_steps(session, 3)));

    const auto file = dir / (std::string("cuda-") + amp + ".pt");
    session.save(file);
    model::Cvae on_cpu = build_model(config, registry);
    load_checkpoint(file, on_cpu, nullptr);
    auto saved = session.model()->named_parameters();
    for (const auto& p : on_cpu->named_parameters()) {
      CAPTURE(p.key());
      CHECK(p.value().device().is_cpu());
      CHECK(at::equal(p.value(), saved[p.key()].detach().cpu()));
    }
  }
}

TEST_CASE("a 1-rank NCCL group on this worker's GPU" * doctest::skip(dist::backends_built().find("nccl") ==
                                                                    std::string::npos)) {
  dist::WorkerEnv env;
  env.master_port = test::free_port();
  dist::ProcessGroup group(env, dist::worker_group_options(env, c10::Device(c10::kCUDA), std::chrono::seconds(60)));
  CHECK(group.backend() == "nccl");
  CHECK(group.device() == c10::Device(c10::kCUDA, 0));
  at::Tensor t = at::full({4}, 1.5, at::TensorOptions().device(group.device()));
  group.all_sum(t);
  CHECK(t.sum().item<double>() == 6.0);
  group.barrier();
}
