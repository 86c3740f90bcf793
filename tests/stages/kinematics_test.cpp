// The kinematics stages: `integrate` is the synthetic world's rule, exactly.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include <torch/torch.h>

#include "converters/synth/world.h"
#include "pipeline/core/error.h"
#include "stages/kinematics/kinematics.h"
#include "tests/support/run_config.h"

using namespace vidpred;
using namespace vidpred::stages;

namespace {

std::unique_ptr<Kinematics> make(std::vector<std::string> overrides = {}) {
  Registry registry = make_registry();
  Config c = test::tiny_config(registry, "unused", overrides);
  return registry.create<Kinematics>(c.section("kinematics"));
}

at::Tensor rows(const std::vector<float>& values, std::vector<int64_t> shape) {
  return torch::tensor(values).view(shape);
}

}  // namespace

TEST_CASE("integrate reproduces the synthetic world's end-effector positions exactly, batched and one by one") {
  constexpr int kTrajectories = 12, kFrames = 30;
  synth::WorldOptions options;
  options.frames = kFrames;
  options.size = 16;  // the pixels play no part
  std::vector<at::Tensor> starts, actions, recorded;
  auto integrate = make();
  for (uint64_t index = 0; index < kTrajectories; ++index) {
    const Trajectory t = synth::simulate(3, index, options).aux1;
    const std::array<float, 3> start = {t.endeffector[0], t.endeffector[1], t.endeffector[2]};
    CHECK(integrate->positions(start, t.actions) == t.endeffector);
    starts.push_back(rows({start.begin(), start.end()}, {3}));
    actions.push_back(rows(t.actions, {kFrames, 4}));
    recorded.push_back(rows(t.endeffector, {kFrames, 3}));
  }
  at::Tensor batched = integrate->positions(torch::stack(starts), torch::stack(actions));
  CHECK((batched.scalar_type() == torch::kFloat));
  CHECK(torch::equal(batched, torch::stack(recorded)));
  // Some steps are clamped (the table's surface or edge), so the bounds matter too.
  at::Tensor all = torch::stack(recorded), unclamped = all.narrow(1, 0, kFrames - 1) +
                                                       torch::stack(actions).narrow(1, 0, kFrames - 1).narrow(2, 0, 3);
  CHECK_FALSE(torch::equal(unclamped, all.narrow(1, 1, kFrames - 1)));
}

TEST_CASE("integrate keeps positions within its bounds, which are keys") {
  auto boxed = make({"kinematics.x_min=-0.2", "kinematics.x_max=0.2", "kinematics.y_min=-0.3",
                     "kinematics.y_max=0.3", "kinematics.z_min=0.1", "kinematics.z_max=0.4"});
  // One plan: from the middle, 4 steps of +0.1 in x, -0.1 in y, +0.1 in z.
  std::vector<float> plan;
  for (int t = 0; t < 5; ++t) plan.insert(plan.end(), {0.1f, -0.1f, 0.1f, 1.0f});
  const std::vector<float> p = boxed->positions({0, 0, 0.2f}, plan);
  REQUIRE(p.size() == 15);
  CHECK(p[0] == 0.0f);
  CHECK(p[3] == 0.1f);
  CHECK(p[3 * 2] == 0.2f);
  CHECK(p[3 * 4] == 0.2f);        // x held at high
  CHECK(p[3 * 4 + 1] == -0.3f);   // y held at low
  CHECK(p[3 * 4 + 2] == 0.4f);    // z held at high
  // A double-precision batch on its way in is computed in float32.
  at::Tensor start = torch::zeros({2, 3}, torch::kDouble);
  at::Tensor actions = torch::full({2, 3, 4}, 0.25, torch::kDouble);
  at::Tensor out = boxed->positions(start, actions);
  CHECK(out.sizes().vec() == std::vector<int64_t>{2, 3, 3});
  CHECK((out.scalar_type() == torch::kFloat));
  CHECK(out[1][2][0].item<float>() == 0.2f);
}

TEST_CASE("integrate refuses bad bounds and shapes, naming them") {
  CHECK_THROWS_WITH_AS(make({"kinematics.z_min=0.6"}), doctest::Contains("z_max"), Error);
  CHECK_THROWS_WITH_AS(make({"kinematics.x_min='left'"}), doctest::Contains("x_min"), Error);
  CHECK_THROWS_WITH_AS(make({"kinematics.type=integrate", "kinematics.reach=1"}), doctest::Contains("reach"), Error);
  auto integrate = make();
  CHECK_THROWS_WITH_AS(integrate->positions(torch::zeros({2, 3}), torch::zeros({3, 5, 4})),
                       doctest::Contains("2x3 and 3x5x4"), Error);
  CHECK_THROWS_AS(integrate->positions(torch::zeros({1, 3}), torch::zeros({1, 0, 4})), Error);
  CHECK_THROWS_WITH_AS(integrate->positions({0, 0, 0}, std::vector<float>(6)), doctest::Contains("rows of 4"), Error);
}
