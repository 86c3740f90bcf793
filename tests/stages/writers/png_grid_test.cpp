// The png_grid writer: decodable PNGs of the documented layout, frames in
// their cells, and the overview at the end of evaluation.
#include <doctest/doctest.h>

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>

#include "stages/writers/canvas.h"
#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
using stages::canvas::kGap;
using stages::canvas::kRowLabelWidth;
using stages::canvas::kTextRowHeight;
namespace fs = std::filesystem;

namespace {

int grid_width(int steps, int cell) { return kRowLabelWidth + steps * (cell + kGap); }
int grid_height(int rows, int cell) { return kTextRowHeight + rows * (cell + kGap); }

}  // namespace

TEST_CASE("png_grid: one PNG per sequence, rows truth and predictions, columns time steps") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'png_grid'\nsequences = 2\nsamples = 2\nscale = 2");
  writer->begin({dir.path(), "eval"});
  auto sequence = test::synthetic_sequence(3, 2, 10, 3);
  writer->sequence(sequence);
  writer->sequence(test::synthetic_sequence(4));
  writer->sequence(test::synthetic_sequence(5));

  CHECK(fs::exists(dir / "grid/seq_3.png"));
  CHECK(fs::exists(dir / "grid/seq_4.png"));
  CHECK_FALSE(fs::exists(dir / "grid/seq_5.png"));
  cv::Mat grid = cv::imread((dir / "grid/seq_3.png").string(), cv::IMREAD_COLOR);
  REQUIRE_FALSE(grid.empty());
  CHECK(grid.cols == grid_width(12, 64 * 2));
  CHECK(grid.rows == grid_height(3, 64 * 2));  // truth + 2 of the 3 predictions

  // The centre of the cell of row 1 (best), step 5 shows that frame's pixel.
  int cell = 64 * 2, t = 5;
  int x = kRowLabelWidth + kGap + t * (cell + kGap) + cell / 2;
  int y = kTextRowHeight + kGap + 1 * (cell + kGap) + cell / 2;
  const uint8_t* rgb = sequence.predictions[0].frame(t) + (32 * 64 + 32) * 3;
  cv::Vec3b bgr = grid.at<cv::Vec3b>(y, x);
  CHECK(bgr == cv::Vec3b(rgb[2], rgb[1], rgb[0]));
  CHECK(test::partial_files(dir.path()).empty());
}

TEST_CASE("png_grid: the end of evaluation writes grid/all.png with truth and best of each sequence") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'png_grid'\nsequences = 3");
  writer->begin({dir.path(), "eval"});
  const auto first = test::synthetic_sequence(0, 2, 6);
  for (int64_t index : {0, 1, 2, 3}) writer->sequence(test::synthetic_sequence(index, 2, 6));
  writer->end({}, {});

  cv::Mat all = cv::imread((dir / "grid/all.png").string(), cv::IMREAD_COLOR);
  REQUIRE_FALSE(all.empty());
  // Frames enlarged 3 times by default: 64 px cannot be judged by eye.
  CHECK(all.cols == grid_width(8, 64 * 3));
  CHECK(all.rows == 3 * grid_height(2, 64 * 3) + 2 * 4 * kGap);
  // Nearest neighbour: each frame pixel is a 3 x 3 block of its own colour,
  // here pixels (20..40, 30) of the truth's step 4, in both directions.
  const int cell = 64 * 3, t = 4;
  for (int px = 20; px <= 40; ++px) {
    const uint8_t* rgb = first.truth.frame(t) + (30 * 64 + px) * 3;
    for (int dy = 0; dy < 3; ++dy) {
      for (int dx = 0; dx < 3; ++dx) {
        int x = kRowLabelWidth + kGap + t * (cell + kGap) + 3 * px + dx, y = kTextRowHeight + kGap + 3 * 30 + dy;
        CHECK(all.at<cv::Vec3b>(y, x) == cv::Vec3b(rgb[2], rgb[1], rgb[0]));
      }
    }
  }
  CHECK(writer->files().size() == 4);  // three grids and the overview
  CHECK(writer->files().back() == dir / "grid/all.png");
}

TEST_CASE("png_grid: no overview after training, nor when switched off") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'png_grid'");
  writer->begin({dir.path(), "train"});
  writer->end({}, {});
  CHECK_FALSE(fs::exists(dir / "grid/all.png"));

  auto quiet = test::make_writer("type = 'png_grid'\noverview = false");
  quiet->begin({dir.path(), "eval"});
  quiet->sequence(test::synthetic_sequence(0));
  quiet->end({}, {});
  CHECK(fs::exists(dir / "grid/seq_0.png"));
  CHECK_FALSE(fs::exists(dir / "grid/all.png"));
}

#endif  // VIDPRED_HAVE_IMAGE_IO
