#pragma once
// How an evaluated sequence is laid out in pictures, shared by the GIF, video,
// PNG grid and TensorBoard writers so that they all look alike:
//  - an animation frame: panels side by side (truth, best, sample 2, ...),
//    a caption row ("t=5/12", observed/predicted) and a label row above them;
//  - a grid: one row per video, one column per time step, row names at the left.
// Every panel carries a border: green for observed frames, red for predicted
// ones, grey for the ground truth after the context.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stages/writers/writer.h"

namespace vidpred::stages {

// Checks that the sequence's buffers hold what their sizes say and that every
// prediction has the truth's frame size; throws an Error naming `file`.
void check_sequence(const EvalSequence& sequence, const std::filesystem::path& file);

// "best", "sample 2", ...: the sequence's own label when it has one.
std::string prediction_label(const EvalSequence& sequence, size_t i);

// Frames of the longest video of the sequence: how long its animation runs.
int sequence_frames(const EvalSequence& sequence);

// How many predictions to show when a writer is asked for up to `wanted`.
int shown_predictions(const EvalSequence& sequence, int64_t wanted);

// The border colour of frame t of a truth or a prediction panel.
cv::Scalar frame_marker(int t, int64_t n_past, bool is_truth);

// Frame t of an animation: truth then the first `predictions` predictions,
// each enlarged `scale` times, under a caption row and a label row:
// (predictions + 1) * width * scale wide, 2 * kTextRowHeight + height * scale high.
cv::Mat animation_frame(const EvalSequence& sequence, int t, int predictions, int scale);

struct GridRow {
  std::string label;
  const Video* video;
  bool is_truth;
};

// The rows of one sequence: truth, then the first `predictions` predictions.
std::vector<GridRow> grid_rows(const EvalSequence& sequence, int predictions);

// A grid of rows x time steps, under a header row naming the steps:
// kRowLabelWidth + steps * (width * scale + kGap) wide,
// kTextRowHeight + rows * (height * scale + kGap) high.
cv::Mat render_grid(const std::vector<GridRow>& rows, int64_t n_past, int scale);

// Admits the first `limit` sequences a writer sees.
class FirstSequences {
 public:
  explicit FirstSequences(int64_t limit) : limit_(limit) {}
  bool admit() { return seen_++ < limit_; }

 private:
  int64_t limit_;
  int64_t seen_ = 0;
};

}  // namespace vidpred::stages
