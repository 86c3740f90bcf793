// vidpred eval on a tiny trained run: the report, its files, and its errors.
#include <doctest/doctest.h>

#include <fstream>

#include "pipeline/config/config_error.h"
#include "pipeline/core/error.h"
#include "pipeline/run/evaluation.h"
#include "pipeline/run/training.h"
#include "tests/support/datasets.h"
#include "tests/support/features.h"
#include "tests/support/run_config.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

struct TrainedRun {
  test::TempDir dir;
  fs::path root = test::make_dataset(dir.path(), 16, 6, 8, 0.25);
  Registry registry = stages::make_registry();
  fs::path run = dir / "run";

  TrainedRun() {
    TrainArgs a;
    a.run_file = std::string(VIDPRED_SOURCE_DIR) + "/configs/test-tiny.toml";
    a.overrides = {"data.root=" + root.string(), "run.dir=" + run.string(), "train.epochs=1"};
    a.progress = false;
    train(a, registry, CancelToken());
  }

  EvalReport eval(std::vector<std::string> overrides = {}, fs::path config = {}) {
    EvalArgs a;
    a.run_dir = run;
    a.overrides = std::move(overrides);
    a.config = std::move(config);
    a.progress = false;
    return evaluate(a, registry, CancelToken());
  }
};

const MetricSummary& find(const EvalReport& r, const std::string& name) {
  for (const auto& m : r.metrics) {
    if (m.name == name) return m;
  }
  FAIL("no metric " << name);
  throw;
}

}  // namespace

TEST_CASE("best-of-N is never worse than the mean, nor the mean than the worst") {
  TrainedRun r;
  EvalReport report = r.eval({"eval.samples=4", "eval.max_batches=0", "eval.batch_size=3"});
  CHECK(report.sequences == 6);
  CHECK(report.samples == 4);
  const auto& psnr = find(report, "psnr");
  CHECK(psnr.mean.at("model best") >= psnr.mean.at("model mean"));
  CHECK(psnr.mean.at("model mean") >= psnr.mean.at("model worst"));
  CHECK(psnr.per_step.at("model best").size() == 3);
  CHECK(psnr.mean.count("copy-last") == 1);
  // Ranked by PSNR, the best sample's MSE is the lower one per sequence, so
  // on average too.
  const auto& mse = find(report, "mse");
  CHECK(mse.mean.at("model best") <= mse.mean.at("model worst"));

  std::string csv = test::read_text(r.run / "eval/metrics.csv");
  CHECK(csv.find("sequence,predictor,sample,step,psnr,ssim,mse\n") == 0);
  // 6 sequences x (4 samples + 1 baseline) x 3 steps, and the header.
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6 * 5 * 3 + 1);
  std::string json = test::read_text(r.run / "eval/summary.json");
  CHECK(json.find("\"samples\": 4") != std::string::npos);
  CHECK(json.find("\"copy-last\"") != std::string::npos);
  CHECK(report.table().find("copy-last") != std::string::npos);
}

TEST_CASE("metrics and baselines are chosen in TOML, and unknown ones are errors") {
  TrainedRun r;
  EvalReport report = r.eval({"eval.metrics=[{type='ssim'}]", "eval.baselines=[{type='mean-frame'}]"});
  REQUIRE(report.metrics.size() == 1);
  CHECK(report.metrics[0].name == "ssim");
  CHECK(report.predictors.back() == "mean-frame");
  CHECK(test::read_text(r.run / "eval/metrics.csv").find("sequence,predictor,sample,step,ssim\n") == 0);
  CHECK_THROWS_WITH_AS(r.eval({"eval.metrics=[{type='lpips'}]"}), doctest::Contains("unknown metric 'lpips'"),
                       ConfigError);

  // An evaluation file replaces the run's tables.
  std::ofstream(r.dir / "eval.toml") << "[eval]\nhorizon = 5\nmetrics = [{type = 'mse'}]\n";
  EvalReport longer = r.eval({}, r.dir / "eval.toml");
  CHECK(longer.horizon == 5);
  CHECK(longer.metrics[0].name == "mse");
}

TEST_CASE("eval/ holds the last evaluation's files: what an earlier one wrote and this one did not goes" *
          doctest::skip(!test::kHaveImageIo)) {
  TrainedRun r;
  std::ofstream(r.dir / "three.toml") << "[eval]\nvisualize = 3\n[[outputs]]\ntype = 'png_grid'\nsequences = 3\n";
  r.eval({}, r.dir / "three.toml");
  CHECK(fs::exists(r.run / "eval/grid/seq_2.png"));
  std::ofstream(r.run / "eval/notes.txt") << "the user's own file";
  std::ofstream(r.dir / "one.toml") << "[eval]\nvisualize = 1\n[[outputs]]\ntype = 'png_grid'\nsequences = 1\n";
  EvalReport report = r.eval({}, r.dir / "one.toml");
  CHECK(fs::exists(r.run / "eval/grid/seq_0.png"));
  CHECK_FALSE(fs::exists(r.run / "eval/grid/seq_1.png"));
  CHECK_FALSE(fs::exists(r.run / "eval/grid/seq_2.png"));
  CHECK(fs::exists(r.run / "eval/notes.txt"));  // not ours: kept
  CHECK(test::read_text(r.run / "eval/.vidpred-outputs").find("grid/seq_0.png\n") != std::string::npos);
  // A list that is not ours (no header) removes nothing.
  std::ofstream(r.run / "eval/.vidpred-outputs") << "notes.txt\n";
  r.eval({}, r.dir / "one.toml");
  CHECK(fs::exists(r.run / "eval/notes.txt"));
}

TEST_CASE("evaluating a run directory without a checkpoint is a clear error") {
  TrainedRun r;
  fs::remove(r.run / "best.pt");
  CHECK_THROWS_WITH_AS(r.eval(), doctest::Contains("has no best.pt"), Error);
  EvalArgs last;
  last.run_dir = r.run;
  last.checkpoint = "last";
  last.progress = false;
  CHECK_NOTHROW(evaluate(last, r.registry, CancelToken()));
  EvalArgs nowhere;
  nowhere.run_dir = r.dir / "nothing";
  CHECK_THROWS_WITH_AS(evaluate(nowhere, r.registry, CancelToken()), doctest::Contains("is not a run directory"),
                       Error);
}

TEST_CASE("a build without image files leaves png_grid out and still evaluates" * doctest::skip(test::kHaveImageIo)) {
  TrainedRun r;
  std::ofstream(r.dir / "grid.toml") << "[[outputs]]\ntype = 'png_grid'\nsequences = 2\n[[outputs]]\ntype = 'tensorboard'\n";
  EvalReport report = r.eval({}, r.dir / "grid.toml");
  CHECK(report.sequences > 0);
  CHECK_FALSE(fs::exists(r.run / "eval/grid"));
  CHECK(test::read_text(r.run / "eval/.vidpred-outputs").find("events.out.tfevents") != std::string::npos);
}
