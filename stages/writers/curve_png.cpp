// `curve_png`: every figure of a phase (training curves per epoch, metrics per
// predicted step) as a PNG line plot plots/<figure>.png.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#ifdef VIDPRED_HAVE_IMAGE_IO
#include <cctype>

#include <fmt/format.h>

#include "stages/writers/canvas.h"
#include "stages/writers/plot.h"

namespace vidpred::stages {
namespace {

// A figure's name as a file stem: anything but letters, digits, '-', '_' and
// '.' becomes '_', so that a name cannot reach outside plots/.
std::string file_stem(const std::string& name) {
  std::string stem = name;
  for (char& c : stem) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!plain) c = '_';
  }
  if (stem.empty() || stem.find_first_not_of('.') == std::string::npos) stem = "figure" + stem;
  return stem;
}

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
      std::string name = fmt::format("plots/{}.png", file_stem(figure.name));
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
