// `video`: one video file per evaluated sequence, truth beside the best
// prediction, for players and slides that take no GIFs.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <system_error>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "pipeline/core/error.h"
#include "pipeline/core/atomic_file.h"
#include "stages/writers/sequence_layout.h"

namespace vidpred::stages {
namespace {
namespace fs = std::filesystem;

class VideoWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "video";
  static constexpr const char* kSummary = "videos video/seq_<index>.avi|mp4: truth beside the best prediction";
  static Schema schema() {
    return Schema()
        .integer("sequences", 4, "how many sequences get a video (the first ones evaluated)", {0, 100000})
        .string("format", "avi", "avi (Motion JPEG, always available) or mp4 (MPEG-4 part 2, if OpenCV has it)",
                {"avi", "mp4"})
        .real("fps", 4.0, "frames per second", {0.1, 120.0})
        .integer("scale", 4, "each frame pixel becomes scale x scale pixels", {1, 16});
  }
  explicit VideoWriter(const Params& p)
      : limit_(p.integer("sequences")),
        format_(p.string("format")),
        fps_(p.real("fps")),
        scale_(int(p.integer("scale"))) {}

  void begin(const WriterContext& context) override {
    Writer::begin(context);
    admitted_ = FirstSequences(limit_);
  }

  int64_t predictions_shown() const override { return 1; }  // the best one

  void sequence(const EvalSequence& sequence) override {
    if (!admitted_.admit()) return;
    fs::path path = context().dir / fmt::format("video/seq_{}.{}", sequence.index, format_);
    check_sequence(sequence, path);
    int predictions = shown_predictions(sequence, predictions_shown());

    AtomicFile file(path, AtomicFile::TempName::before_extension);
    {
      cv::Mat first = animation_frame(sequence, 0, predictions, scale_);
      cv::VideoWriter video = open(file.path(), first.size(), path);
      cv::Mat bgr;
      for (int t = 0; t < sequence_frames(sequence); ++t) {
        cv::cvtColor(t == 0 ? first : animation_frame(sequence, t, predictions, scale_), bgr, cv::COLOR_RGB2BGR);
        video.write(bgr);
      }
      video.release();  // finishes the container (index, headers)
    }
    std::error_code ec;
    if (fs::file_size(file.path(), ec) == 0 || ec) {
      throw Error(fmt::format("cannot write video '{}': the encoder produced no data", path.string()));
    }
    file.commit();
    record(path);
  }

 private:
  // Opens the encoder on `temp`; messages name `path`, the file the user asked for.
  cv::VideoWriter open(const fs::path& temp, cv::Size size, const fs::path& path) const {
    bool mp4 = format_ == "mp4";
    int fourcc = mp4 ? cv::VideoWriter::fourcc('m', 'p', '4', 'v') : cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
    cv::VideoWriter video;
    try {
      video.open(temp.string(), fourcc, fps_, size, true);
    } catch (const cv::Exception& e) {
      throw Error(fmt::format("cannot write video '{}': {}", path.string(), e.what()));
    }
    if (!video.isOpened()) {
      throw Error(fmt::format("cannot write video '{}': OpenCV could not open a{} writer{}", path.string(),
                              mp4 ? "n MPEG-4 (mp4v)" : " Motion JPEG (MJPG)",
                              mp4 ? "; this OpenCV build may lack the codec: use format = \"avi\"" : ""));
    }
    return video;
  }

  int64_t limit_;
  std::string format_;
  double fps_;
  int scale_;
  FirstSequences admitted_{0};
};

}  // namespace
VIDPRED_REGISTER_STAGE(VideoWriter)
}  // namespace vidpred::stages

#else
namespace vidpred::stages {
VIDPRED_SKIP_STAGE(VideoWriter, Writer::kKind, "video", kNeedsImageIo)
}
#endif
