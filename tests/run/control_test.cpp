// vidpred control in the synthetic world: planning with the true world as
// dynamics reaches its goals; every dynamics plays the same episodes; the
// files a user gets.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/run/control.h"
#include "pipeline/run/planning.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_files.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/features.h"
#include "tests/support/run_config.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// A run directory holding only its config (test-tiny over a small synthetic
// dataset, 10 predicted frames): the world and random dynamics need no weights.
// The action bounds are the world policy's, as a full dataset has them: 8
// short trajectories span less, and some reach goals are then out of reach.
struct ControlFixture {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 8, 2, 8, 0.25);
  Registry registry = stages::make_registry();
  fs::path run = dir / "run";

  ControlFixture() {
    Config config = test::tiny_config(registry, root.string(), {"train.n_future=10", "run.dir=" + run.string(), "planner.action_low=[-0.1, -0.1, -0.08, -1.0]",
                                    "planner.action_high=[0.1, 0.1, 0.08, 1.0]"});
    fs::create_directories(run);
    write_file_atomically(RunFiles{run}.config(), config.to_toml(run_schema(), registry));
  }

  ControlArgs args(const std::string& task, const std::string& dynamics, int64_t episodes) const {
    ControlArgs a;
    a.run_dir = run;
    a.task = task;
    a.dynamics = dynamics;
    a.episodes = episodes;
    a.seed = 3;
    a.out = dir / fmt::format("{}-{}", task, dynamics);
    a.progress = false;
    return a;
  }
};

}  // namespace

TEST_CASE("control with the world as dynamics reaches every goal of a few reach episodes; random does not") {
  ControlFixture f;
  ControlReport world = control(f.args("reach", "world", 3), f.registry, CancelToken());
  REQUIRE(world.episodes.size() == 3);
  for (const auto& e : world.episodes) {
    CAPTURE(e.episode);
    CAPTURE(e.start_distance);
    CAPTURE(e.final_distance);
    CHECK(e.success);
    CHECK(e.final_distance < e.start_distance / 3);
    CHECK(e.decisions == 5);  // 15 actions, 3 executed per decision
    CHECK(e.futures == 5 * 300);  // cem's default: 100 samples x 3 iterations
  }
  CHECK(world.success_rate() == 1.0);
  CHECK(world.futures_per_second() > 0);

  ControlReport random = control(f.args("reach", "random", 3), f.registry, CancelToken());
  REQUIRE(random.episodes.size() == 3);
  CHECK(random.success_rate() < 1.0);
  for (size_t e = 0; e < 3; ++e) CHECK(random.episodes[e].start_distance == world.episodes[e].start_distance);
  CHECK(random.futures_per_second() == 0);

  const fs::path out = f.dir / "reach-world";
  for (const char* file : {"summary.csv", "summary.json", "episodes/episode_0.csv", "episodes/episode_2.csv",
                           "gif/seq_0.gif", "gif/seq_2.gif"}) {
    CHECK_MESSAGE(fs::exists(out / file), file);
  }
  const std::string episode = test::read_text(out / "episodes/episode_1.csv");
  CHECK(episode.find("frame,decision,dx,dy,dz,gripper,x,y,z,distance\n1,1,") == 0);
  CHECK(std::count(episode.begin(), episode.end(), '\n') == 1 + 16);  // the start, then 15 actions
  CHECK(test::read_text(out / "summary.json").find("\"success_rate\": 1") != std::string::npos);
  // The page: the summary, and every episode's GIF, linked relatively.
  const std::string page = test::read_text(out / "index.html");
  CHECK(page.find("100.0%") != std::string::npos);
  for (int e = 0; e < 3; ++e) CHECK(page.find(fmt::format("src=\"gif/seq_{}.gif\"", e)) != std::string::npos);
}

TEST_CASE("control refuses an unknown task or dynamics before writing anything") {
  ControlFixture f;
  CHECK_THROWS_WITH_AS(control(f.args("stack", "world", 1), f.registry, CancelToken()),
                       doctest::Contains("--task stack"), Error);
  CHECK_THROWS_WITH_AS(control(f.args("reach", "oracle", 1), f.registry, CancelToken()),
                       doctest::Contains("--dynamics oracle"), Error);
  CHECK_FALSE(fs::exists(f.dir / "stack-world"));
  CHECK_FALSE(fs::exists(f.dir / "reach-oracle"));
}

namespace {

// Blank futures, counting its batches; cancels `token` after the first, as
// Ctrl-C would in the middle of a search.
class CancellingDynamics : public Dynamics {
 public:
  explicit CancellingDynamics(CancelToken token) : token_(std::move(token)) {}
  at::Tensor rollout(const at::Tensor& actions) override {
    ++batches;
    token_.cancel();
    return at::zeros({actions.size(0), 1, actions.size(1), 3, 64, 64});
  }
  int batches = 0;

 private:
  CancelToken token_;
};

}  // namespace

TEST_CASE("a search stops at its next batch of candidates once cancelled, not at the end of the decision") {
  ControlFixture f;
  // Each CEM iteration scores its candidates in one batch.
  Config config = load_run_directory_config(
      f.run, {}, {"planner.type=cem", "planner.iterations=3", "planner.samples=16", "planner.elites=4"}, f.registry);
  const PlanningSetup setup = planning_setup(config, f.registry);
  CancelToken cancel;
  CancellingDynamics dynamics(cancel);
  const stages::Goal goal{at::zeros({3, 64, 64})};
  CHECK_THROWS_AS(plan_toward(setup, dynamics, goal, 1, 0, cancel), Interrupted);
  CHECK(dynamics.batches == 1);
}
