// `gif`: one looping animated GIF per evaluated sequence, truth and
// predictions side by side, so a person sees at a glance where they diverge.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_GIF
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
    return AnimationOptions::schema("how many sequences get a GIF (the first ones evaluated)", 0);
  }
  explicit GifWriter(const Params& p) : options_(p) {}

  void begin(const WriterContext& context) override {
    Writer::begin(context);
    admitted_ = FirstSequences(options_.sequences);
  }

  int64_t predictions_shown() const override { return options_.samples; }

  void sequence(const EvalSequence& sequence) override {
    if (!admitted_.admit()) return;
    std::string name = fmt::format("gif/seq_{}.gif", sequence.index);
    check_sequence(sequence, context().dir / name);
    const int predictions = shown_predictions(sequence, options_.samples);
    write_file(name, encode_sequence_gif(sequence, predictions, options_, context().dir / name));
  }

 private:
  AnimationOptions options_;
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
