// The plotting behind curve_png: nice ticks, labels, and pictures of awkward data.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <opencv2/core.hpp>

#include "stages/writers/plot.h"

using namespace vidpred::stages;

namespace {

// Whether `step` is 1, 2 or 5 times a power of ten.
bool nice_step(double step) {
  double fraction = step / std::pow(10.0, std::floor(std::log10(step)));
  for (double nice : {1.0, 2.0, 5.0, 10.0}) {
    if (std::abs(fraction - nice) < 1e-9) return true;
  }
  return false;
}

void check_ticks(double low, double high) {
  CAPTURE(low);
  CAPTURE(high);
  Ticks ticks = nice_ticks(low, high, 6);
  REQUIRE(ticks.values.size() >= 2);
  CHECK(ticks.values.size() <= 12);
  CHECK(ticks.first() <= low);
  CHECK(ticks.last() >= high);
  CHECK(nice_step(ticks.step));
  for (size_t i = 1; i < ticks.values.size(); ++i) {
    CHECK(ticks.values[i] - ticks.values[i - 1] == doctest::Approx(ticks.step));
  }
}

Figure figure_of(std::vector<Series> series) { return Figure{"f", "A title", "x", "y", std::move(series)}; }

size_t differing_pixels(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return size_t(cv::countNonZero(diff.reshape(1)));
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("plot: ticks are nice numbers that cover the range") {
  check_ticks(0, 37);
  check_ticks(1, 40);
  check_ticks(-3.7, 12.2);
  check_ticks(0.0012, 0.0047);
  check_ticks(18.5, 31.25);
  check_ticks(-1e7, 3e9);
  Ticks epochs = nice_ticks(0, 37, 5);
  CHECK(epochs.step == 10);
  CHECK(epochs.first() == 0);
  CHECK(epochs.last() == 40);
}

TEST_CASE("plot: a constant or reversed range still gets ticks around it") {
  check_ticks(5, 5);
  check_ticks(0, 0);
  check_ticks(-2e-3, -2e-3);
  Ticks reversed = nice_ticks(10, 0);
  CHECK(reversed.first() <= 0);
  CHECK(reversed.last() >= 10);
}

TEST_CASE("plot: tick labels show the decimals the step needs") {
  CHECK(tick_label(40, 10) == "40");
  CHECK(tick_label(0.5, 0.5) == "0.5");
  CHECK(tick_label(0.25, 0.05) == "0.25");
  CHECK(tick_label(0, 0.1) == "0");
  CHECK(tick_label(-2, 1) == "-2");
  CHECK(tick_label(3e7, 1e7) == "3e+07");
}

TEST_CASE("plot: awkward data draws a picture of the requested size") {
  std::vector<Figure> awkward = {
      figure_of({}),                                                 // no series
      figure_of({{"empty", {}, {}}}),                                // a series without points
      figure_of({{"one point", {3}, {0.5}}}),                        // a single point
      figure_of({{"constant", {1, 2, 3, 4}, {7, 7, 7, 7}}}),         // no y range
      figure_of({{"nan", {1, 2, 3, 4}, {kNaN, 2, kNaN, 3}}}),        // gaps
      figure_of({{"inf", {1, kInf, 3}, {1, 2, -kInf}}}),             // infinities
      figure_of({{"all nan", {kNaN, kNaN}, {kNaN, kNaN}}}),          // nothing finite
      figure_of({{"ragged", {1, 2, 3}, {1, 2}}}),                    // x and y differ in length
      figure_of({{"huge", {0, 1}, {-1.7e308, 1.7e308}}}),            // a range beyond double
  };
  for (const auto& figure : awkward) {
    CAPTURE(figure.series.empty() ? "" : figure.series[0].name);
    cv::Mat image = draw_figure(figure, 400, 300);
    CHECK(image.cols == 400);
    CHECK(image.rows == 300);
    CHECK(image.type() == CV_8UC3);
    CHECK(cv::countNonZero(image.reshape(1) != 255) > 0);  // axes at least
  }
}

TEST_CASE("plot: different data gives different pixels, the same data the same") {
  Figure rising = figure_of({{"loss", {1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}}});
  Figure falling = figure_of({{"loss", {1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}}});
  Figure two = figure_of({{"loss", {1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}}, {"val", {1, 2, 3, 4, 5}, {2, 2, 3, 3, 4}}});
  cv::Mat a = draw_figure(rising, 500, 300);
  CHECK(differing_pixels(a, draw_figure(rising, 500, 300)) == 0);
  CHECK(differing_pixels(a, draw_figure(falling, 500, 300)) > 100);
  CHECK(differing_pixels(a, draw_figure(two, 500, 300)) > 100);
}

TEST_CASE("plot: the x axis spans the data, without ticks before the first point or after the last") {
  Ticks frames = ticks_within(3, 12, 6);  // nice_ticks would start at 2, where no frame was predicted
  REQUIRE(frames.values.size() >= 2);
  CHECK(frames.first() >= 3);
  CHECK(frames.last() <= 12);
  CHECK(nice_step(frames.step));
  for (double v : frames.values) CHECK(std::fmod(v, frames.step) == 0);
  CHECK(ticks_within(0, 1, 6).first() == 0);
  CHECK(ticks_within(0, 1, 6).last() == 1);
  Ticks frames_3_to_5 = ticks_within(3, 5, 8, true);  // whole frames: not 3.0, 3.5, 4.0, ...
  CHECK(frames_3_to_5.values == std::vector<double>{3, 4, 5});
  CHECK(ticks_within(3, 5, 8, false).values.size() > 3);
  Ticks one = ticks_within(5, 5, 6);  // one value: a range around it, as nice_ticks gives
  CHECK(one.first() < 5);
  CHECK(one.last() > 5);
}

TEST_CASE("plot: series that coincide are one line under one legend entry that names them all") {
  const std::vector<double> x{3, 4, 5}, y{30, 25, 20};
  const std::vector<double> y_mean{30 * (1 + 1e-15), 25, 20};  // a mean of equal values, off in the last bit
  auto merged = merge_coinciding({{"model best", x, y}, {"model mean", x, y_mean}, {"copy_last", x, {30, 20, 10}},
                                  {"model worst", x, y}});
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].name == "model best = model mean = model worst");
  CHECK(merged[1].name == "copy_last");
  CHECK(merge_coinciding({{"a", x, y}, {"b", x, {30, 25, 20.5}}}).size() == 2);
  CHECK(merge_coinciding({{"a", x, {kNaN, 1, 2}}, {"b", x, {kNaN, 1, 2}}}).size() == 1);
  CHECK(merge_coinciding({{"a", x, y}, {"b", x, {30, 25, 20.5}}}, 0.5).size() == 1);  // within the tolerance
  CHECK(merge_coinciding({{"a", x, y}, {"b", x, {30, 25, 20.5}}}, 0.4).size() == 2);

  // The picture is that of the merged series, for series less than half a
  // pixel apart (here 0.001 dB, on an axis of 10 dB over some 200 pixels).
  Figure twins = figure_of({{"model best", x, y}, {"model mean", x, {30, 25, 20.001}}});
  Figure one = figure_of({{"model best = model mean", x, y}});
  CHECK(differing_pixels(draw_figure(twins, 500, 300), draw_figure(one, 500, 300)) == 0);
  Figure apart = figure_of({{"model best", x, y}, {"model mean", x, {29, 25, 20}}});
  CHECK(differing_pixels(draw_figure(apart, 500, 300), draw_figure(one, 500, 300)) > 100);
}
