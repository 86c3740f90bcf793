#pragma once
// Convex hulls of the few projected corners of a solid, for OpenCV's convex
// polygon fill.
#include <opencv2/core.hpp>

namespace vidpred::synth {

// Monotone chain: sorts `points` (n of them) and writes the hull to `hull`
// (room for n + 1); returns the hull's size.
int convex_hull(cv::Point* points, int n, cv::Point* hull);

}  // namespace vidpred::synth
