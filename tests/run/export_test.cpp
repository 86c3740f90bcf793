// vidpred export: a trained run as a folder of weights, config and history
// that eval takes like the run itself; float16 weights score as float32 ones.
#include <doctest/doctest.h>

#include <cmath>

#include "pipeline/core/error.h"
#include "pipeline/run/evaluation.h"
#include "pipeline/run/export.h"
#include "pipeline/run/training.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/tiny_run.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

double mean_of(const EvalReport& report, const std::string& metric) {
  for (const auto& m : report.metrics) {
    if (m.name == metric) return m.mean.at("model mean");
  }
  FAIL("no metric " << metric);
  return 0;
}

EvalReport evaluate_run(const fs::path& run, const fs::path& root, const Registry& registry,
                        const std::string& extra = "eval.samples=2") {
  EvalArgs a;
  a.run_dir = run;
  a.overrides = {"data.root=" + root.string(), "outputs=[]", extra};
  a.progress = false;
  return evaluate(a, registry, CancelToken());
}

}  // namespace

TEST_CASE("an exported run evaluates as the run does: float32 alike, float16 within 0.01 dB; its files") {
  test::TempDir dir;
  const fs::path root = test::make_dataset(dir.path(), 16, 6, 8, 0.25);
  Registry registry = stages::make_registry();
  train(test::tiny_train_args(root, dir / "run", {"train.epochs=1"}), registry, CancelToken());

  ExportArgs e;
  e.run_dir = dir / "run";
  e.out = dir / "float32";
  e.overrides = {"eval.samples=2"};
  const ExportReport full = export_run(e, registry);
  e.out = dir / "float16";
  e.half = true;
  const ExportReport half = export_run(e, registry);
  CHECK(full.parameters > 0);
  CHECK(half.weight_bytes < 0.6 * double(full.weight_bytes));
  for (const char* f : {"config.toml", "best.pt", "train_log.csv"}) CHECK(fs::exists(dir / "float16" / f));
  CHECK_FALSE(fs::exists(dir / "float16.partial"));

  const EvalReport run = evaluate_run(dir / "run", root, registry);
  const EvalReport exported = evaluate_run(dir / "float32", root, registry);
  const EvalReport halved = evaluate_run(dir / "float16", root, registry);
  CHECK(evaluate_run(dir / "float16", root, registry, "eval.max_batches=1").samples == 2);  // the exported config's
  for (const char* metric : {"psnr", "ssim"}) {
    CAPTURE(metric);
    CHECK(mean_of(exported, metric) == doctest::Approx(mean_of(run, metric)).epsilon(1e-9));
    CHECK(std::abs(mean_of(halved, metric) - mean_of(exported, metric)) < 0.01);
  }
  // An export is not overwritten without --force; a missing run is named.
  CHECK_THROWS_WITH_AS(export_run(e, registry), doctest::Contains("pass --force"), Error);
  e.run_dir = dir / "nothing";
  e.out = dir / "other";
  e.force = true;
  CHECK_THROWS_WITH_AS(export_run(e, registry), doctest::Contains("nothing"), Error);
  CHECK_FALSE(fs::exists(dir / "other"));
}
