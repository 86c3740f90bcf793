// Planners and costs: CEM finds a known minimum, random shooting keeps the
// best of its draws, goal_mse counts the frames its keys name.
#include <doctest/doctest.h>

#include <ATen/ATen.h>

#include "pipeline/core/error.h"
#include "stages/planning/cost.h"
#include "stages/planning/planner.h"
#include "tests/support/run_config.h"

using namespace vidpred;
using namespace vidpred::stages;

namespace {

template <class Interface>
std::unique_ptr<Interface> planning_stage(const std::string& section, std::vector<std::string> overrides = {}) {
  Registry registry = make_registry();
  Config c = test::tiny_config(registry, "unused", overrides);
  return registry.create<Interface>(c.section(section));
}

const ActionBounds kBounds{{-0.1, -0.1, -0.08, -1}, {0.1, 0.1, 0.08, 1}};

// A quadratic over the actions, least at `target` (inside the bounds).
PlanRequest quadratic_request(const at::Tensor& target, int64_t* scored = nullptr) {
  PlanRequest r;
  r.horizon = target.size(0);
  r.bounds = kBounds;
  r.seed = 7;
  r.cost = [target, scored](const at::Tensor& actions) {
    if (scored) *scored += actions.size(0);
    return (actions - target).pow(2).sum({1, 2});
  };
  return r;
}

}  // namespace

TEST_CASE("cem finds the minimum of a quadratic cost over action sequences") {
  auto cem = planning_stage<Planner>("planner", {"planner.type=cem", "planner.iterations=12", "planner.samples=300",
                                       "planner.elites=30"});
  at::Tensor target = at::tensor({0.05f, -0.03f, 0.02f, 0.5f, -0.07f, 0.06f, -0.01f, -0.4f}).view({2, 4});
  int64_t scored = 0;
  PlanResult r = cem->plan(quadratic_request(target, &scored));
  CHECK(scored == 300 * 12);
  CHECK(r.candidates == scored);
  CHECK(at::allclose(r.actions, target, 0, 5e-3));
  REQUIRE(r.iterations.size() == 12);
  CHECK(r.iterations.back().best < 1e-4);
  CHECK(r.iterations.back().best < r.iterations.front().best / 100);
  // One iteration never loses the last one's best.
  for (size_t i = 1; i < r.iterations.size(); ++i) CHECK(r.iterations[i].best <= r.iterations[i - 1].best);
  CHECK(r.cost() == doctest::Approx((r.actions - target).pow(2).sum().item<double>()));
}

TEST_CASE("cem's top plans are distinct, though each iteration scores the best so far again") {
  // A cost of 0 for the few draws whose first dx passes 0.07, 1 for the rest:
  // each iteration's row 0, the best so far scored again, ties with itself
  // at 0, and kept twice it would take two places among the lowest costs.
  auto cem = planning_stage<Planner>("planner", {"planner.type=cem", "planner.iterations=4", "planner.samples=20",
                                       "planner.elites=5"});
  PlanRequest r = quadratic_request(at::zeros({3, 4}));
  r.keep = 5;
  r.cost = [](const at::Tensor& actions) { return actions.select(1, 0).select(1, 0).lt(0.07).to(at::kFloat); };
  const PlanResult result = cem->plan(r);
  REQUIRE(result.top.size(0) == 5);
  CHECK(result.cost() == 0);
  for (int64_t i = 0; i < 5; ++i) {
    for (int64_t j = i + 1; j < 5; ++j) CHECK_FALSE(at::equal(result.top[i], result.top[j]));
  }
}

TEST_CASE("cem's draws stay inside the bounds and are fixed by seed and key") {
  auto cem = planning_stage<Planner>("planner", {"planner.spread=5"});
  PlanRequest r = quadratic_request(at::zeros({10, 4}));
  at::Tensor x = cem->draw_initial(r, 500);
  for (int d = 0; d < 4; ++d) {
    CHECK(x.select(2, d).min().item<double>() >= kBounds.low[d] - 1e-7);
    CHECK(x.select(2, d).max().item<double>() <= kBounds.high[d] + 1e-7);
  }
  CHECK(at::equal(x, cem->draw_initial(r, 500)));
  r.key = 1;
  CHECK(!at::equal(x, cem->draw_initial(r, 500)));
}

TEST_CASE("smoothing correlates a dimension's draws from one step to the next") {
  auto rough = planning_stage<Planner>("planner", {"planner.smoothing=0"});
  auto smooth = planning_stage<Planner>("planner", {"planner.smoothing=0.9"});
  PlanRequest r = quadratic_request(at::zeros({10, 4}));
  auto step_change = [&](const Planner& p) {
    at::Tensor x = p.draw_initial(r, 2000);
    return (x.narrow(1, 1, 9) - x.narrow(1, 0, 9)).abs().mean().item<double>();
  };
  CHECK(step_change(*smooth) < step_change(*rough) / 2);
}

TEST_CASE("random shooting's best is the best of its samples") {
  auto shooting = planning_stage<Planner>("planner", {"planner.type=random_shooting", "planner.samples=64"});
  at::Tensor target = at::full({3, 4}, 0.03f);
  at::Tensor seen, seen_costs;
  PlanRequest r = quadratic_request(target);
  const CandidateCost quadratic = r.cost;
  r.cost = [&](const at::Tensor& actions) {
    seen = actions.clone();
    seen_costs = quadratic(actions);
    return seen_costs;
  };
  r.keep = 3;
  PlanResult result = shooting->plan(r);
  REQUIRE(seen.size(0) == 64);
  const int64_t best = seen_costs.argmin().item<int64_t>();
  CHECK(at::equal(result.actions, seen[best]));
  CHECK(result.cost() == doctest::Approx(seen_costs.min().item<double>()));
  at::Tensor sorted = std::get<0>(seen_costs.sort());
  REQUIRE(result.top_costs.size() == 3);
  for (int k = 0; k < 3; ++k) CHECK(result.top_costs[k] == doctest::Approx(sorted[k].item<double>()));
}

TEST_CASE("planner keys are checked: elites within samples, four bounds each, low below high") {
  CHECK_THROWS_WITH_AS(planning_stage<Planner>("planner", {"planner.samples=10", "planner.elites=20"}),
                       doctest::Contains("elites"), ConfigError);
  CHECK_THROWS_WITH_AS(planning_stage<Planner>("planner", {"planner.action_low=[0, 0]", "planner.action_high=[1, 1]"}),
                       doctest::Contains("give 4 values"), ConfigError);
  CHECK_THROWS_WITH_AS(
      planning_stage<Planner>("planner", {"planner.action_low=[0, 0, 0, 0]", "planner.action_high=[1, 1, 0, 1]"}),
      doctest::Contains("dimension 2"), ConfigError);
  auto given = planning_stage<Planner>("planner", {"planner.action_low=[0, 0, 0, 0]", "planner.action_high=[1, 1, 1, 1]"});
  REQUIRE(given->bounds());
  CHECK(given->bounds()->high[2] == 1.0);
  CHECK(!planning_stage<Planner>("planner")->bounds());  // the training data's range then
}

TEST_CASE("goal_mse: the last frame, every frame, or the listed ones, weighted") {
  // Frame t of candidate n is uniformly (n + t) / 10; the goal is black.
  at::Tensor frames = at::zeros({2, 3, 3, 8, 8});
  for (int n = 0; n < 2; ++n) {
    for (int t = 0; t < 3; ++t) frames[n][t].fill_((n + t) / 10.0);
  }
  const Goal goal{at::zeros({3, 8, 8})};
  const at::Tensor actions = at::zeros({2, 3, 4});
  auto last = planning_stage<Cost>("cost", {"cost.frames=last", "cost.blur=0"});
  CHECK(at::allclose(last->score(frames, actions, goal), at::tensor({0.04f, 0.09f})));
  auto all = planning_stage<Cost>("cost", {"cost.blur=0"});
  CHECK(at::allclose(all->score(frames, actions, goal), at::tensor({0.05f / 3, 0.14f / 3})));
  auto listed = planning_stage<Cost>("cost", {"cost.steps=[1, 2]", "cost.weights=[3, 1]", "cost.blur=0"});
  CHECK(at::allclose(listed->score(frames, actions, goal), at::tensor({0.01f / 4, (0.03f + 0.04f) / 4})));
  CHECK_THROWS_WITH_AS(listed->check(1), doctest::Contains("steps"), Error);
  auto mismatched = planning_stage<Cost>("cost", {"cost.frames=all", "cost.weights=[1, 2]"});
  CHECK_THROWS_WITH_AS(mismatched->check(3), doctest::Contains("2 weights for the 3 counted frames"), Error);
  CHECK_NOTHROW(mismatched->check(2));
}

TEST_CASE("goal_mse with blur scores a near miss below a far one") {
  // A 2x2 white square on black; without blur, any miss scores the same.
  auto square_at = [](int x) {
    at::Tensor f = at::zeros({3, 16, 16});
    f.narrow(1, 7, 2).narrow(2, x, 2).fill_(1);
    return f;
  };
  at::Tensor frames = at::stack({square_at(6), square_at(12)}).unsqueeze(1);  // 2 candidates, 1 frame
  const Goal goal{square_at(3)};
  const at::Tensor actions = at::zeros({2, 1, 4});
  at::Tensor sharp = planning_stage<Cost>("cost", {"cost.blur=0"})->score(frames, actions, goal);
  CHECK(sharp[0].item<float>() == doctest::Approx(sharp[1].item<float>()));
  at::Tensor soft = planning_stage<Cost>("cost", {"cost.blur=2"})->score(frames, actions, goal);
  CHECK(soft[0].item<float>() < soft[1].item<float>() * 0.9);
  // The blur keeps a uniform image's inside as it is (its taps sum to 1).
  at::Tensor grey = at::full({1, 1, 3, 16, 16}, 0.5f);
  at::Tensor zero = planning_stage<Cost>("cost", {"cost.blur=1"})->score(grey, actions.narrow(0, 0, 1), Goal{grey[0][0]});
  CHECK(zero.item<float>() == doctest::Approx(0).epsilon(1e-6));
}
