#include "stages/writers/plot.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

namespace vidpred::stages {

std::string figure_file_stem(const std::string& name) {
  std::string stem = name;
  for (char& c : stem) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!plain) c = '_';
  }
  if (stem.empty() || stem.find_first_not_of('.') == std::string::npos) stem = "figure" + stem;
  return stem;
}

std::vector<Series> merge_coinciding(const std::vector<Series>& series, double tolerance) {
  auto same = [tolerance](const Series& a, const Series& b) {
    if (a.x != b.x || a.y.size() != b.y.size()) return false;
    for (size_t i = 0; i < a.y.size(); ++i) {
      // The mean of equal values differs from them in the last bits only.
      const double within = std::max(tolerance, 1e-9 * std::max(1.0, std::abs(a.y[i])));
      const bool equal = a.y[i] == b.y[i] || (std::isnan(a.y[i]) && std::isnan(b.y[i])) ||
                         std::abs(a.y[i] - b.y[i]) <= within;
      if (!equal) return false;
    }
    return true;
  };
  std::vector<Series> out;
  for (const auto& s : series) {
    auto twin = std::find_if(out.begin(), out.end(), [&](const Series& kept) { return same(kept, s); });
    if (twin == out.end()) {
      out.push_back(s);
    } else {
      twin->name += " = " + s.name;
    }
  }
  return out;
}

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kTickFont = 0.42, kLabelFont = 0.5, kTitleFont = 0.65;
constexpr int kShift = 4;  // sub-pixel precision of line ends: 1/16 pixel
constexpr int kMaxPointsWithMarkers = 60;
constexpr int kLineWidth = 2, kMarkerRadius = 3;
constexpr int kLegendMargin = 8;  // between the legend and the frame of the plot area

const cv::Scalar kWhite(255, 255, 255), kInk(30, 30, 30), kAxis(90, 90, 90), kGrid(228, 228, 228);

// Matplotlib's "tab10" colours, told apart by most colour-blind readers.
const std::array<cv::Scalar, 10> kPalette = {
    cv::Scalar(31, 119, 180), cv::Scalar(255, 127, 14), cv::Scalar(44, 160, 44),  cv::Scalar(214, 39, 40),
    cv::Scalar(148, 103, 189), cv::Scalar(140, 86, 75), cv::Scalar(227, 119, 194), cv::Scalar(127, 127, 127),
    cv::Scalar(188, 189, 34),  cv::Scalar(23, 190, 207)};

cv::Size text_size(const std::string& text, double scale) {
  int baseline = 0;
  cv::Size size = cv::getTextSize(text, kFont, scale, 1, &baseline);
  return {size.width, size.height + baseline};
}

// Text whose top-left corner is at `top_left`.
void put(cv::Mat& image, const std::string& text, cv::Point top_left, double scale, const cv::Scalar& colour) {
  int baseline = 0;
  cv::Size size = cv::getTextSize(text, kFont, scale, 1, &baseline);
  cv::putText(image, text, top_left + cv::Point(0, size.height), kFont, scale, colour, 1, cv::LINE_AA);
}

// Text read bottom to top, centred on `centre`.
void put_vertical(cv::Mat& image, const std::string& text, cv::Point centre, double scale) {
  cv::Size size = text_size(text, scale);
  cv::Mat horizontal(size.height + 2, size.width + 2, CV_8UC3, kWhite), vertical;
  put(horizontal, text, {1, 1}, scale, kInk);
  cv::rotate(horizontal, vertical, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect where(centre.x - vertical.cols / 2, centre.y - vertical.rows / 2, vertical.cols, vertical.rows);
  cv::Rect visible = where & cv::Rect(0, 0, image.cols, image.rows);
  if (visible.empty()) return;
  vertical(cv::Rect(visible.tl() - where.tl(), visible.size())).copyTo(image(visible));
}

struct Range {
  double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
  void add(double v) { low = std::min(low, v), high = std::max(high, v); }
  bool empty() const { return low > high; }
};

bool finite_point(const Series& s, size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }
size_t point_count(const Series& s) { return std::min(s.x.size(), s.y.size()); }

std::string series_name(const Figure& figure, size_t i) {
  return figure.series[i].name.empty() ? fmt::format("series {}", i + 1) : figure.series[i].name;
}

// The span of an axis in data coordinates.
struct Limits {
  double low, high;
};

// Maps data coordinates into the plot area, in kShift fixed point.
class Axes {
 public:
  Axes(cv::Rect area, Limits x, Limits y) : area_(area), x_(x), y_(y) {}
  cv::Point point(double x, double y) const {
    // Halved before subtracting: ranges near the largest double stay finite.
    double fx = (x / 2 - x_.low / 2) / (x_.high / 2 - x_.low / 2);
    double fy = (y / 2 - y_.low / 2) / (y_.high / 2 - y_.low / 2);
    double px = area_.x + fx * (area_.width - 1), py = area_.y + (1 - fy) * (area_.height - 1);
    return {fixed(px), fixed(py)};
  }
  static cv::Point pixel(cv::Point fixed) { return {fixed.x >> kShift, fixed.y >> kShift}; }

 private:
  // Far outside the picture is as good as anywhere outside it, and fits an int.
  static int fixed(double pixel) { return int(std::lround(std::clamp(pixel, -1e6, 1e6) * (1 << kShift))); }

  cv::Rect area_;
  Limits x_, y_;
};

void draw_series(cv::Mat& image, const Series& series, const Axes& axes, const cv::Scalar& colour) {
  size_t n = point_count(series), finite = 0;
  for (size_t i = 0; i < n; ++i) finite += finite_point(series, i);
  bool markers = finite <= kMaxPointsWithMarkers;
  for (size_t i = 0; i < n; ++i) {
    if (!finite_point(series, i)) continue;
    cv::Point here = axes.point(series.x[i], series.y[i]);
    // A NaN or infinite neighbour breaks the line rather than being jumped over.
    if (i + 1 < n && finite_point(series, i + 1)) {
      cv::line(image, here, axes.point(series.x[i + 1], series.y[i + 1]), colour, kLineWidth, cv::LINE_AA, kShift);
    }
    if (markers || finite == 1) {
      cv::circle(image, here, kMarkerRadius << kShift, colour, cv::FILLED, cv::LINE_AA, kShift);
    }
  }
}

// Whether a curve (a point, a line segment, with their width and antialiased
// edge) comes into `box`.
bool covers_data(const Figure& plotted, const Axes& axes, cv::Rect box) {
  constexpr int kReach = kMarkerRadius + 1;
  const cv::Rect kept_clear(box.x - kReach, box.y - kReach, box.width + 2 * kReach, box.height + 2 * kReach);
  for (const auto& series : plotted.series) {
    const size_t n = point_count(series);
    for (size_t i = 0; i < n; ++i) {
      if (!finite_point(series, i)) continue;
      cv::Point from = Axes::pixel(axes.point(series.x[i], series.y[i]));
      cv::Point to = i + 1 < n && finite_point(series, i + 1)
                         ? Axes::pixel(axes.point(series.x[i + 1], series.y[i + 1]))
                         : from;
      if (kept_clear.contains(from) || cv::clipLine(kept_clear, from, to)) return true;
    }
  }
  return false;
}

// A corner of the plot area where the legend covers no curve, the top right
// first; none where every corner has data.
std::optional<cv::Rect> free_corner(const Figure& plotted, const Axes& axes, cv::Rect area, cv::Size box) {
  const int left = area.x + kLegendMargin, right = area.br().x - box.width - kLegendMargin;
  const int top = area.y + kLegendMargin, bottom = area.br().y - box.height - kLegendMargin;
  for (cv::Point corner : {cv::Point(right, top), cv::Point(left, top), cv::Point(right, bottom),
                           cv::Point(left, bottom)}) {
    cv::Rect where(corner, box);
    if ((where & area) == where && !covers_data(plotted, axes, where)) return where;
  }
  return std::nullopt;
}

constexpr int kLegendRow = 18, kLegendSwatch = 22, kLegendPadding = 6;

cv::Size legend_size(const Figure& plotted) {
  int text_width = 0;
  for (size_t i = 0; i < plotted.series.size(); ++i) {
    text_width = std::max(text_width, text_size(series_name(plotted, i), kTickFont).width);
  }
  return {kLegendPadding * 3 + kLegendSwatch + text_width,
          kLegendPadding * 2 + kLegendRow * int(plotted.series.size())};
}

void draw_legend(cv::Mat& image, const Figure& plotted, cv::Rect where) {
  cv::rectangle(image, where, kWhite, cv::FILLED);
  cv::rectangle(image, where, kAxis, 1);
  for (size_t i = 0; i < plotted.series.size(); ++i) {
    const cv::Scalar& colour = kPalette[i % kPalette.size()];
    int middle = where.y + kLegendPadding + kLegendRow * int(i) + kLegendRow / 2;
    cv::Point from(where.x + kLegendPadding, middle), to(where.x + kLegendPadding + kLegendSwatch, middle);
    cv::line(image, from, to, colour, kLineWidth, cv::LINE_AA);
    cv::circle(image, (from + to) / 2, kMarkerRadius, colour, cv::FILLED, cv::LINE_AA);
    cv::Size size = text_size(series_name(plotted, i), kTickFont);
    put(image, series_name(plotted, i), {to.x + kLegendPadding, middle - size.height / 2}, kTickFont, kInk);
  }
}

// The figure in the coordinates the plot area maps linearly: log10 of y on
// a log axis, where values at or below zero have no place (NaN, skipped).
Figure in_plot_coordinates(const Figure& figure) {
  Figure plotted = figure;
  if (!figure.log_y) return plotted;
  for (auto& series : plotted.series) {
    for (double& y : series.y) y = y > 0 ? std::log10(y) : std::numeric_limits<double>::quiet_NaN();
  }
  return plotted;
}

// What the data spans; the unit square where nothing is finite.
struct DataBounds {
  Range x, y;
  bool integer_x = true;  // frames, epochs: no ticks between them
  bool empty = false;
};

DataBounds data_bounds(const Figure& plotted) {
  DataBounds data;
  for (const auto& series : plotted.series) {
    for (size_t i = 0; i < point_count(series); ++i) {
      if (!finite_point(series, i)) continue;
      data.x.add(series.x[i]), data.y.add(series.y[i]);
      data.integer_x = data.integer_x && std::floor(series.x[i]) == series.x[i];
    }
  }
  data.empty = data.x.empty();
  if (data.empty) data.x = {0, 1}, data.y = {0, 1};
  return data;
}

int widest(const std::vector<std::string>& labels) {
  int widest = 0;
  for (const auto& label : labels) widest = std::max(widest, text_size(label, kTickFont).width);
  return widest;
}

// Where things go: the plot area, with margins from the sizes of what goes
// in them, and the ticks of both axes (positions in plot coordinates).
struct Layout {
  std::string title;
  cv::Rect area;
  Ticks x_ticks;
  std::vector<double> y_positions;
  std::vector<std::string> x_labels, y_labels;
  Limits x_limits, y_limits;
  int label_height;
};

// The y axis spans its ticks, so that the lines keep clear of the frame.
void set_y_ticks(Layout& layout, const Figure& plotted, const DataBounds& data, int height) {
  const bool log = plotted.log_y && !data.empty;  // a log axis with nothing on it is drawn as a linear one
  Ticks ticks = log ? log_ticks(std::pow(10.0, data.y.low), std::pow(10.0, data.y.high))
                    : nice_ticks(data.y.low, data.y.high, std::max(2, height / 80));
  layout.y_labels = tick_labels(ticks);
  layout.y_positions.clear();
  for (double v : ticks.values) layout.y_positions.push_back(log ? std::log10(v) : v);
  layout.y_limits = {layout.y_positions.front(), layout.y_positions.back()};
}

// `beside` pixels right of the plot area are kept for the legend.
Layout layout_of(const Figure& plotted, const DataBounds& data, int width, int height, int beside) {
  Layout layout;
  layout.title = plotted.title.empty() ? plotted.name : plotted.title;
  set_y_ticks(layout, plotted, data, height);
  layout.label_height = text_size("Xg", kLabelFont).height;
  int tick_height = text_size("0", kTickFont).height;
  int left = 10 + (plotted.y_label.empty() ? 0 : layout.label_height + 8) + widest(layout.y_labels) + 10;
  int top = 12 + (layout.title.empty() ? 0 : text_size(layout.title, kTitleFont).height + 12);
  int bottom = 8 + tick_height + 10 + (plotted.x_label.empty() ? 0 : layout.label_height + 10);
  int right = 24 + beside;
  layout.area = cv::Rect(left, top, std::max(width - left - right, 10), std::max(height - top - bottom, 10));
  layout.x_ticks = ticks_within(data.x.low, data.x.high, std::max(2, layout.area.width / 90), data.integer_x);
  layout.x_labels = tick_labels(layout.x_ticks);
  // x spans the data (a curve over frames 3..12 starts at 3, where its first point is).
  layout.x_limits = data.x.high > data.x.low ? Limits{data.x.low, data.x.high}
                                             : Limits{layout.x_ticks.first(), layout.x_ticks.last()};
  return layout;
}

// Everything placed: the layout, the series as drawn (in plot coordinates,
// those that would hide each other merged) and the legend's box.
struct Plan {
  Figure plotted;
  bool empty;
  Layout layout;
  cv::Rect legend;
  Axes axes() const { return Axes(layout.area, layout.x_limits, layout.y_limits); }
};

Plan plan_of(const Figure& figure, int width, int height) {
  Plan plan{in_plot_coordinates(figure), false, {}, {}};
  DataBounds data = data_bounds(plan.plotted);
  plan.empty = data.empty;
  plan.layout = layout_of(plan.plotted, data, width, height, 0);
  // Series closer than a line's width plus a pixel everywhere would hide
  // behind the one drawn over them: they become one line, named after all.
  const Limits& y = plan.layout.y_limits;
  const double pixel = (y.high - y.low) / std::max(plan.layout.area.height - 1, 1);
  plan.plotted.series = merge_coinciding(plan.plotted.series, (kLineWidth + 1 - 1e-6) * pixel);
  if (plan.plotted.series.empty()) return plan;
  const cv::Size box = legend_size(plan.plotted);
  if (auto corner = free_corner(plan.plotted, plan.axes(), plan.layout.area, box)) {
    plan.legend = *corner;
    return plan;
  }
  // Every corner has data: room above the curves first (the plot keeps its
  // width and its title), as much again each try, then right of the plot area.
  const double legend_rows = double(box.height + 2 * kLegendMargin) / std::max(plan.layout.area.height, 1);
  for (int tries = 1; tries <= 3; ++tries) {
    DataBounds raised = data;
    raised.y.high += tries * legend_rows * (data.y.high - data.y.low);
    Layout layout = layout_of(plan.plotted, raised, width, height, 0);
    const Axes axes(layout.area, layout.x_limits, layout.y_limits);
    if (auto corner = free_corner(plan.plotted, axes, layout.area, box)) {
      plan.layout = layout;
      plan.legend = *corner;
      return plan;
    }
  }
  plan.layout = layout_of(plan.plotted, data, width, height, box.width + kLegendMargin);
  plan.legend = cv::Rect(plan.layout.area.br().x + kLegendMargin, plan.layout.area.y, box.width, box.height);
  return plan;
}

// Grid lines and tick labels; an x label that would touch the one before it
// is left out (the first is always shown).
void draw_x_ticks(cv::Mat& image, const Layout& layout, const Axes& axes) {
  const cv::Rect& area = layout.area;
  int free_from = std::numeric_limits<int>::min();
  for (size_t i = 0; i < layout.x_ticks.values.size(); ++i) {
    int x = Axes::pixel(axes.point(layout.x_ticks.values[i], layout.y_limits.low)).x;
    cv::line(image, {x, area.y}, {x, area.br().y - 1}, kGrid, 1);
    cv::line(image, {x, area.br().y}, {x, area.br().y + 4}, kAxis, 1);
    const std::string& text = layout.x_labels[i];
    const int text_width = text_size(text, kTickFont).width;
    if (x - text_width / 2 < free_from) continue;
    put(image, text, {x - text_width / 2, area.br().y + 8}, kTickFont, kInk);
    free_from = x + text_width - text_width / 2 + 8;
  }
}

void draw_y_ticks(cv::Mat& image, const Layout& layout, const Axes& axes) {
  const cv::Rect& area = layout.area;
  for (size_t i = 0; i < layout.y_positions.size(); ++i) {
    int y = Axes::pixel(axes.point(layout.x_limits.low, layout.y_positions[i])).y;
    cv::line(image, {area.x, y}, {area.br().x - 1, y}, kGrid, 1);
    cv::line(image, {area.x - 5, y}, {area.x - 1, y}, kAxis, 1);
    cv::Size size = text_size(layout.y_labels[i], kTickFont);
    put(image, layout.y_labels[i], {area.x - 9 - size.width, y - size.height / 2}, kTickFont, kInk);
  }
}

// Text centred across the plot area, its top at `top`.
void put_centred(cv::Mat& image, const std::string& text, const cv::Rect& area, int top, double scale,
                 const cv::Scalar& colour) {
  put(image, text, {area.x + (area.width - text_size(text, scale).width) / 2, top}, scale, colour);
}

void draw_titles(cv::Mat& image, const Figure& figure, const Layout& layout, int height) {
  const cv::Rect& area = layout.area;
  if (!layout.title.empty()) put_centred(image, layout.title, area, 10, kTitleFont, kInk);
  if (!figure.x_label.empty()) {
    int top = height - 8 - text_size(figure.x_label, kLabelFont).height;
    put_centred(image, figure.x_label, area, top, kLabelFont, kInk);
  }
  if (!figure.y_label.empty()) {
    put_vertical(image, figure.y_label, {10 + layout.label_height / 2, area.y + area.height / 2}, kLabelFont);
  }
}

}  // namespace

cv::Rect legend_box(const Figure& figure, int width, int height) {
  return plan_of(figure, width, height).legend;
}

cv::Mat draw_figure(const Figure& figure, int width, int height, bool legend) {
  cv::Mat image(std::max(height, 1), std::max(width, 1), CV_8UC3, kWhite);
  const Plan plan = plan_of(figure, width, height);
  const Layout& layout = plan.layout;
  const Axes axes = plan.axes();
  draw_x_ticks(image, layout, axes);
  draw_y_ticks(image, layout, axes);
  cv::rectangle(image, layout.area, kAxis, 1);
  if (plan.empty) {
    const cv::Rect& area = layout.area;
    put_centred(image, "no data", area, area.y + (area.height - text_size("no data", kLabelFont).height) / 2,
                kLabelFont, kAxis);
  }
  const auto& series = plan.plotted.series;
  for (size_t i = 0; i < series.size(); ++i) draw_series(image, series[i], axes, kPalette[i % kPalette.size()]);
  if (legend && !series.empty()) draw_legend(image, plan.plotted, plan.legend);
  draw_titles(image, figure, layout, height);
  return image;
}

}  // namespace vidpred::stages
