// Planning with a trained model: the batched generation behind the planner
// is evaluation's generation, for any model variant, with the start encoded
// once.
#include <doctest/doctest.h>

#include <numeric>

#include <torch/torch.h>

#include "converters/h5/layout.h"
#include "pipeline/run/generation.h"
#include "pipeline/run/model_dynamics.h"
#include "pipeline/run/noise.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/training.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/run_config.h"
#include "tests/support/tiny_run.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// Candidates (N, H, 4) of the synthetic world's action range.
at::Tensor random_actions(int64_t n, int64_t horizon, uint64_t seed) {
  torch::manual_seed(seed);
  at::Tensor a = (torch::rand({n, horizon, 4}) * 2 - 1) * torch::tensor({0.1f, 0.1f, 0.08f, 1.0f});
  return a;
}

// The start of trajectory `index`: its first n_past frames and conditions.
ModelStart stored_start(const fs::path& split, size_t index, int64_t n_past) {
  h5::DatasetReader reader(split);
  const Trajectory t = reader.read(index);
  ModelStart s;
  s.frames = torch::from_blob(const_cast<uint8_t*>(t.pixels.data()), {n_past, 64, 64, 3}, torch::kUInt8)
                 .permute({0, 3, 1, 2}).to(torch::kFloat).div(255);
  at::Tensor actions = torch::from_blob(const_cast<float*>(t.actions.data()), {t.frames, 4}, torch::kFloat);
  at::Tensor positions = torch::from_blob(const_cast<float*>(t.endeffector.data()), {t.frames, 3}, torch::kFloat);
  s.history = torch::cat({actions, positions}, 1).narrow(0, 0, n_past - 1).clone();
  s.position = positions[n_past - 1].clone();
  return s;
}

}  // namespace

TEST_CASE("the planner's batched generation equals generate_samples for the same start, conditions and noise") {
  test::TempDir dir;
  const fs::path root = test::make_dataset(dir.path(), 8, 4, 8, 0.25);
  Registry registry = stages::make_registry();
  train(test::tiny_train_args(root, dir / "run", {"train.epochs=1", "train.steps_per_epoch=2"}), registry,
        CancelToken());
  Config config = load_run_directory_config(dir / "run", {}, {}, registry);
  TrainedModel trained = load_trained_model(config, registry, dir / "run" / "last.pt");

  const int64_t n_past = 2, horizon = 3, N = 6;
  const uint64_t seed = 5;
  ModelStart start = stored_start(root / "test.h5", 1, n_past);
  const auto kinematics = registry.create<stages::Kinematics>(config.section("kinematics"));
  ModelDynamics dynamics(trained.model, trained.device, start, *kinematics, 1, seed, 0);
  at::Tensor actions = random_actions(N, horizon, 3);
  at::Tensor cond = dynamics.conditions(actions);
  REQUIRE(cond.sizes().vec() == std::vector<int64_t>{N, n_past + horizon, 7});
  CHECK(at::equal(cond.narrow(1, 0, 1), start.history.unsqueeze(0).expand({N, -1, -1})));
  CHECK(at::equal(cond.select(1, n_past - 1).narrow(1, 4, 3), start.position.unsqueeze(0).expand({N, -1})));

  stages::Batch batch;
  batch.frames = start.frames.unsqueeze(0).expand({N, -1, -1, -1, -1}).contiguous();
  batch.cond = cond;
  batch.samples.resize(size_t(N));
  std::iota(batch.samples.begin(), batch.samples.end(), 0);
  at::Tensor expected = generate_samples(trained.model, batch, {n_past, horizon, 1, seed});  // (N, 1, H, ...)
  at::Tensor eps = counter_noise(seed, kEvalNoise, 0, batch.samples, n_past + horizon - 1, 4);
  at::Tensor got = dynamics.rollout(actions, eps);
  REQUIRE(got.sizes() == expected.sizes());
  const double difference = (got - expected).abs().max().item<double>();
  CHECK_MESSAGE(difference < 1e-5, difference);

  // Its own noise: every candidate the same, so equal actions give equal
  // futures, and a second future differs from the first.
  ModelDynamics two(trained.model, trained.device, start, *kinematics, 2, seed, 0);
  at::Tensor same = actions.narrow(0, 0, 1).expand({2, -1, -1}).contiguous();
  at::Tensor futures = two.rollout(same);
  REQUIRE(futures.sizes().vec() == std::vector<int64_t>{2, 2, horizon, 3, 64, 64});
  CHECK(at::equal(futures[0], futures[1]));
  CHECK(!at::equal(futures[0][0], futures[0][1]));
}

TEST_CASE("observe once and generate_futures broadcast equal generate(), warp, last-frame skips and learned prior") {
  Registry registry = stages::make_registry();
  for (bool variant : {false, true}) {
    CAPTURE(variant);
    std::vector<std::string> overrides;
    if (variant) overrides = {"model.warp=true", "model.last_frame_skip=true", "prior.type=learned"};
    Config config = test::tiny_config(registry, "unused", overrides);
    model::Cvae model = build_model(config, registry);
    model->eval();
    torch::NoGradGuard no_grad;
    const int64_t n_past = 3, total = 6, N = 4;
    torch::manual_seed(2);
    at::Tensor frames = torch::rand({1, n_past, 3, 64, 64});
    at::Tensor cond = torch::randn({N, total, 7});
    at::Tensor eps = torch::randn({total - 1, N, 4});
    at::Tensor whole = model->generate(frames.expand({N, -1, -1, -1, -1}), cond, eps, n_past, total);
    at::Tensor futures = model->generate_futures(model->observe(frames, n_past), cond, eps, total);
    const double difference = (whole.narrow(1, n_past, total - n_past) - futures).abs().max().item<double>();
    CHECK_MESSAGE(difference < 1e-5, difference);
  }
}
