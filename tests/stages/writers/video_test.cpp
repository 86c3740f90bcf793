// The video writer: an AVI that OpenCV reads back with every frame at the
// expected size; mp4 works or says to use avi; nothing half-written is left.
#include <doctest/doctest.h>

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <fstream>

#include <opencv2/videoio.hpp>

#include "stages/writers/canvas.h"
#include "pipeline/core/atomic_file.h"
#include "tests/stages/writers/writer_fixtures.h"
#include "tests/support/temp_dir.h"

using namespace vidpred;
namespace fs = std::filesystem;

TEST_CASE("video: an AVI per sequence, truth beside the best prediction, every frame") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'video'\nsequences = 1\nscale = 3\nfps = 5.0");
  writer->begin({dir.path(), "eval"});
  writer->sequence(test::synthetic_sequence(11, 2, 10));
  writer->sequence(test::synthetic_sequence(12, 2, 10));

  fs::path path = dir / "video/seq_11.avi";
  CHECK(writer->files() == std::vector<fs::path>{path});
  CHECK_FALSE(fs::exists(dir / "video/seq_12.avi"));
  CHECK(test::partial_files(dir.path()).empty());

  cv::VideoCapture capture(path.string());
  REQUIRE(capture.isOpened());
  CHECK(capture.get(cv::CAP_PROP_FRAME_COUNT) == 12);
  CHECK(capture.get(cv::CAP_PROP_FPS) == doctest::Approx(5.0));
  int frames = 0;
  cv::Mat frame;
  while (capture.read(frame)) {
    CHECK(frame.cols == 2 * 64 * 3);
    CHECK(frame.rows == 2 * stages::canvas::kTextRowHeight + 64 * 3);
    ++frames;
  }
  CHECK(frames == 12);
}

TEST_CASE("video: mp4 either works or fails with advice, leaving nothing behind") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'video'\nformat = 'mp4'");
  writer->begin({dir.path(), "eval"});
  try {
    writer->sequence(test::synthetic_sequence(0, 2, 4));
    cv::VideoCapture capture((dir / "video/seq_0.mp4").string());
    CHECK(capture.isOpened());
    CHECK(writer->files().size() == 1);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("format = \"avi\"") != std::string::npos);
    CHECK(writer->files().empty());
  }
  CHECK(test::partial_files(dir.path()).empty());
}

TEST_CASE("video: a failure leaves neither the video nor its temporary file") {
  test::TempDir dir;
  auto writer = test::make_writer("type = 'video'");
  writer->begin({dir.path(), "eval"});
  auto sequence = test::synthetic_sequence(2);
  sequence.truth.frames = 50;  // more frames than its bytes hold
  CHECK_THROWS_WITH_AS(writer->sequence(sequence), doctest::Contains("video/seq_2.avi"), Error);
  CHECK_FALSE(fs::exists(dir / "video/seq_2.avi"));
  CHECK(test::partial_files(dir.path()).empty());

  // A leftover of an interrupted run is replaced.
  fs::create_directories(dir / "video");
  { std::ofstream(dir / "video/seq_3.partial.avi") << "leftover"; }
  writer->sequence(test::synthetic_sequence(3));
  CHECK(fs::exists(dir / "video/seq_3.avi"));
  CHECK(test::partial_files(dir.path()).empty());
}

TEST_CASE("video: the temporary file keeps the extension and goes away unless committed") {
  test::TempDir dir;
  fs::path target = dir / "video/seq_1.avi";
  {
    AtomicFile file(target, AtomicFile::TempName::before_extension);
    CHECK(file.path() == dir / "video/seq_1.partial.avi");
    std::ofstream(file.path()) << "abandoned";  // an error midway: no commit
  }
  CHECK(test::partial_files(dir.path()).empty());
  CHECK_FALSE(fs::exists(target));
  {
    AtomicFile file(target, AtomicFile::TempName::before_extension);
    std::ofstream(file.path()) << "finished";
    file.commit();
  }
  CHECK(test::read_text(target) == "finished");
  CHECK(test::partial_files(dir.path()).empty());
}

#endif  // VIDPRED_HAVE_IMAGE_IO
