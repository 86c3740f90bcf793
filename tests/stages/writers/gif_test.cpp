// The gif writer: files read back with giflib, frame count, size, loop, delay
// and the observed/predicted border colours.
#include <doctest/doctest.h>

#ifdef VIDPRED_HAVE_GIF
#include <gif_lib.h>

#include <cstring>
#include <memory>

#include <opencv2/core.hpp>

#include "stages/writers/canvas.h"
#include "stages/writers/sequence_layout.h"
#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

namespace {

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using Gif = std::unique_ptr<GifFileType, GifCloser>;

Gif slurp(const fs::path& path) {
  int error = 0;
  Gif gif(DGifOpenFileName(path.c_str(), &error));
  REQUIRE_MESSAGE(gif, "cannot open " << path << ": " << GifErrorString(error));
  REQUIRE(DGifSlurp(gif.get()) == GIF_OK);
  return gif;
}

// The NETSCAPE2.0 block and its loop count, among the first image's extensions.
bool loops_forever(GifFileType* gif) {
  const SavedImage& first = gif->SavedImages[0];
  for (int i = 0; i + 1 < first.ExtensionBlockCount; ++i) {
    const ExtensionBlock& block = first.ExtensionBlocks[i];
    if (block.Function != APPLICATION_EXT_FUNC_CODE || block.ByteCount != 11) continue;
    if (std::memcmp(block.Bytes, "NETSCAPE2.0", 11) != 0) continue;
    const ExtensionBlock& data = first.ExtensionBlocks[i + 1];
    return data.ByteCount == 3 && data.Bytes[0] == 1 && data.Bytes[1] == 0 && data.Bytes[2] == 0;
  }
  return false;
}

cv::Vec3b pixel(GifFileType* gif, int frame, int x, int y) {
  const SavedImage& image = gif->SavedImages[frame];
  const ColorMapObject* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
  GifColorType c = map->Colors[image.RasterBits[size_t(y) * image.ImageDesc.Width + x]];
  return {c.Red, c.Green, c.Blue};
}

bool near(cv::Vec3b got, const cv::Scalar& want) {
  for (int k = 0; k < 3; ++k) {
    if (std::abs(int(got[k]) - int(want[k])) > 12) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("gif: one looping animation per sequence, with the expected frames, size and delay") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'\nsequences = 2\nsamples = 3\nscale = 2\ndelay_ms = 150");
  writer->begin({dir.path(), "eval"});
  for (int64_t index : {7, 8, 9}) writer->sequence(test::synthetic_sequence(index, 2, 10));

  CHECK(writer->files() == std::vector<fs::path>{dir / "gif/seq_7.gif", dir / "gif/seq_8.gif"});
  CHECK_FALSE(fs::exists(dir / "gif/seq_9.gif"));  // only the first `sequences`
  CHECK(test::partial_files(dir.path()).empty());

  Gif gif = slurp(dir / "gif/seq_7.gif");
  CHECK(gif->ImageCount == 12);  // n_past + horizon
  CHECK(gif->SWidth == 4 * 64 * 2);  // truth + 3 predictions, 64 pixels each, scale 2
  CHECK(gif->SHeight == 2 * stages::canvas::kTextRowHeight + 64 * 2);
  CHECK(loops_forever(gif.get()));
  for (int i = 0; i < gif->ImageCount; ++i) {
    GraphicsControlBlock control;
    REQUIRE(DGifSavedExtensionToGCB(gif.get(), i, &control) == GIF_OK);
    CHECK(control.DelayTime == 15);  // hundredths of a second
    CHECK(gif->SavedImages[i].ImageDesc.Width == gif->SWidth);
  }
}

TEST_CASE("gif: observed frames have green borders, predicted frames red, the future truth grey") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'\nscale = 2");
  writer->begin({dir.path(), "eval"});
  writer->sequence(test::synthetic_sequence(0, 3, 5));
  Gif gif = slurp(dir / "gif/seq_0.gif");

  const int panel = 64 * 2, top = 2 * stages::canvas::kTextRowHeight;
  const int truth_x = 0, best_x = panel;  // left edge of each panel: its border
  const int y = top + panel / 2;
  CHECK(near(pixel(gif.get(), 0, truth_x, y), stages::canvas::kObserved));
  CHECK(near(pixel(gif.get(), 2, best_x, y), stages::canvas::kObserved));
  CHECK(near(pixel(gif.get(), 3, best_x, y), stages::canvas::kPredicted));
  CHECK(near(pixel(gif.get(), 3, truth_x, y), stages::canvas::kFutureTruth));
  // The background row above the panels stays white: the palette is exact there.
  cv::Vec3b background = pixel(gif.get(), 0, 1, 1);
  CHECK(background == cv::Vec3b(255, 255, 255));
}

TEST_CASE("gif: one palette for all frames keeps the colours close to the frames drawn") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'\nscale = 2");
  writer->begin({dir.path(), "eval"});
  auto sequence = test::synthetic_sequence(1, 2, 6);
  writer->sequence(sequence);
  Gif gif = slurp(dir / "gif/seq_1.gif");
  CHECK(gif->SColorMap != nullptr);
  for (int t : {0, 5}) {
    cv::Mat drawn = stages::animation_frame(sequence, t, 3, 2), decoded(drawn.size(), CV_8UC3);
    for (int y = 0; y < drawn.rows; ++y) {
      for (int x = 0; x < drawn.cols; ++x) decoded.at<cv::Vec3b>(y, x) = pixel(gif.get(), t, x, y);
    }
    CAPTURE(t);
    CHECK(gif->SavedImages[t].ImageDesc.ColorMap == nullptr);  // the global palette serves every frame
    CHECK(cv::PSNR(drawn, decoded) > 33.0);  // a fixed 6x7x6 colour cube gives about 25 dB
  }
}

TEST_CASE("gif: a first row of the observed frames alone runs to the predictions' end, empty after its own") {
  // vidpred predict from a user's own frames: nothing after the context is known.
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'\nscale = 1");
  writer->begin({dir.path(), "predict"});
  stages::EvalSequence sequence = test::synthetic_sequence(0, 2, 5, 1);
  sequence.truth.frames = 2;
  sequence.truth.rgb.resize(size_t(2) * 64 * 64 * 3);
  sequence.truth_label = "context";
  writer->sequence(sequence);
  Gif gif = slurp(dir / "gif/seq_0.gif");
  CHECK(gif->ImageCount == 7);  // the prediction's frames, not the context's 2
  const int top = 2 * stages::canvas::kTextRowHeight;
  CHECK(near(pixel(gif.get(), 1, 0, top + 32), stages::canvas::kObserved));    // the context's border
  CHECK(near(pixel(gif.get(), 4, 0, top + 32), stages::canvas::kBackground));  // after it: empty
  CHECK(near(pixel(gif.get(), 4, 64, top + 32), stages::canvas::kPredicted));  // the prediction goes on
}

TEST_CASE("gif: a sequence with fewer predictions than samples shows the ones it has") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'\nsamples = 5\nscale = 1");
  writer->begin({dir.path(), "eval"});
  writer->sequence(test::synthetic_sequence(4, 2, 4, 1));
  Gif gif = slurp(dir / "gif/seq_4.gif");
  CHECK(gif->SWidth == 2 * 64);
  CHECK(gif->ImageCount == 6);
}

TEST_CASE("gif: a sequence whose buffers do not match its sizes is an error naming the file") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'gif'");
  writer->begin({dir.path(), "eval"});
  auto sequence = test::synthetic_sequence(5);
  sequence.predictions[1].rgb.resize(100);
  CHECK_THROWS_WITH_AS(writer->sequence(sequence), doctest::Contains("gif/seq_5.gif"), Error);
  CHECK_FALSE(fs::exists(dir / "gif/seq_5.gif"));
  CHECK(writer->files().empty());
}

#endif  // VIDPRED_HAVE_GIF
