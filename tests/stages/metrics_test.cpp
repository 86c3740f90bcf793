// Metrics against values computed independently with scikit-image and numpy
// (tests/data/metrics/make_reference.py), and their edge cases.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>
#endif

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
