// `html_report`: eval/index.html, the one file to open after an evaluation.
// It shows what the run is, the metrics table, the per-step plots, a row per
// sequence with the truth, the samples and the baselines animated side by side
// beside that sequence's scores, and the training curves.
//
// Every picture the page shows is a file this writer wrote itself (under
// index_files/), apart from the run's training curves, linked only when they
// exist: the page cannot point at a file another writer, configured
// differently or listed later, did not write. A sequence's panels are one GIF,
// so that they animate in step in every browser.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#if defined(VIDPRED_HAVE_GIF) && defined(VIDPRED_HAVE_IMAGE_IO)
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pipeline/core/atomic_file.h"
#include "stages/writers/canvas.h"
#include "stages/writers/gif_encoder.h"
#include "stages/writers/html_page.h"
#include "stages/writers/plot.h"
#include "stages/writers/sequence_layout.h"

namespace vidpred::stages {
namespace {
namespace fs = std::filesystem;

constexpr const char* kPictures = "index_files";

// A score's mean over the predicted frames it was given for (NaN: none).
std::string mean_text(const std::vector<double>& values) {
  double sum = 0;
  int n = 0;
  for (double v : values) {
    if (std::isfinite(v)) sum += v, ++n;
  }
  return n > 0 ? fmt::format("{:.4g}", sum / n) : "-";
}

// The panels of a sequence's GIF: the truth, the samples shown, then each baseline.
EvalSequence with_baselines(const EvalSequence& sequence, int samples) {
  EvalSequence shown = sequence;
  shown.predictions.resize(size_t(samples));
  shown.labels.resize(size_t(samples));
  for (int p = 0; p < samples; ++p) shown.labels[size_t(p)] = prediction_label(sequence, size_t(p));
  for (const auto& b : sequence.baselines) {
    shown.predictions.push_back(b.video);
    shown.labels.push_back(b.name);
  }
  shown.baselines.clear();
  return shown;
}

// The sequence's scores: one row for the model's best sample, one per baseline.
html::Table sequence_scores(const EvalSequence& sequence) {
  html::Table table;
  table.header = {""};
  std::vector<std::string> model{sequence.labels.empty() ? "model" : "model " + sequence.labels[0]};
  for (const auto& [metric, values] : sequence.metrics) {
    table.numeric.push_back(table.header.size());
    table.header.push_back(metric);
    model.push_back(mean_text(values));
  }
  table.rows.push_back(model);
  for (const auto& b : sequence.baselines) {
    std::vector<std::string> row{b.name};
    for (const auto& [metric, values] : sequence.metrics) {
      auto it = b.metrics.find(metric);
      row.push_back(it == b.metrics.end() ? "-" : mean_text(it->second));
    }
    table.rows.push_back(row);
  }
  table.caption = "mean over the predicted frames";
  return table;
}

// The model's rows first (best, mean, worst), then the baselines by name.
bool model_first(const std::string& a, const std::string& b) {
  const bool model_a = a.rfind("model", 0) == 0, model_b = b.rfind("model", 0) == 0;
  return model_a != model_b ? model_a : a < b;
}

// The final scalars "metric/predictor" as a table: a row per metric, a column per predictor.
html::Table metrics_table(const std::map<std::string, double>& scalars) {
  std::vector<std::string> metrics, predictors;
  for (const auto& [key, value] : scalars) {
    const size_t slash = key.find('/');
    if (slash == std::string::npos) continue;
    const std::string metric = key.substr(0, slash), predictor = key.substr(slash + 1);
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) metrics.push_back(metric);
    if (std::find(predictors.begin(), predictors.end(), predictor) == predictors.end()) predictors.push_back(predictor);
  }
  std::sort(predictors.begin(), predictors.end(), model_first);
  html::Table table;
  table.header = {"metric"};
  for (const auto& p : predictors) {
    table.numeric.push_back(table.header.size());
    table.header.push_back(p);
  }
  for (const auto& m : metrics) {
    std::vector<std::string> row{m};
    for (const auto& p : predictors) {
      auto it = scalars.find(m + "/" + p);
      row.push_back(it == scalars.end() ? "-" : fmt::format("{:.4f}", it->second));
    }
    table.rows.push_back(row);
  }
  return table;
}

// The run's own training curves (its plots/ folder), in name order.
std::vector<fs::path> training_plots(const fs::path& run_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (run_dir.empty() || !fs::is_directory(run_dir / "plots", ec)) return out;
  for (const auto& entry : fs::directory_iterator(run_dir / "plots", ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".png") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class HtmlReportWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "html_report";
  static constexpr const char* kSummary =
      "eval/index.html: one page with the metrics, plots, and per sequence truth, samples and baselines animated "
      "side by side beside its scores";
  static Schema schema() {
    return AnimationOptions::schema("how many sequences get a row (the first ones evaluated)", 1);
  }
  explicit HtmlReportWriter(const Params& p) : options_(p) {}

  void begin(const WriterContext& context) override {
    Writer::begin(context);
    admitted_ = FirstSequences(options_.sequences);
    rows_.clear();
  }

  int64_t predictions_shown() const override { return options_.samples; }

  void sequence(const EvalSequence& sequence) override {
    if (context().phase != "eval" || !admitted_.admit()) return;
    const std::string name = fmt::format("{}/seq_{}.gif", kPictures, sequence.index);
    check_sequence(sequence, context().dir / name);
    const EvalSequence shown = with_baselines(sequence, shown_predictions(sequence, options_.samples));
    write_file(name, encode_sequence_gif(shown, int(shown.predictions.size()), options_, context().dir / name));
    rows_.push_back({fmt::format("sequence {}", sequence.index), name, sequence_scores(sequence)});
  }

  void end(const std::vector<Figure>& figures, const std::map<std::string, double>& scalars) override {
    if (context().phase != "eval") return;
    html::Page page(context().run_dir.empty() ? "evaluation" : context().run_dir.filename().string() + ": evaluation");
    describe_run(page);
    page.section("Metrics").table(metrics_table(scalars));
    page.paragraph("Mean over every predicted frame of every sequence. The model draws several futures per "
                   "sequence: best, mean and worst are over them, per sequence; the baselines do not learn.");
    page.pictures(figure_pictures(figures));
    show_sequences(page);
    show_training_curves(page);
    write_file("index.html", page.html());
  }

 private:
  struct Row {
    std::string heading, gif;
    html::Table scores;
  };

  void describe_run(html::Page& page) const {
    auto facts = context().about;
    facts.emplace_back("page made", html::local_time_now());
    page.facts(facts);
    std::error_code ec;
    const fs::path config = context().run_dir / "config.toml";
    if (!context().run_dir.empty() && fs::is_regular_file(config, ec)) {
      page.folded("the run's config.toml", read_file(config));
    }
  }

  std::vector<html::Picture> figure_pictures(const std::vector<Figure>& figures) {
    std::vector<html::Picture> pictures;
    for (const auto& figure : figures) {
      const std::string name = fmt::format("{}/{}.png", kPictures, figure_file_stem(figure.name));
      write_file(name, canvas::encode_png(draw_figure(figure, 640, 400), context().dir / name));
      pictures.push_back({name, figure.title, false, 480});
    }
    return pictures;
  }

  void show_sequences(html::Page& page) const {
    if (rows_.empty()) return;
    page.section("Sequences");
    page.paragraph("Each row plays the truth, the model's samples (the best first) and the baselines in step. "
                   "Green borders mark the observed frames, red ones the predicted frames.");
    for (const auto& row : rows_) page.row(row.heading, {{row.gif, "", true, 0}}, row.scores);
  }

  void show_training_curves(html::Page& page) const {
    const auto plots = training_plots(context().run_dir);
    if (plots.empty()) return;
    std::vector<html::Picture> pictures;
    for (const auto& p : plots) pictures.push_back({html::relative_url(p, context().dir), p.stem().string(), false, 400});
    page.section("Training").pictures(pictures);
  }

  AnimationOptions options_;
  FirstSequences admitted_{0};
  std::vector<Row> rows_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(HtmlReportWriter)
}  // namespace vidpred::stages

#else
namespace vidpred::stages {
VIDPRED_SKIP_STAGE(HtmlReportWriter, Writer::kKind, "html_report", "giflib (libgif-dev) and OpenCV's imgcodecs")
}
#endif
