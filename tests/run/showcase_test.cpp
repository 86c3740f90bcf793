// The showcase model shipped in configs/showcase: it loads as it is, float16
// weights and all, and scores on the first test sequences of the main job's
// test split what it scored when it was shipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "pipeline/run/evaluation.h"
#include "stages/register.h"
#include "tests/support/datasets.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

// Recorded when the model was shipped: its figures on the first 8 sequences
// of the main job's test split (`vidpred eval configs/showcase` gives the
// same per sequence in eval/metrics.csv), 3 samples each, means over the 10
// predicted frames. Another CPU kind rounds differently, by far less than
// the tolerances.
struct Stored {
  const char* metric;
  double model_mean, copy_last, tolerance;
};
constexpr Stored kStored[] = {
    {"psnr", 29.96967, 23.23568, 0.01},
    {"ssim", 0.935255, 0.797000, 1e-4},
    {"motion_psnr", 22.86432, 14.40912, 0.01},
};

}  // namespace

TEST_CASE("the shipped showcase model scores its stored figures on the first 8 test sequences") {
  test::TempDir dir;
  const fs::path root = test::make_dataset(dir.path(), 1, 8, 30, 0.0, "none", /*seed=*/1);
  const fs::path shipped = fs::path(VIDPRED_SOURCE_DIR) / "configs" / "showcase";
  const fs::path run = dir / "showcase";  // eval writes into the run directory: a copy, not the source tree
  fs::create_directories(run);
  for (const char* file : {"config.toml", "best.pt"}) fs::copy_file(shipped / file, run / file);
  CHECK(fs::file_size(run / "best.pt") < 10'000'000);

  EvalArgs a;
  a.run_dir = run;
  a.overrides = {"data.root=" + root.string(), "eval.batch_size=8", "eval.max_batches=1", "outputs=[]"};
  a.progress = false;
  Registry registry = stages::make_registry();
  const EvalReport report = evaluate(a, registry, CancelToken());
  REQUIRE(report.sequences == 8);
  CHECK(report.samples == 3);
  for (const Stored& s : kStored) {
    CAPTURE(s.metric);
    const auto m = std::find_if(report.metrics.begin(), report.metrics.end(),
                                [&](const MetricSummary& x) { return x.name == s.metric; });
    REQUIRE(m != report.metrics.end());
    MESSAGE(std::string(s.metric) << ": model mean " << m->mean.at("model mean") << ", copy_last " << m->mean.at("copy_last"));
    CHECK(std::abs(m->mean.at("model mean") - s.model_mean) < s.tolerance);
    CHECK(std::abs(m->mean.at("copy_last") - s.copy_last) < s.tolerance);
  }
}
