// vidpred eval on a tiny trained run: the report, its files, and its errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <ATen/ATen.h>

#include "pipeline/config/config_error.h"
#include "pipeline/core/error.h"
#include "pipeline/run/evaluation.h"
#include "pipeline/run/training.h"
#include "stages/metrics/metric.h"
#include "stages/writers/writer.h"
#include "tests/hardening/child_process.h"
#include "tests/support/datasets.h"
#include "tests/support/features.h"
#include "tests/support/run_config.h"
#include "tests/support/tiny_run.h"
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
    train(test::tiny_train_args(root, run, {"train.epochs=1"}), registry, CancelToken());
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

// A writer that writes down what evaluation hands the writers, in
// probe/probe.txt: per sequence its prediction count and labels, per figure
// its axis label, frames and series.
class ProbeWriter : public stages::Writer {
 public:
  using Interface = stages::Writer;
  static constexpr const char* kName = "probe";
  static constexpr const char* kSummary = "test: what evaluation hands its writers";
  static Schema schema() { return Schema().integer("samples", 2, "predictions shown", {0, 100}); }
  explicit ProbeWriter(const Params& p) : samples_(p.integer("samples")) {}
  int64_t predictions_shown() const override { return samples_; }

  void sequence(const stages::EvalSequence& s) override {
    text_ += "sequence " + std::to_string(s.index) + " predictions " + std::to_string(s.predictions.size());
    for (const auto& label : s.labels) text_ += " | " + label;
    text_ += "\n";
  }
  void end(const std::vector<stages::Figure>& figures, const std::map<std::string, double>&) override {
    for (const auto& f : figures) {
      text_ += "figure " + f.name + " y '" + f.y_label + "' x";
      if (!f.series.empty()) {
        for (double x : f.series[0].x) text_ += " " + std::to_string(int(x));
      }
      for (const auto& series : f.series) text_ += " | " + series.name;
      text_ += "\n";
    }
    write_file("probe/probe.txt", text_);
  }

 private:
  int64_t samples_;
  std::string text_;
};

// A metric that tells apart the samples the tiny model makes nearly alike:
// the fractional part of 10^4 times a frame's pixel sum, another number for
// the slightest difference.
class SampleTellerMetric : public stages::Metric {
 public:
  using Interface = stages::Metric;
  static constexpr const char* kName = "sample_teller";
  static constexpr const char* kSummary = "test: a number that differs between samples";
  static Schema schema() { return Schema(); }
  explicit SampleTellerMetric(const Params&) {}
  std::string name() const override { return kName; }
  bool higher_is_better() const override { return true; }
  at::Tensor per_step(const at::Tensor& prediction, const at::Tensor&) const override {
    return at::frac(prediction.to(at::kDouble).sum({2, 3, 4}) * 1e4);
  }
};

// metrics.csv's rows as fields, header left out.
std::vector<std::vector<std::string>> csv_rows(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::read_text(file));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

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
  CHECK(psnr.mean.count("copy_last") == 1);
  // Ranked by PSNR, the best sample's MSE is the lower one per sequence, so
  // on average too.
  const auto& mse = find(report, "mse");
  CHECK(mse.mean.at("model best") <= mse.mean.at("model worst"));

  std::string csv = test::read_text(r.run / "eval/metrics.csv");
  CHECK(csv.find("sequence,predictor,sample,frame,psnr,ssim,mse\n") == 0);
  // 6 sequences x (4 samples + 1 baseline) x 3 steps, and the header.
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6 * 5 * 3 + 1);
  std::string json = test::read_text(r.run / "eval/summary.json");
  CHECK(json.find("\"samples\": 4") != std::string::npos);
  CHECK(json.find("\"copy_last\"") != std::string::npos);
  CHECK(report.table().find("copy_last") != std::string::npos);
}

TEST_CASE("metrics and baselines are chosen in TOML, and unknown ones are errors") {
  TrainedRun r;
  EvalReport report = r.eval({"eval.metrics=[{type='ssim'}]", "eval.baselines=[{type='mean_frame'}]"});
  REQUIRE(report.metrics.size() == 1);
  CHECK(report.metrics[0].name == "ssim");
  CHECK(report.predictors.back() == "mean_frame");
  CHECK(test::read_text(r.run / "eval/metrics.csv").find("sequence,predictor,sample,frame,ssim\n") == 0);
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
  CHECK_THROWS_WITH_AS(evaluate(nowhere, r.registry, CancelToken()), doctest::Contains("does not exist"),
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

TEST_CASE("frames are numbered from 1 everywhere: with 2 observed frames the first predicted is frame 3") {
  TrainedRun r;
  r.registry.add<ProbeWriter>();
  std::ofstream(r.dir / "probe.toml") << "[eval]\nsamples = 3\n[[outputs]]\ntype = 'probe'\n";
  EvalReport report = r.eval({}, r.dir / "probe.toml");
  REQUIRE(report.n_past == 2);
  CHECK(report.frames() == std::vector<int64_t>{3, 4, 5});

  std::set<std::string> frames, samples;
  for (const auto& row : csv_rows(r.run / "eval/metrics.csv")) {
    frames.insert(row.at(3));
    if (row.at(1) == "model") samples.insert(row.at(2));
    if (row.at(1) == "copy_last") CHECK(row.at(2) == "1");
  }
  CHECK(frames == std::set<std::string>{"3", "4", "5"});
  CHECK(samples == std::set<std::string>{"1", "2", "3"});
  CHECK(test::read_text(r.run / "eval/summary.json").find("\"frames\": [3, 4, 5],") != std::string::npos);

  // The plots: the same frames on x, and the metric with its unit on y.
  const std::string probe = test::read_text(r.run / "eval/probe/probe.txt");
  auto psnr = test::lines_starting(probe, "figure psnr_per_step ");
  REQUIRE(psnr.size() == 1);
  CHECK(psnr[0] == "figure psnr_per_step y 'PSNR (dB)' x 3 4 5 | model best | model mean | model worst | copy_last");
}

TEST_CASE("writers get the best sample with its number, and only as many samples as they show") {
  TrainedRun r;
  r.registry.add<ProbeWriter>();
  r.registry.add<SampleTellerMetric>();
  std::ofstream(r.dir / "probe.toml") << "[eval]\nsamples = 9\nvisualize = 4\nmax_batches = 0\n"
                                      << "metrics = [{type = 'sample_teller'}, {type = 'psnr'}]\n"
                                      << "[[outputs]]\ntype = 'probe'\nsamples = 2\n";
  r.eval({}, r.dir / "probe.toml");
  // The best sample of each sequence by the ranking metric, from metrics.csv.
  std::map<std::string, std::map<int, double>> score_sum;  // sequence -> sample -> sum over frames
  for (const auto& row : csv_rows(r.run / "eval/metrics.csv")) {
    if (row.at(1) == "model") score_sum[row.at(0)][std::stoi(row.at(2))] += std::stod(row.at(4));
  }
  auto sequences = test::lines_starting(test::read_text(r.run / "eval/probe/probe.txt"), "sequence ");
  REQUIRE(sequences.size() == 4);
  for (const auto& line : sequences) {
    CAPTURE(line);
    const std::string index = line.substr(9, line.find(' ', 9) - 9);
    const auto& sums = score_sum.at(index);
    const int best = std::max_element(sums.begin(), sums.end(), [](auto& a, auto& b) {
                       return a.second < b.second;
                     })->first;
    const std::string other = best == 1 ? "sample 2" : "sample 1";
    CHECK(line == "sequence " + index + " predictions 2 | best (" + std::to_string(best) + ") | " + other);
  }

  // One sample: one "model" row and one model curve, not three that hide each other.
  std::ofstream(r.dir / "one.toml") << "[eval]\nsamples = 1\n[[outputs]]\ntype = 'probe'\nsamples = 3\n";
  r.eval({}, r.dir / "one.toml");
  const std::string probe = test::read_text(r.run / "eval/probe/probe.txt");
  CHECK(test::lines_starting(probe, "sequence ").at(0).find("predictions 1 | model") != std::string::npos);
  CHECK(test::lines_starting(probe, "figure mse_per_step ").at(0) == "figure mse_per_step y 'MSE' x 3 4 5 | model | copy_last");
}

TEST_CASE("eval's peak memory does not grow with eval.samples") {
  TrainedRun r;
  auto peak_kib = [&](int samples) {
    auto result = test::run_child(VIDPRED_BINARY, {"eval", r.run.string(), "--set", "eval.samples=" + std::to_string(samples),
                                                   "--set", "eval.max_batches=0", "--set", "eval.batch_size=6"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    return result.peak_rss_kib;
  };
  const int64_t one = peak_kib(1), many = peak_kib(200);
  CAPTURE(one);
  CAPTURE(many);
  // Holding the 200 samples of the 6 sequences' 3 predicted frames alone
  // would take 169 MiB (and generating them at once several times that).
  // The allocator's own growth over a longer run was 8-18 MiB alone and once
  // 40 MiB beside two other copies of this test: the bound sits between.
  CHECK(many < one + 64 * 1024);
  const std::string csv = test::read_text(r.run / "eval/metrics.csv");  // every row is still there
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6 * (200 + 1) * 3 + 1);
}

TEST_CASE("folders an earlier evaluation's outputs leave empty go with them") {
  TrainedRun r;
  r.registry.add<ProbeWriter>();
  std::ofstream(r.dir / "probe.toml") << "[[outputs]]\ntype = 'probe'\n";
  r.eval({}, r.dir / "probe.toml");
  REQUIRE(fs::exists(r.run / "eval/probe/probe.txt"));
  fs::create_directories(r.run / "eval/mine");
  std::ofstream(r.dir / "none.toml") << "outputs = []\n";
  r.eval({}, r.dir / "none.toml");
  CHECK_FALSE(fs::exists(r.run / "eval/probe"));
  CHECK(fs::exists(r.run / "eval/mine"));  // not ours: kept, empty or not
  CHECK(fs::exists(r.run / "eval/metrics.csv"));
}

TEST_CASE("motion_psnr is reported beside the other metrics, and copy_last cannot do well on it") {
  TrainedRun r;
  EvalReport report = r.eval({"eval.metrics=[{type='psnr'}, {type='motion_psnr', threshold=0.1}, {type='mse'}]",
                              "eval.max_batches=0"});
  const auto& motion = find(report, "motion_psnr");
  CHECK(motion.higher_is_better);
  CHECK(motion.mean.at("copy_last") < 10 * std::log10(3 / (0.1 * 0.1)));
  CHECK(std::isfinite(motion.mean.at("model mean")));
  CHECK(report.table().find("motion_psnr") != std::string::npos);
  CHECK(test::read_text(r.run / "eval/metrics.csv").find("sequence,predictor,sample,frame,psnr,motion_psnr,mse\n") ==
        0);
  CHECK(test::read_text(r.run / "eval/summary.json").find("\"motion_psnr\": {") != std::string::npos);
}
