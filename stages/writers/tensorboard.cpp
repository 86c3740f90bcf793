// `tensorboard`: TensorBoard event files, so that a run can be watched live
// with `tensorboard --logdir <run directory>`: the scalars of every epoch, a
// few evaluated sequences as images, and the curves of each phase.
#include "pipeline/config/registry.h"
#include "stages/writers/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "converters/tfrecord.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/error.h"
#include "stages/writers/proto/event.pb.h"
#include "stages/writers/sequence_layout.h"
#ifdef VIDPRED_HAVE_IMAGE_IO
#include "stages/writers/canvas.h"
#endif

namespace vidpred::stages {
namespace {
namespace fs = std::filesystem;

// An event file, appended to record by record. Unlike every other writer's
// output it is not written under a temporary name and renamed: TensorBoard
// reads event files while they grow, during training. Instead each record
// (framed with its CRCs by frame_record) goes out in a single write() with no
// user-space buffer in between, so a reader sees whole records, and at worst a
// last one still arriving, which TensorBoard's reader waits for.
class EventFile {
 public:
  // Creates <dir>/events.out.tfevents.<unix seconds>.<hostname>, TensorBoard's
  // naming; never replaces an existing file (a numbered suffix instead).
  explicit EventFile(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("cannot create directory '{}': {}", dir.string(), ec.message()));
    std::string base = fmt::format("events.out.tfevents.{}.{}", std::time(nullptr), hostname());
    for (int attempt = 0; fd_ < 0; ++attempt) {
      path_ = dir / (attempt == 0 ? base : fmt::format("{}.{}", base, attempt));
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
      check_io(fd_ >= 0 || (errno == EEXIST && attempt < 100), path_, "create");
    }
  }
  ~EventFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  EventFile(const EventFile&) = delete;
  EventFile& operator=(const EventFile&) = delete;

  const fs::path& path() const { return path_; }

  void append(const tbproto::Event& event) {
    std::string record = frame_record(event.SerializeAsString());
    const char* data = record.data();
    size_t left = record.size();
    while (left > 0) {  // one call in practice; more only after a signal or a full disk
      ssize_t written = ::write(fd_, data, left);
      if (written < 0 && errno == EINTR) continue;
      check_io(written > 0, path_, "write");
      data += written;
      left -= size_t(written);
    }
  }

  // Closes the file, reporting a failure (a full disk on network file systems).
  void close() {
    int result = ::close(fd_);
    fd_ = -1;
    check_io(result == 0, path_, "close");
  }

 private:
  static std::string hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
  }

  fs::path path_;
  int fd_ = -1;
};

tbproto::Event event_at(int64_t step) {
  tbproto::Event event;
  event.set_wall_time(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  event.set_step(step);
  return event;
}

class TensorBoardWriter : public Writer {
 public:
  using Interface = Writer;
  static constexpr const char* kName = "tensorboard";
  static constexpr const char* kSummary = "TensorBoard event files: scalars per epoch, sequences as images, curves";
  static Schema schema() {
    return Schema().integer("images", 2, "sequences logged as images, truth row over best row (the first ones)",
                            {0, 1000});
  }
  explicit TensorBoardWriter(const Params& p) : images_(p.integer("images")) {}

  // One event file per phase, in the phase's directory.
  void begin(const WriterContext& context) override {
    Writer::begin(context);
    file_ = std::make_unique<EventFile>(context.dir);
    record(file_->path());
    admitted_ = FirstSequences(images_);
    step_ = 0;
    tbproto::Event header = event_at(0);
    header.set_file_version("brain.Event:2");
    file_->append(header);
  }

  void epoch(int64_t epoch, const std::map<std::string, double>& scalars) override {
    step_ = epoch;
    log_scalars(scalars);
  }

  int64_t predictions_shown() const override { return 1; }  // the best row under the truth

  void sequence(const EvalSequence& sequence) override {
#ifdef VIDPRED_HAVE_IMAGE_IO
    if (!admitted_.admit()) return;
    check_sequence(sequence, open_file().path());
    cv::Mat grid = render_grid(grid_rows(sequence, shown_predictions(sequence, predictions_shown())), sequence.n_past, 1);
    tbproto::Event event = event_at(step_);
    auto* value = event.mutable_summary()->add_value();
    value->set_tag(fmt::format("{}/sequence_{}", context().phase, sequence.index));
    auto* image = value->mutable_image();
    image->set_height(grid.rows);
    image->set_width(grid.cols);
    image->set_colorspace(3);  // RGB
    image->set_encoded_image_string(canvas::encode_png(grid, open_file().path()));
    open_file().append(event);
#endif  // without PNG encoding, no images: scalars only
  }

  void end(const std::vector<Figure>& figures, const std::map<std::string, double>& scalars) override {
    log_scalars(scalars);
    // A curve becomes a scalar series: its x is the step.
    for (const auto& figure : figures) {
      for (const auto& series : figure.series) {
        std::string tag = fmt::format("{}/{}", figure.name, series.name);
        for (size_t i = 0; i < std::min(series.x.size(), series.y.size()); ++i) {
          if (!std::isfinite(series.x[i])) continue;
          tbproto::Event event = event_at(std::llround(series.x[i]));
          add_scalar(event, tag, series.y[i]);
          open_file().append(event);
        }
      }
    }
    open_file().close();
    file_.reset();
  }

 private:
  EventFile& open_file() {
    if (!file_) throw Error("tensorboard writer: an output before begin() or after end()");
    return *file_;
  }

  static void add_scalar(tbproto::Event& event, const std::string& tag, double value) {
    auto* entry = event.mutable_summary()->add_value();
    entry->set_tag(tag);
    entry->set_simple_value(float(value));
  }

  // Tags are "<phase>/<name>" ("train/loss"); a name with its own '/' is kept.
  void log_scalars(const std::map<std::string, double>& scalars) {
    if (scalars.empty()) return;
    tbproto::Event event = event_at(step_);
    for (const auto& [name, value] : scalars) {
      add_scalar(event, name.find('/') == std::string::npos ? context().phase + "/" + name : name, value);
    }
    open_file().append(event);
  }

  int64_t images_;
  std::unique_ptr<EventFile> file_;
  FirstSequences admitted_{0};
  int64_t step_ = 0;  // the last epoch seen: the step of images and final scalars
};

}  // namespace
VIDPRED_REGISTER_STAGE(TensorBoardWriter)
}  // namespace vidpred::stages
