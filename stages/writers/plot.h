#pragma once
// Line plots of a Figure drawn with OpenCV: axes with "nice" ticks (steps of
// 1, 2 or 5 times a power of ten), grid lines, axis labels, title, one
// coloured line with markers per series and a legend. Points that are NaN or
// infinite are skipped and break their line. The x axis spans the data; series
// that coincide are drawn once, under one legend entry. No image files involved: the
// caller encodes the picture.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stages/writers/writer.h"

namespace vidpred::stages {

// A figure's name as a file stem: anything but letters, digits, '-', '_' and
// '.' becomes '_', so that a name cannot reach outside the plots' folder.
std::string figure_file_stem(const std::string& name);

// An RGB picture of `figure`, width x height pixels.
cv::Mat draw_figure(const Figure& figure, int width, int height);

// Tick positions for an axis over [low, high]: about `target` ticks at a nice
// step, the first at or below `low`, the last at or above `high`.
struct Ticks {
  double step = 1.0;
  std::vector<double> values;
  double first() const { return values.front(); }
  double last() const { return values.back(); }
};
Ticks nice_ticks(double low, double high, int target = 6);

// nice_ticks without the ticks outside [low, high], for an axis that spans
// the data exactly; with `integers` (frames, epochs) a step of at least 1.
Ticks ticks_within(double low, double high, int target = 6, bool integers = false);

// Series that are within `tolerance` of each other at every point (and
// always to 1e-9 relative) become one, named "first = second": otherwise the
// last drawn hides the others, though the legend lists them all. The plot
// merges series less than half a pixel apart.
std::vector<Series> merge_coinciding(const std::vector<Series>& series, double tolerance = 0);

// A tick's text, with as many decimals as the step needs ("0.25", "40", "1e+06").
std::string tick_label(double value, double step);

}  // namespace vidpred::stages
