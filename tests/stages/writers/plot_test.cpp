// The plotting behind curve_png: nice ticks, labels, and pictures of awkward data.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
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

// The plot's colours (RGB), in the order of its series.
const std::vector<cv::Vec3b> kSeriesColours = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                               {148, 103, 189}, {140, 86, 75}, {227, 119, 194}};

size_t pixels_of_colour(const cv::Mat& image, cv::Vec3b colour, cv::Rect within) {
  size_t count = 0;
  within &= cv::Rect(0, 0, image.cols, image.rows);
  for (int y = within.y; y < within.br().y; ++y) {
    for (int x = within.x; x < within.br().x; ++x) count += image.at<cv::Vec3b>(y, x) == colour;
  }
  return count;
}

// Pixels of a curve, its antialiased edge included: anything coloured (the
// axes, the grid and the text are grey).
size_t coloured_pixels(const cv::Mat& image, cv::Rect within) {
  size_t count = 0;
  within &= cv::Rect(0, 0, image.cols, image.rows);
  for (int y = within.y; y < within.br().y; ++y) {
    for (int x = within.x; x < within.br().x; ++x) {
      const cv::Vec3b& p = image.at<cv::Vec3b>(y, x);
      count += std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) > 12;
    }
  }
  return count;
}

// The rows that pixels of `colour` span in columns [from_x, image end).
int rows_spanned(const cv::Mat& image, cv::Vec3b colour, int from_x) {
  int top = image.rows, bottom = -1;
  for (int y = 0; y < image.rows; ++y) {
    for (int x = from_x; x < image.cols; ++x) {
      if (image.at<cv::Vec3b>(y, x) == colour) top = std::min(top, y), bottom = std::max(bottom, y);
    }
  }
  return bottom - top;
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

  // The picture is that of the merged series, for series less than 3 pixels
  // apart (here 0.1 dB, on an axis of 10 dB over some 200 pixels).
  Figure twins = figure_of({{"model best", x, y}, {"model mean", x, {30, 25, 20.1}}});
  Figure one = figure_of({{"model best = model mean", x, y}});
  CHECK(differing_pixels(draw_figure(twins, 500, 300), draw_figure(one, 500, 300)) == 0);
  Figure apart = figure_of({{"model best", x, y}, {"model mean", x, {29, 25, 20}}});
  CHECK(differing_pixels(draw_figure(apart, 500, 300), draw_figure(one, 500, 300)) > 100);
}

TEST_CASE("plot: every legend entry's line shows: series that would hide each other share one entry") {
  // issue 7: best, mean and worst of a model that barely varies lay on one
  // another 1 or 2 pixels apart, and only "model worst" showed.
  const std::vector<double> x{3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const std::vector<double> base{24, 22, 21, 20, 19.5, 19, 18.7, 18.5, 18.3, 18.2};
  auto shifted = [&](double by, size_t only = SIZE_MAX) {
    std::vector<double> y = base;
    for (size_t i = 0; i < y.size(); ++i) y[i] += (only == SIZE_MAX || i == only) ? by : 0;
    return y;
  };
  std::vector<Figure> figures;
  // On an axis of some 15 dB over ~400 pixels: from a tenth of a pixel apart to several.
  for (double by : {0.002, 0.01, 0.03, 0.05, 0.08, 0.11, 0.15, 0.2, 0.3, 0.5}) {
    figures.push_back(figure_of({{"model best", x, shifted(2 * by)}, {"model mean", x, shifted(by)},
                                 {"model worst", x, base}, {"copy_last", x, shifted(-5)}}));
  }
  // Apart at one frame only: the series under it shows there.
  figures.push_back(figure_of({{"model best", x, shifted(1.0, 4)}, {"model worst", x, base}}));
  std::vector<size_t> entries_of;
  for (const auto& figure : figures) {
    CAPTURE(figure.series[0].y[0]);
    const cv::Rect legend = legend_box(figure, 800, 500);
    const cv::Mat with_legend = draw_figure(figure, 800, 500), curves = draw_figure(figure, 800, 500, false);
    size_t entries = 0;
    for (const cv::Vec3b& colour : kSeriesColours) {
      if (pixels_of_colour(with_legend, colour, legend) == 0) continue;  // no legend entry of this colour
      ++entries;
      CHECK(pixels_of_colour(curves, colour, cv::Rect(0, 0, 800, 500)) >= 30);
    }
    entries_of.push_back(entries);
  }
  CHECK(entries_of.front() == 2);  // a hundredth of a pixel apart: one entry for the three, one for copy_last
  CHECK(entries_of[entries_of.size() - 2] == 4);  // pixels apart: an entry each
  CHECK(entries_of.back() == 2);
}

TEST_CASE("plot: the legend covers no point and no line, in a corner if one is free, else beside the plot") {
  // issue 7: the legend sat on copy_last at frames 10 to 12 (its points were elsewhere, its line not).
  const std::vector<double> frames{3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<Figure> figures = {
      // A cross: every corner has a line in it.
      figure_of({{"rising", {1, 10}, {0, 10}}, {"falling", {1, 10}, {10, 0}}}),
      // Lines through the top-right corner between points far from it.
      figure_of({{"model", frames, {30, 27, 25, 23, 22, 21, 20, 19, 18.5, 18}},
                 {"copy_last", {3, 12}, {10, 29}}}),
      // Points near all four corners, lines along the frame.
      figure_of({{"frame", {0, 0, 10, 10, 0}, {0, 10, 10, 0, 0}}}),
      // A free corner: the legend stays inside.
      figure_of({{"loss", {1, 2, 3, 4, 5, 6}, {1, 0.5, 0.3, 0.2, 0.15, 0.1}}}),
  };
  for (size_t f = 0; f < figures.size(); ++f) {
    CAPTURE(f);
    const cv::Rect legend = legend_box(figures[f], 800, 500);
    REQUIRE_FALSE(legend.empty());
    CHECK((legend & cv::Rect(0, 0, 800, 500)) == legend);
    // The curves alone: none of their pixels (nor their antialiased edges) lie where the legend goes.
    const cv::Mat curves = draw_figure(figures[f], 800, 500, false);
    const cv::Rect around(legend.x - 1, legend.y - 1, legend.width + 2, legend.height + 2);
    CHECK(coloured_pixels(curves, around) == 0);
    CHECK(coloured_pixels(curves, cv::Rect(0, 0, 800, 500)) > 500);  // there are curves to miss
  }
  // The cross leaves no corner: the y axis makes room above it, and the
  // legend sits above every curve pixel (the plot keeps its width).
  const cv::Mat cross = draw_figure(figures[0], 800, 500, false);
  const cv::Rect above = legend_box(figures[0], 800, 500);
  CHECK(coloured_pixels(cross, cv::Rect(0, 0, 800, above.br().y)) == 0);
  CHECK(above.br().x > 700);
  // A legend taller than any room the axis can make goes right of the plot.
  std::vector<Series> many;
  for (int i = 0; i < 22; ++i) many.push_back({fmt::format("series {}", i), {1, 10}, {double(i), double(21 - i)}});
  const Figure crowded = figure_of(many);
  const cv::Rect beside = legend_box(crowded, 800, 500);
  const cv::Mat lines = draw_figure(crowded, 800, 500, false);
  CHECK(coloured_pixels(lines, cv::Rect(beside.x, 0, 800 - beside.x, 500)) == 0);
  // The falling loss leaves the top right free: the legend is inside the plot, at the right.
  CHECK(legend_box(figures[3], 800, 500).br().x > 700);
  CHECK(legend_box(figures[3], 800, 500).y < 100);
}

TEST_CASE("plot: on a whole-number axis the first value has a tick") {
  // issue 7: frames 3..12 had ticks 4, 6, ...; epoch 1 had none.
  CHECK(ticks_within(3, 12, 6, true).values == std::vector<double>{3, 5, 7, 9, 11});
  CHECK(ticks_within(3, 12, 12, true).values == std::vector<double>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(ticks_within(1, 100, 6, true).values == std::vector<double>{1, 20, 40, 60, 80, 100});
  CHECK(ticks_within(8, 50, 6, true).values == std::vector<double>{8, 20, 30, 40, 50});  // not 8 next to 10
  CHECK(ticks_within(1, 6, 8, true).values == std::vector<double>{1, 2, 3, 4, 5, 6});
  for (double low : {1.0, 2.0, 3.0, 7.0, 13.0}) {
    for (double high : {low + 1, low + 9, low + 30, low + 250}) {
      CAPTURE(low);
      CAPTURE(high);
      Ticks ticks = ticks_within(low, high, 7, true);
      CHECK(ticks.first() == low);
      CHECK(ticks.last() <= high);
      CHECK(std::is_sorted(ticks.values.begin(), ticks.values.end()));
      for (size_t i = 1; i < ticks.values.size(); ++i) CHECK(ticks.values[i] - ticks.values[i - 1] >= ticks.step / 2);
    }
  }
}

TEST_CASE("plot: a log y axis has ticks at powers of ten, labelled with their values") {
  // issue 7: epoch 1's KL of 0.47 flattened every later epoch to zero.
  Ticks kld = log_ticks(3e-4, 0.47);
  CHECK(kld.log);
  CHECK(tick_labels(kld) == std::vector<std::string>{"0.0002", "0.001", "0.01", "0.1", "0.5"});
  CHECK(tick_labels(log_ticks(0.05, 0.4)) == std::vector<std::string>{"0.05", "0.1", "0.2", "0.5"});
  CHECK(tick_labels(log_ticks(2, 300)) == std::vector<std::string>{"2", "10", "100", "500"});
  CHECK(tick_labels(log_ticks(1e-7, 1e6)).front() == "1e-07");
  CHECK(tick_labels(log_ticks(1e-7, 1e6)).back() == "1e+06");
  CHECK(tick_labels(log_ticks(0.2, 0.2)) == std::vector<std::string>{"0.1", "0.2", "0.5"});  // one value
  CHECK(log_ticks(0, 1).values.empty());
  const Ticks linear = nice_ticks(0, 1, 6);  // a linear axis: tick_label's texts
  for (size_t i = 0; i < linear.values.size(); ++i) {
    CHECK(tick_labels(linear)[i] == tick_label(linear.values[i], linear.step));
  }
}

TEST_CASE("plot: on a log axis a curve from 0.47 to 3e-4 fills the height, and its later epochs are apart") {
  Figure kld{"train_kld", "kld per epoch", "epoch", "kld", {{"kld", {1, 2, 3, 4, 5, 6, 7, 8}, {0.47, 0.02, 0.004, 0.002, 0.001, 7e-4, 5e-4, 3e-4}}}};
  kld.log_y = true;
  const cv::Vec3b blue = kSeriesColours[0];
  const cv::Mat log = draw_figure(kld, 800, 500, false);
  CHECK(rows_spanned(log, blue, 0) > 0.65 * 500);
  // Epochs 6..8 (7e-4 down to 3e-4) lie tens of pixels apart, not one.
  CHECK(rows_spanned(log, blue, 520) > 40);
  kld.log_y = false;
  CHECK(rows_spanned(draw_figure(kld, 800, 500, false), blue, 520) < 10);  // what the linear axis did

  // Values at or below zero have no place on a log axis: skipped like NaN.
  Figure with_zero{"f", "t", "x", "y", {{"s", {1, 2, 3, 4}, {0.1, 0, -1, 0.01}}}, true};
  Figure with_nan{"f", "t", "x", "y", {{"s", {1, 2, 3, 4}, {0.1, kNaN, kNaN, 0.01}}}, true};
  CHECK(differing_pixels(draw_figure(with_zero, 500, 300), draw_figure(with_nan, 500, 300)) == 0);
  Figure nothing_positive{"f", "t", "x", "y", {{"s", {1, 2}, {0, -1}}}, true};
  CHECK(draw_figure(nothing_positive, 500, 300).size() == cv::Size(500, 300));
}
