// `curve_png`: every figure of a phase (training curves per epoch, metrics per
// predicted step) as a PNG line plot plots/<figure>.png.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <fmt/format.h>

#include "stages/writers/canvas.h"
#include "stages/writers/plot.h"

namespace vidpred::stages {
namespace {

class CurvePngWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "curve_png";
  static constexpr const char* kSummary = "line plots plots/<figure>.png of the curves of each phase";
  static Schema schema() {
    return Schema()
        .integer("width", 800, "plot width in pixels", {200, 8000})
        .integer("height", 500, "plot height in pixels", {150, 8000});
  }
  explicit CurvePngWriter(const Params& p) : width_(int(p.integer("width"))), height_(int(p.integer("height"))) {}

  void end(const std::vector<Figure>& figures, const std::map<std::string, double>&) override {
    for (const auto& figure : figures) {
      std::string name = fmt::format("plots/{}.png", figure_file_stem(figure.name));
      write_file(name, canvas::encode_png(draw_figure(figure, width_, height_), context().dir / name));
    }
  }

 private:
  int width_, height_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(CurvePngWriter)
}  // namespace vidpred::stages

#else
namespace vidpred::stages {
VIDPRED_SKIP_STAGE(CurvePngWriter, Writer::kKind, "curve_png", kNeedsImageIo)
}
#endif
