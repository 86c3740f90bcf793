#pragma once
// Output stages: they turn what a run produces (per-epoch scalars, training
// curves, evaluated sequences, metric curves) into files a person looks at.
// Torch-free: frames arrive as uint8 RGB. Every writer writes atomically
// (temporary name, then rename) and lists the files it wrote.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vidpred::stages {

// Frames of one sequence: RGB, row-major HWC, frame after frame.
struct Video {
  int frames = 0, height = 64, width = 64;
  std::vector<uint8_t> rgb;  // frames * height * width * 3
  const uint8_t* frame(int t) const { return rgb.data() + size_t(t) * height * width * 3; }
};

// One evaluated sequence.
struct EvalSequence {
  int64_t index = 0;    // the sequence's index in its split
  int64_t n_past = 2;   // frames [0, n_past) were observed, the rest predicted
  // n_past + horizon frames, or the observed ones alone where nothing later
  // is known (a prediction from a user's own frames): `truth_label` says which.
  Video truth;
  std::string truth_label = "truth";
  std::vector<Video> predictions;  // observed prefix + predicted frames; [0] is the best sample
  std::vector<std::string> labels; // one per prediction: "best (2)", "sample 1", ... (samples count from 1)
  std::map<std::string, std::vector<double>> metrics;  // per predicted step, of predictions[0]
  // The baselines' predictions of the sequence, with their own scores, for
  // the writers that compare the model with them (the page); may be empty.
  struct Baseline {
    std::string name;  // "copy_last"
    Video video;       // observed prefix + predicted frames
    std::map<std::string, std::vector<double>> metrics;
  };
  std::vector<Baseline> baselines;
};

// A named series for plots: y against x.
struct Series {
  std::string name;
  std::vector<double> x, y;
};

// A figure: several series on shared axes.
struct Figure {
  std::string name;  // file stem, e.g. "psnr_per_step"
  std::string title, x_label, y_label;
  std::vector<Series> series;
  // A logarithmic y axis, for a quantity that falls by orders of magnitude
  // (the KL term); values at or below zero are skipped like NaN.
  bool log_y = false;
};

struct WriterContext {
  WriterContext() = default;
  WriterContext(std::filesystem::path dir, std::string phase, std::filesystem::path run_dir = {},
                std::vector<std::pair<std::string, std::string>> about = {})
      : dir(std::move(dir)), phase(std::move(phase)), run_dir(std::move(run_dir)), about(std::move(about)) {}

  std::filesystem::path dir;  // where to write (the run directory, or its eval/ folder)
  std::string phase;          // "train", "eval" or "predict"
  // For writers that describe the run (the page): its folder, which holds
  // `dir` or is it, and what to say about this phase (checkpoint, split, ...).
  std::filesystem::path run_dir;
  std::vector<std::pair<std::string, std::string>> about;
};

// What the image and video writers need, for the builds that lack it.
inline constexpr const char* kNeedsImageIo = "OpenCV's imgcodecs and videoio, from libopencv-dev";

class Writer {
 public:
  static constexpr const char* kKind = "writer";
  static constexpr const char* kKindDoc = "outputs: GIFs, image grids, videos, plots, TensorBoard event files";
  virtual ~Writer() = default;

  virtual void begin(const WriterContext& context) { context_ = context; }
  // Training: the scalars of one epoch (loss, mse, kld, kl_factor, tfr, val_psnr, ...).
  virtual void epoch(int64_t epoch, const std::map<std::string, double>& scalars) {}
  // Evaluation: one sequence (writers choose how many they keep).
  virtual void sequence(const EvalSequence& sequence) {}
  // How many predictions of a sequence this writer shows, the best first:
  // evaluation keeps the frames of no more samples than its writers show.
  virtual int64_t predictions_shown() const { return 0; }
  // End of a phase: the figures of that phase (training curves per epoch, or
  // metrics per predicted step) and its final scalars.
  virtual void end(const std::vector<Figure>& figures, const std::map<std::string, double>& scalars) {}
  // Files written so far, for the run's final summary.
  virtual std::vector<std::filesystem::path> files() const { return files_; }

 protected:
  // Writes `bytes` atomically to context().dir / name and records the file.
  std::filesystem::path write_file(const std::string& name, std::string_view bytes);
  // Records a file the writer produced by other means (already renamed into place).
  void record(const std::filesystem::path& path);
  const WriterContext& context() const { return context_; }

  WriterContext context_;
  std::vector<std::filesystem::path> files_;
};

}  // namespace vidpred::stages
