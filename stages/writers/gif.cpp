// `gif`: one looping animated GIF per evaluated sequence, truth and
// predictions side by side, so a person sees at a glance where they diverge.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_GIF
#include <cmath>

#include <fmt/format.h>

#include "stages/writers/gif_encoder.h"
#include "stages/writers/sequence_layout.h"

namespace vidpred::stages {
namespace {

class GifWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "gif";
  static constexpr const char* kSummary = "animated GIFs gif/seq_<index>.gif: truth beside the predictions";
  static Schema schema() {
    return Schema()
        .integer("sequences", 4, "how many sequences get a GIF (the first ones evaluated)", {0, 100000})
        .integer("samples", 3, "predictions shown beside the truth (the best first)", {0, 100})
        .integer("scale", 2, "each frame pixel becomes scale x scale pixels", {1, 16})
        .integer("delay_ms", 200, "time each frame is shown, in milliseconds", {20, 60000});
  }
  explicit GifWriter(const Params& p)
      : limit_(p.integer("sequences")),
        samples_(p.integer("samples")),
        scale_(int(p.integer("scale"))),
        // GIF delays are in hundredths of a second.
        delay_centiseconds_(int(std::lround(double(p.integer("delay_ms")) / 10.0))) {}

  void begin(const WriterContext& context) override {
    Writer::begin(context);
    admitted_ = FirstSequences(limit_);
  }

  int64_t predictions_shown() const override { return samples_; }

  void sequence(const EvalSequence& sequence) override {
    if (!admitted_.admit()) return;
    std::string name = fmt::format("gif/seq_{}.gif", sequence.index);
    check_sequence(sequence, context().dir / name);
    int predictions = shown_predictions(sequence, samples_);
    std::vector<cv::Mat> frames;
    for (int t = 0; t < sequence_frames(sequence); ++t) frames.push_back(animation_frame(sequence, t, predictions, scale_));
    write_file(name, encode_gif(frames, delay_centiseconds_, context().dir / name));
  }

 private:
  int64_t limit_, samples_;
  int scale_, delay_centiseconds_;
  FirstSequences admitted_{0};
};

}  // namespace
VIDPRED_REGISTER_STAGE(GifWriter)
}  // namespace vidpred::stages

#else
namespace vidpred::stages {
VIDPRED_SKIP_STAGE(GifWriter, Writer::kKind, "gif", "giflib, from libgif-dev")
}
#endif
