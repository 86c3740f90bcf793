// The curve_png writer: one decodable PNG per figure, of the configured size.
#include <doctest/doctest.h>

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <cmath>

#include <opencv2/imgcodecs.hpp>

#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

stages::Figure training_curves() {
  stages::Figure figure{"loss", "Training loss", "epoch", "loss", {}};
  stages::Series train{"train", {}, {}}, val{"val", {}, {}};
  for (int epoch = 1; epoch <= 30; ++epoch) {
    train.x.push_back(epoch), train.y.push_back(1.0 / epoch);
    val.x.push_back(epoch), val.y.push_back(1.2 / epoch + 0.05);
  }
  figure.series = {train, val};
  return figure;
}

}  // namespace

TEST_CASE("curve_png: every figure of a phase becomes plots/<name>.png of the configured size") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'curve_png'\nwidth = 640\nheight = 400");
  writer->begin({dir.path(), "train"});

  stages::Figure odd{"psnr_per_step", "PSNR per step", "step", "dB", {}};
  odd.series.push_back({"nan and one point", {1, 2, 3}, {NAN, 25.0, INFINITY}});
  writer->end({training_curves(), odd}, {{"loss", 0.1}});

  CHECK(writer->files() == std::vector<fs::path>{dir / "plots/loss.png", dir / "plots/psnr_per_step.png"});
  for (const auto& path : writer->files()) {
    cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    REQUIRE_FALSE(image.empty());
    CHECK(image.cols == 640);
    CHECK(image.rows == 400);
  }
  CHECK(test::partial_files(dir.path()).empty());
}

TEST_CASE("curve_png: a figure name cannot lead outside plots/") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'curve_png'");
  writer->begin({dir.path(), "eval"});
  writer->end({stages::Figure{"../escape/psnr", "", "", "", {}}, stages::Figure{"..", "", "", "", {}}}, {});
  REQUIRE(writer->files().size() == 2);
  for (const auto& path : writer->files()) {
    CHECK(path.parent_path() == dir / "plots");
    CHECK(fs::exists(path));
  }
  CHECK_FALSE(fs::exists(dir / "escape"));
}

#endif  // VIDPRED_HAVE_IMAGE_IO
