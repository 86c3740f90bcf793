// vidpred plan on a tiny trained run: the plan it writes is one predict
// reads, and bad input (the goal, the horizon) is refused with nothing written.
#include <doctest/doctest.h>

#include <fstream>

#include <fmt/format.h>

#include "converters/image_codec.h"
#include "converters/inspect.h"
#include "converters/png_dir_source.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "pipeline/run/plan.h"
#include "pipeline/run/prediction.h"
#include "pipeline/run/run_files.h"
#include "pipeline/run/training.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/features.h"
#include "tests/support/run_config.h"
#include "tests/support/tiny_run.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// A one-epoch test-tiny run (2 observed + 3 predicted frames), a start folder
// of 2 frames with 2 rows of actions and positions, and a goal picture.
struct PlanFixture {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 8, 4, 8, 0.25);
  Registry registry = stages::make_registry();
  fs::path run = dir / "run";
  fs::path start = dir / "start";
  fs::path goal = dir / "goal.png";

  PlanFixture() {
    train(test::tiny_train_args(root, run, {"train.epochs=1", "train.steps_per_epoch=2"}), registry, CancelToken());
    dump_trajectory(root / "test.h5", 1, dir / "whole");
    fs::create_directories(start);
    for (const char* frame : {"0.png", "1.png"}) fs::copy_file(dir / "whole" / frame, start / frame);
    for (const char* csv : {"actions.csv", "endeffector_positions.csv"}) {
      const std::string text = test::read_text(dir / "whole" / csv);
      size_t end = text.find('\n', text.find('\n') + 1) + 1;  // the first two rows
      write_file_atomically(start / csv, text.substr(0, end));
    }
    fs::copy_file(dir / "whole" / "6.png", goal);
  }

  PlanArgs args() const {
    PlanArgs a;
    a.start.run_dir = run;
    a.start.frames_dir = start;
    a.goal = goal;
    a.out = dir / "out";
    a.overrides = {"planner.samples=12", "planner.elites=3", "planner.iterations=2", "planning.show=2"};
    return a;
  }

  void refused(const PlanArgs& a, const std::string& message) const {
    CHECK_THROWS_WITH_AS(plan(a, registry, CancelToken()), doctest::Contains(message.c_str()), Error);
    CHECK_FALSE(fs::exists(dir / "out"));
    CHECK_FALSE(fs::exists(dir / "out.partial"));
  }
};

}  // namespace

TEST_CASE("vidpred plan: bad input refused with nothing written, and a plan that predict --actions reads" *
          doctest::skip(!test::kHaveImageIo)) {
  PlanFixture f;
  {
    PlanArgs a = f.args();
    write_file_atomically(f.dir / "notes.png", "not an image");
    a.goal = f.dir / "notes.png";
    f.refused(a, fmt::format("--goal '{}'", a.goal.string()));
    std::vector<uint8_t> small(32 * 32 * 3, 128);
    write_file_atomically(f.dir / "small.png", encode_png(small.data(), 32, 32));
    a.goal = f.dir / "small.png";
    f.refused(a, "image is 32x32, expected 64x64");
    a.goal = f.dir / "missing.png";
    f.refused(a, "missing.png");
  }
  {
    PlanArgs a = f.args();
    a.overrides.push_back("planner.horizon=4");
    f.refused(a, "past the 3 frames (train.n_future)");
    a.overrides.back() = "cost.steps=[5]";
    f.refused(a, "counts predicted frame 5");
  }

  PlanReport report = plan(f.args(), f.registry, CancelToken());
  CHECK(report.horizon == 3);
  CHECK(report.candidates == 24);
  REQUIRE(report.result.iterations.size() == 2);
  CHECK(report.result.top.size(0) == 2);
  for (const char* file : {"plan.csv", "costs.csv", "top_plans.csv", "goal.png", "gif/seq_0.gif", "grid/seq_0.png",
                           "index.html"}) {
    CHECK_MESSAGE(fs::exists(f.dir / "out" / file), file);
  }
  const std::string csv = test::read_text(f.dir / "out/plan.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 2 + 3);  // a row per frame, observed ones included
  CHECK(std::count(csv.begin(), csv.end(), ',') == 6 * 5);    // 7 values a row
  CHECK(test::read_text(f.dir / "out/costs.csv").find("iteration,best,elite_mean,mean\n1,") == 0);
  // The page shows the pictures the writers made, by relative links, and the costs.
  const std::string page = test::read_text(f.dir / "out/index.html");
  CHECK(page.find("src=\"gif/seq_0.gif\"") != std::string::npos);
  CHECK(page.find("Cost per iteration") != std::string::npos);

  PredictArgs predict_args;
  predict_args.run_dir = f.run;
  predict_args.frames_dir = f.start;
  predict_args.action_files = {f.dir / "out/plan.csv"};
  predict_args.out = f.dir / "predicted";
  PredictReport predicted = predict(predict_args, f.registry, CancelToken());
  REQUIRE(predicted.plans.size() == 1);
  // The observed frames keep the start's positions; the plan's first action acts at the last of them.
  const std::vector<float> positions = read_float_csv(f.start / "endeffector_positions.csv", 3);
  for (size_t k = 0; k < positions.size(); ++k) CHECK(predicted.plans[0].endeffector[k] == positions[k]);
  CHECK(fs::exists(f.dir / "predicted/gif/seq_0.gif"));

  // A second plan into the same folder needs --force.
  CHECK_THROWS_WITH_AS(plan(f.args(), f.registry, CancelToken()), doctest::Contains("pass --force"), Error);
}

TEST_CASE("vidpred plan refuses a run trained without conditions, with nothing written") {
  test::TempDir dir;
  Registry registry = stages::make_registry();
  Config config = test::tiny_config(registry, (dir / "data").string(), {"model.conditioned=false"});
  fs::create_directories(dir / "run");
  write_file_atomically(RunFiles{dir / "run"}.config(), config.to_toml(run_schema(), registry));
  PlanArgs a;
  a.start.run_dir = dir / "run";
  a.start.frames_dir = dir / "start";
  a.goal = dir / "goal.png";
  a.out = dir / "out";
  CHECK_THROWS_WITH_AS(plan(a, registry, CancelToken()), doctest::Contains("trained without conditions"), Error);
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK_FALSE(fs::exists(dir / "out.partial"));
}
