// Metrics against values computed independently with scikit-image and numpy
// (tests/data/metrics/make_reference.py), and their edge cases.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>
#endif

#include "pipeline/core/error.h"
#include "stages/metrics/metric.h"
#include "tests/support/features.h"
#include "tests/support/run_config.h"

using namespace vidpred;
using namespace vidpred::stages;

namespace {

const std::string kData = std::string(VIDPRED_SOURCE_DIR) + "/tests/data/metrics/";

// (1, 1, 3, 64, 64) float in [0, 1] from a PNG (the tests that call it
// are skipped in a build without image files).
at::Tensor load_image(const std::string& name) {
  cv::Mat bgr;
#ifdef VIDPRED_HAVE_IMAGE_IO
  bgr = cv::imread(kData + name, cv::IMREAD_COLOR);
#endif
  REQUIRE(!bgr.empty());
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  at::Tensor bytes = at::from_blob(rgb.data, {64, 64, 3}, at::kByte).clone();
  return (bytes.permute({2, 0, 1}).to(at::kFloat) / 255.0).reshape({1, 1, 3, 64, 64});
}

std::unique_ptr<Metric> metric(const std::string& name) {
  Registry registry = make_registry();
  toml::table table;
  table.insert("type", name);
  return registry.create<Metric>(Params(table, "metric", "test"));
}

struct Reference {
  int pair;
  double mse, psnr, ssim;
};

std::vector<Reference> references() {
  std::ifstream in(kData + "reference.csv");
  std::string line;
  std::getline(in, line);
  std::vector<Reference> out;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream row(line);
    Reference r{};
    row >> r.pair >> r.mse >> r.psnr >> r.ssim;
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("MSE, PSNR and SSIM match scikit-image on five image pairs" * doctest::skip(!test::kHaveImageIo)) {
  auto refs = references();
  REQUIRE(refs.size() == 5);
  auto mse = metric("mse"), psnr = metric("psnr"), ssim = metric("ssim");
  for (const auto& r : refs) {
    CAPTURE(r.pair);
    at::Tensor a = load_image("pair" + std::to_string(r.pair) + "_a.png");
    at::Tensor b = load_image("pair" + std::to_string(r.pair) + "_b.png");
    CHECK(mse->per_step(b, a).item<double>() == doctest::Approx(r.mse).epsilon(1e-6));
    CHECK(psnr->per_step(b, a).item<double>() == doctest::Approx(r.psnr).epsilon(1e-6));
    CHECK(ssim->per_step(b, a).item<double>() == doctest::Approx(r.ssim).epsilon(1e-6));
  }
}

TEST_CASE("metrics keep their batch and step shape and score each frame on its own" * doctest::skip(!test::kHaveImageIo)) {
  at::Tensor a = at::cat({load_image("pair1_a.png"), load_image("pair3_a.png")}, 1).repeat({2, 1, 1, 1, 1});  // (2, 2, ...)
  at::Tensor b = at::cat({load_image("pair1_b.png"), load_image("pair3_b.png")}, 1).repeat({2, 1, 1, 1, 1});
  auto refs = references();
  for (const char* name : {"mse", "psnr", "ssim"}) {
    at::Tensor v = metric(name)->per_step(b, a);
    CHECK(v.sizes() == at::IntArrayRef({2, 2}));
    CHECK((v.scalar_type() == at::kDouble));
    CHECK(v[0][0].item<double>() == v[1][0].item<double>());
    CHECK(v[0][0].item<double>() != v[0][1].item<double>());
  }
  CHECK(metric("ssim")->per_step(b, a)[1][1].item<double>() == doctest::Approx(refs[2].ssim).epsilon(1e-6));
}

TEST_CASE("identical frames: SSIM 1, MSE 0, PSNR at its documented cap, never inf or NaN" * doctest::skip(!test::kHaveImageIo)) {
  at::Tensor a = load_image("pair3_a.png");
  CHECK(metric("ssim")->per_step(a, a).item<double>() == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(metric("mse")->per_step(a, a).item<double>() == 0.0);
  CHECK(metric("psnr")->per_step(a, a).item<double>() == kPsnrCap);
  at::Tensor black = at::zeros_like(a);
  CHECK(metric("psnr")->per_step(black, black).item<double>() == kPsnrCap);
  CHECK(metric("ssim")->per_step(black, black).item<double>() == doctest::Approx(1.0));
}

TEST_CASE("a NaN SSIM counts as -1" * doctest::skip(!test::kHaveImageIo)) {
  at::Tensor a = load_image("pair1_a.png");
  at::Tensor broken = a.clone();
  broken[0][0][1][10][10] = std::nan("");
  CHECK(metric("ssim")->per_step(broken, a).item<double>() == -1.0);
  CHECK(!std::isnan(metric("ssim")->per_step(a, a).item<double>()));
}

namespace {

std::unique_ptr<Metric> motion_psnr(double threshold) {
  Registry registry = make_registry();
  toml::table table;
  table.insert("type", "motion_psnr");
  table.insert("threshold", threshold);
  return registry.create<Metric>(Params(table, "metric", "test"));
}

// (1, 1, 3, 2, 2) frames, pixels (row, column), every value exact in binary.
struct MotionFrames {
  at::Tensor last = at::zeros({1, 3, 2, 2}, at::kFloat);  // the last observed frame: black
  at::Tensor truth = at::zeros({1, 1, 3, 2, 2}, at::kFloat);
  at::Tensor prediction;
  MotionFrames() {
    truth[0][0][0][0][0] = 0.5f;    // (0,0) red moved by 0.5: moved
    truth[0][0][1][1][0] = 0.375f;  // (1,0) only green moved by 0.375: moved (its mean over channels, 0.125, would not)
    for (int c = 0; c < 3; ++c) truth[0][0][c][0][1] = 0.25f;  // (0,1) moved by exactly the threshold: not more
    prediction = truth.clone();
    prediction[0][0][0][0][0] = 0.375f;  // (0,0): off by 0.125
    prediction[0][0][2][1][0] = 0.25f;   // (1,0): blue off by 0.25
    prediction[0][0][0][0][1] = 0.75f;   // (0,1): off by 0.5, but it did not move
    prediction[0][0][1][1][1] = 1.0f;    // (1,1): off by 1, but it did not move
  }
};

}  // namespace

TEST_CASE("motion_psnr: 10 log10(1 / mse) over the pixels where a channel moved by more than the threshold") {
  MotionFrames f;
  // Moved: (0,0) and (1,0), their 3 channels each; squared errors 0.125^2 and 0.25^2.
  const double mse = (0.125 * 0.125 + 0.25 * 0.25) / 6;
  at::Tensor v = motion_psnr(0.25)->score(f.prediction, f.truth, MetricContext{f.last});
  CHECK(v.sizes() == at::IntArrayRef({1, 1}));
  CHECK((v.scalar_type() == at::kDouble));
  CHECK(v.item<double>() == doctest::Approx(10 * std::log10(1 / mse)).epsilon(1e-12));
  // A lower threshold takes in (0,1) as well, with its error of 0.5.
  const double wider = (0.125 * 0.125 + 0.25 * 0.25 + 0.5 * 0.5) / 9;
  CHECK(motion_psnr(0.125)->score(f.prediction, f.truth, MetricContext{f.last}).item<double>() ==
        doctest::Approx(10 * std::log10(1 / wider)).epsilon(1e-12));
}

TEST_CASE("motion_psnr: exact moved pixels count as the cap, a frame without motion has no score (NaN)") {
  MotionFrames f;
  at::Tensor exact_where_moved = f.truth.clone();
  exact_where_moved[0][0][1][1][1] = 1.0f;  // wrong only where nothing moved
  auto metric = motion_psnr(0.25);
  CHECK(metric->score(exact_where_moved, f.truth, MetricContext{f.last}).item<double>() == kPsnrCap);
  at::Tensor still = f.last.unsqueeze(1);
  CHECK(std::isnan(metric->score(f.prediction, still, MetricContext{f.last}).item<double>()));
  // Frames are scored one by one: a still frame beside a moving one.
  at::Tensor both = metric->score(at::cat({f.prediction, f.prediction}, 1), at::cat({f.truth, still}, 1),
                                  MetricContext{f.last});
  CHECK(std::isfinite(both[0][0].item<double>()));
  CHECK(std::isnan(both[0][1].item<double>()));
}

TEST_CASE("motion_psnr: copy_last stays under 10 log10(3 / threshold^2); it needs the last observed frame") {
  at::Tensor last = at::rand({2, 3, 8, 8}, at::TensorOptions().dtype(at::kFloat));
  at::Tensor truth = at::rand({2, 4, 3, 8, 8}, at::TensorOptions().dtype(at::kFloat));
  at::Tensor copy_last = last.unsqueeze(1).expand_as(truth);
  at::Tensor v = motion_psnr(0.1)->score(copy_last, truth, MetricContext{last});
  CHECK(v.max().item<double>() < 10 * std::log10(3 / (0.1 * 0.1)));
  CHECK(metric("psnr")->score(copy_last, truth, MetricContext{last}).min().item<double>() > 0);  // others ignore it
  CHECK_THROWS_WITH_AS(motion_psnr(0.1)->per_step(copy_last, truth), doctest::Contains("last observed frame"),
                       vidpred::Error);
  CHECK_THROWS_WITH_AS(motion_psnr(0.1)->score(copy_last, truth, MetricContext{}),
                       doctest::Contains("last observed frame"), vidpred::Error);
}
