#include "stages/writers/sequence_layout.h"

#include <algorithm>

#include <fmt/format.h>

#include "pipeline/core/error.h"
#include "stages/writers/canvas.h"

namespace vidpred::stages {

namespace {

void check_video(const Video& video, const std::string& what, const std::filesystem::path& file) {
  if (video.frames < 1 || video.height < 1 || video.width < 1) {
    throw Error(fmt::format("cannot write '{}': the {} has {} frames of {}x{}", file.string(), what,
                            video.frames, video.height, video.width));
  }
  size_t expected = size_t(video.frames) * video.height * video.width * 3;
  if (video.rgb.size() != expected) {
    throw Error(fmt::format("cannot write '{}': the {} holds {} bytes, but {} frames of {}x{} RGB need {}",
                            file.string(), what, video.rgb.size(), video.frames, video.height,
                            video.width, expected));
  }
}

// Border width: one pixel of the original frame, so it reads the same at every scale.
int border_thickness(int scale) { return std::max(1, scale); }

}  // namespace

void check_sequence(const EvalSequence& sequence, const std::filesystem::path& file) {
  check_video(sequence.truth, fmt::format("truth of sequence {}", sequence.index), file);
  for (size_t i = 0; i < sequence.predictions.size(); ++i) {
    const Video& p = sequence.predictions[i];
    std::string what = fmt::format("prediction {} of sequence {}", i, sequence.index);
    check_video(p, what, file);
    if (p.height != sequence.truth.height || p.width != sequence.truth.width) {
      throw Error(fmt::format("cannot write '{}': the {} is {}x{}, the truth {}x{}", file.string(), what,
                              p.height, p.width, sequence.truth.height, sequence.truth.width));
    }
  }
}

std::string prediction_label(const EvalSequence& sequence, size_t i) {
  if (i < sequence.labels.size() && !sequence.labels[i].empty()) return sequence.labels[i];
  return i == 0 ? "best" : fmt::format("sample {}", i + 1);
}

int sequence_frames(const EvalSequence& sequence) {
  int frames = sequence.truth.frames;
  for (const Video& p : sequence.predictions) frames = std::max(frames, p.frames);
  return frames;
}

int shown_predictions(const EvalSequence& sequence, int64_t wanted) {
  return int(std::clamp<int64_t>(wanted, 0, int64_t(sequence.predictions.size())));
}

cv::Scalar frame_marker(int t, int64_t n_past, bool is_truth) {
  if (t < n_past) return canvas::kObserved;
  return is_truth ? canvas::kFutureTruth : canvas::kPredicted;
}

cv::Mat animation_frame(const EvalSequence& sequence, int t, int predictions, int scale) {
  std::vector<cv::Mat> labels, panels;
  for (int p = -1; p < predictions; ++p) {  // -1: the truth
    bool is_truth = p < 0;
    const Video& video = is_truth ? sequence.truth : sequence.predictions[p];
    cv::Mat panel = canvas::enlarge(canvas::frame_image(video, t), scale);
    if (is_truth && t >= video.frames) {
      panel.setTo(canvas::kBackground);  // a truth of the observed frames alone ends with them
    } else {
      canvas::draw_border(panel, frame_marker(t, sequence.n_past, is_truth), border_thickness(scale));
    }
    labels.push_back(canvas::text_row(is_truth ? sequence.truth_label : prediction_label(sequence, p), panel.cols));
    panels.push_back(panel);
  }
  cv::Mat label_row = canvas::hstack(labels);
  cv::Mat panel_row = canvas::hstack(panels);

  cv::Mat caption(canvas::kTextRowHeight, panel_row.cols, CV_8UC3, canvas::kBackground);
  cv::Rect left_half(0, 0, caption.cols / 2, caption.rows);
  cv::Rect right_half(caption.cols / 2, 0, caption.cols - caption.cols / 2, caption.rows);
  canvas::put_text(caption, fmt::format("t={}/{}", t + 1, sequence_frames(sequence)), left_half, canvas::kText,
                   canvas::Align::left);
  bool observed = t < sequence.n_past;
  canvas::put_text(caption, observed ? "observed" : "predicted", right_half,
                   observed ? canvas::kObserved : canvas::kPredicted, canvas::Align::right);
  return canvas::vstack({caption, label_row, panel_row});
}

std::vector<GridRow> grid_rows(const EvalSequence& sequence, int predictions) {
  std::vector<GridRow> rows{{sequence.truth_label, &sequence.truth, true}};
  for (int p = 0; p < predictions; ++p) rows.push_back({prediction_label(sequence, p), &sequence.predictions[p], false});
  return rows;
}

cv::Mat render_grid(const std::vector<GridRow>& rows, int64_t n_past, int scale) {
  int steps = 0, cell_height = 0, cell_width = 0;
  for (const auto& row : rows) {
    steps = std::max(steps, row.video->frames);
    cell_height = std::max(cell_height, row.video->height * scale);
    cell_width = std::max(cell_width, row.video->width * scale);
  }

  std::vector<cv::Mat> header{cv::Mat(canvas::kTextRowHeight, canvas::kRowLabelWidth, CV_8UC3, canvas::kBackground)};
  for (int t = 0; t < steps; ++t) {
    cv::Mat cell(canvas::kTextRowHeight, cell_width, CV_8UC3, canvas::kBackground);
    cv::Scalar colour = t < n_past ? canvas::kObserved : canvas::kPredicted;
    canvas::put_text(cell, fmt::format("t={}", t + 1), cv::Rect(0, 0, cell.cols, cell.rows), colour);
    header.push_back(cell);
  }

  std::vector<cv::Mat> lines{canvas::hstack(header, canvas::kGap)};
  for (const auto& row : rows) {
    cv::Mat name(cell_height, canvas::kRowLabelWidth, CV_8UC3, canvas::kBackground);
    canvas::put_text(name, row.label, cv::Rect(0, 0, name.cols, name.rows), canvas::kText, canvas::Align::left);
    std::vector<cv::Mat> cells{name};
    for (int t = 0; t < steps; ++t) {
      cv::Mat cell(cell_height, cell_width, CV_8UC3, canvas::kBackground);
      if (t < row.video->frames) {  // a shorter video leaves its last cells empty
        cell = canvas::enlarge(canvas::frame_image(*row.video, t), scale);
        canvas::draw_border(cell, frame_marker(t, n_past, row.is_truth), border_thickness(scale));
      }
      cells.push_back(cell);
    }
    lines.push_back(canvas::hstack(cells, canvas::kGap));
  }
  return canvas::vstack(lines, canvas::kGap);
}

}  // namespace vidpred::stages
