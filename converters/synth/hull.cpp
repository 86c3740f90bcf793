#include "converters/synth/hull.h"

#include <algorithm>
#include <cstdint>

namespace vidpred::synth {
namespace {

// By x, then y. An insertion sort: n is at most a few dozen, and GCC 12
// inlines std::sort for the 8 corners of a box into pages of false
// -Warray-bounds warnings. Points equal in order are equal, so any correct
// sort gives the same hull.
void sort_points(cv::Point* points, int n) {
  auto before = [](cv::Point a, cv::Point b) { return a.x < b.x || (a.x == b.x && a.y < b.y); };
  for (int i = 1; i < n; ++i) {
    const cv::Point p = points[i];
    int j = i;
    for (; j > 0 && before(p, points[j - 1]); --j) points[j] = points[j - 1];
    points[j] = p;
  }
}

}  // namespace

int convex_hull(cv::Point* points, int n, cv::Point* hull) {
  sort_points(points, n);
  auto turn = [](cv::Point o, cv::Point a, cv::Point b) {
    return int64_t(a.x - o.x) * (b.y - o.y) - int64_t(a.y - o.y) * (b.x - o.x);
  };
  int k = 0;
  for (int i = 0; i < n; ++i) {
    while (k >= 2 && turn(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  for (int i = n - 2, lower = k + 1; i >= 0; --i) {
    while (k >= lower && turn(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  return std::max(1, k - 1);
}

}  // namespace vidpred::synth
