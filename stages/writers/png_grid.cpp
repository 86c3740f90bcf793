// `png_grid`: the figure of the video-prediction papers: one row per video
// (truth, best, other samples), one column per time step, per sequence; and at
// the end of evaluation one overview of the truth and best rows of them all.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <fmt/format.h>

#include "stages/writers/canvas.h"
#include "stages/writers/sequence_layout.h"

namespace vidpred::stages {
namespace {

class PngGridWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "png_grid";
  static constexpr const char* kSummary = "PNG grids grid/seq_<index>.png (rows: truth, predictions; columns: time)";
  static Schema schema() {
    return Schema()
        .integer("sequences", 4, "how many sequences get a grid (the first ones evaluated)", {0, 100000})
        .integer("samples", 3, "prediction rows under the truth (the best first)", {0, 100})
        // 64 px frames are too small to judge blur, the arm or the objects by;
        // 3 keeps a grid of 12 steps a few MB at most.
        .integer("scale", 3, "each frame pixel becomes scale x scale pixels (nearest neighbour)", {1, 16})
        .flag("overview", true, "also write grid/all.png at the end of evaluation: truth and best of each sequence");
  }
  explicit PngGridWriter(const Params& p)
      : limit_(p.integer("sequences")),
        samples_(p.integer("samples")),
        scale_(int(p.integer("scale"))),
        overview_(p.flag("overview")) {}

  void begin(const WriterContext& context) override {
    Writer::begin(context);
    admitted_ = FirstSequences(limit_);
    overview_rows_.clear();
  }

  int64_t predictions_shown() const override { return samples_; }

  void sequence(const EvalSequence& sequence) override {
    if (!admitted_.admit()) return;
    std::string name = fmt::format("grid/seq_{}.png", sequence.index);
    check_sequence(sequence, context().dir / name);
    auto rows = grid_rows(sequence, shown_predictions(sequence, samples_));
    write_file(name, canvas::encode_png(render_grid(rows, sequence.n_past, scale_), context().dir / name));

    if (overview_) {
      // Rendered now: the sequence's frames are not ours to keep.
      rows.resize(std::min<size_t>(rows.size(), 2));
      for (auto& row : rows) row.label = fmt::format("#{} {}", sequence.index, row.label);
      overview_rows_.push_back(render_grid(rows, sequence.n_past, scale_));
    }
  }

  void end(const std::vector<Figure>&, const std::map<std::string, double>&) override {
    if (!overview_ || context().phase != "eval" || overview_rows_.empty()) return;
    // A wider gap between sequences than between rows keeps them apart.
    cv::Mat overview = canvas::vstack(overview_rows_, 4 * canvas::kGap);
    write_file("grid/all.png", canvas::encode_png(overview, context().dir / "grid/all.png"));
  }

 private:
  int64_t limit_, samples_;
  int scale_;
  bool overview_;
  FirstSequences admitted_{0};
  std::vector<cv::Mat> overview_rows_;  // one small grid per admitted sequence
};

}  // namespace
VIDPRED_REGISTER_STAGE(PngGridWriter)
}  // namespace vidpred::stages

#else
namespace vidpred::stages {
VIDPRED_SKIP_STAGE(PngGridWriter, Writer::kKind, "png_grid", kNeedsImageIo)
}
#endif
