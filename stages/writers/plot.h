#pragma once
// Line plots of a Figure drawn with OpenCV: axes with "nice" ticks (steps of
// 1, 2 or 5 times a power of ten), grid lines, axis labels, title, one
// coloured line with markers per series and a legend that covers no data.
// Points that are NaN or infinite (or not positive on a log axis) are skipped
// and break their line. The x axis spans the data; series that would hide
// each other are drawn once, under one legend entry. No image files involved:
// the caller encodes the picture.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stages/writers/writer.h"

namespace vidpred::stages {

// A figure's name as a file stem: anything but letters, digits, '-', '_' and
// '.' becomes '_', so that a name cannot reach outside the plots' folder.
std::string figure_file_stem(const std::string& name);

// An RGB picture of `figure`, width x height pixels; without the `legend`,
// the curves it would otherwise sit on show (the tests check it covers none).
cv::Mat draw_figure(const Figure& figure, int width, int height, bool legend = true);

// Where draw_figure puts the legend: in a corner of the plot area where it
// covers no point and no line, else right of the plot area, which then
// narrows to make room. Empty without series.
cv::Rect legend_box(const Figure& figure, int width, int height);

// Tick positions for an axis over [low, high]: about `target` ticks at a nice
// step, the first at or below `low`, the last at or above `high`.
struct Ticks {
  double step = 1.0;  // between values; 10, the factor between decades, on a log axis
  std::vector<double> values;
  bool log = false;  // values on a log axis: 1, 2 or 5 times powers of ten
  double first() const { return values.front(); }
  double last() const { return values.back(); }
};
Ticks nice_ticks(double low, double high, int target = 6);

// nice_ticks without the ticks outside [low, high], for an axis that spans
// the data exactly; with `integers` (frames, epochs) a step of at least 1 and
// a tick at `low`, so that the first frame or epoch is labelled.
Ticks ticks_within(double low, double high, int target = 6, bool integers = false);

// Ticks of a log axis over positive [low, high]: the first is the largest 1,
// 2 or 5 times a power of ten at or below `low`, the last the smallest at or
// above `high`, and between them the powers of ten (with 2 and 5 times them
// when the axis spans two decades or less). None where `low` is not positive.
Ticks log_ticks(double low, double high);

// The texts of the ticks: tick_label's on a linear axis, the values as
// written plainly on a log one ("0.0002", "0.5", "10", "1e+06").
std::vector<std::string> tick_labels(const Ticks& ticks);

// Series that are within `tolerance` of each other at every point (and
// always to 1e-9 relative) become one, drawn as the first, named "first =
// second": otherwise the last drawn hides the others, though the legend lists
// them all. The plot merges series closer than 3 pixels (a line's 2 pixels
// of width and one between) at every point: ones that differ by that much
// somewhere show there.
std::vector<Series> merge_coinciding(const std::vector<Series>& series, double tolerance = 0);

// A tick's text, with as many decimals as the step needs ("0.25", "40", "1e+06").
std::string tick_label(double value, double step);

}  // namespace vidpred::stages
