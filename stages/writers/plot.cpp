#include "stages/writers/plot.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

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
      cv::line(image, here, axes.point(series.x[i + 1], series.y[i + 1]), colour, 2, cv::LINE_AA, kShift);
    }
    if (markers || finite == 1) cv::circle(image, here, 3 << kShift, colour, cv::FILLED, cv::LINE_AA, kShift);
  }
}

// The legend goes in the corner of the plot area that hides the fewest points.
cv::Rect legend_place(const Figure& figure, const Axes& axes, cv::Rect area, cv::Size box) {
  constexpr int kMargin = 8;
  std::array<cv::Rect, 4> corners = {
      cv::Rect(area.br().x - box.width - kMargin, area.y + kMargin, box.width, box.height),
      cv::Rect(area.x + kMargin, area.y + kMargin, box.width, box.height),
      cv::Rect(area.br().x - box.width - kMargin, area.br().y - box.height - kMargin, box.width, box.height),
      cv::Rect(area.x + kMargin, area.br().y - box.height - kMargin, box.width, box.height)};
  std::array<size_t, 4> hidden{};
  for (const auto& series : figure.series) {
    for (size_t i = 0; i < point_count(series); ++i) {
      if (!finite_point(series, i)) continue;
      cv::Point p = Axes::pixel(axes.point(series.x[i], series.y[i]));
      for (size_t c = 0; c < corners.size(); ++c) hidden[c] += corners[c].contains(p);
    }
  }
  return corners[std::min_element(hidden.begin(), hidden.end()) - hidden.begin()];
}

void draw_legend(cv::Mat& image, const Figure& figure, const Axes& axes, cv::Rect area) {
  constexpr int kRow = 18, kSwatch = 22, kPadding = 6;
  int text_width = 0;
  for (size_t i = 0; i < figure.series.size(); ++i) {
    text_width = std::max(text_width, text_size(series_name(figure, i), kTickFont).width);
  }
  cv::Size box(kPadding * 3 + kSwatch + text_width, kPadding * 2 + kRow * int(figure.series.size()));
  cv::Rect where = legend_place(figure, axes, area, box);
  cv::rectangle(image, where, kWhite, cv::FILLED);
  cv::rectangle(image, where, kAxis, 1);
  for (size_t i = 0; i < figure.series.size(); ++i) {
    const cv::Scalar& colour = kPalette[i % kPalette.size()];
    int middle = where.y + kPadding + kRow * int(i) + kRow / 2;
    cv::Point from(where.x + kPadding, middle), to(where.x + kPadding + kSwatch, middle);
    cv::line(image, from, to, colour, 2, cv::LINE_AA);
    cv::circle(image, (from + to) / 2, 3, colour, cv::FILLED, cv::LINE_AA);
    cv::Size size = text_size(series_name(figure, i), kTickFont);
    put(image, series_name(figure, i), {to.x + kPadding, middle - size.height / 2}, kTickFont, kInk);
  }
}

// What the data spans; the unit square where nothing is finite.
struct DataBounds {
  Range x, y;
  bool integer_x = true;  // frames, epochs: no ticks between them
  bool empty = false;
};

DataBounds data_bounds(const Figure& figure) {
  DataBounds data;
  for (const auto& series : figure.series) {
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

int widest_tick_label(const Ticks& ticks) {
  int widest = 0;
  for (double v : ticks.values) widest = std::max(widest, text_size(tick_label(v, ticks.step), kTickFont).width);
  return widest;
}

// Where things go: the plot area, with margins from the sizes of what goes
// in them, and the ticks of both axes.
struct Layout {
  std::string title;
  cv::Rect area;
  Ticks x_ticks, y_ticks;
  Limits x_limits;
  int label_height;
};

Layout layout_of(const Figure& figure, const DataBounds& data, int width, int height) {
  Layout layout;
  layout.title = figure.title.empty() ? figure.name : figure.title;
  layout.y_ticks = nice_ticks(data.y.low, data.y.high, std::max(2, height / 80));
  layout.label_height = text_size("Xg", kLabelFont).height;
  int tick_height = text_size("0", kTickFont).height;
  int left = 10 + (figure.y_label.empty() ? 0 : layout.label_height + 8) + widest_tick_label(layout.y_ticks) + 10;
  int top = 12 + (layout.title.empty() ? 0 : text_size(layout.title, kTitleFont).height + 12);
  int bottom = 8 + tick_height + 10 + (figure.x_label.empty() ? 0 : layout.label_height + 10);
  int right = 24;
  layout.area = cv::Rect(left, top, std::max(width - left - right, 10), std::max(height - top - bottom, 10));
  layout.x_ticks = ticks_within(data.x.low, data.x.high, std::max(2, layout.area.width / 90), data.integer_x);
  // x spans the data (a curve over frames 3..12 starts at 3, where its first
  // point is); y spans its ticks, so that the lines keep clear of the frame.
  layout.x_limits = data.x.high > data.x.low ? Limits{data.x.low, data.x.high}
                                             : Limits{layout.x_ticks.first(), layout.x_ticks.last()};
  return layout;
}

// Grid lines and tick labels. X labels that would overlap are thinned out.
void draw_x_ticks(cv::Mat& image, const Layout& layout, const Axes& axes) {
  const cv::Rect& area = layout.area;
  const Ticks& ticks = layout.x_ticks;
  double spacing = double(area.width) / std::max<size_t>(ticks.values.size() - 1, 1);
  size_t every = size_t(std::max(1.0, std::ceil((widest_tick_label(ticks) + 8) / spacing)));
  for (size_t i = 0; i < ticks.values.size(); ++i) {
    int x = Axes::pixel(axes.point(ticks.values[i], layout.y_ticks.first())).x;
    cv::line(image, {x, area.y}, {x, area.br().y - 1}, kGrid, 1);
    cv::line(image, {x, area.br().y}, {x, area.br().y + 4}, kAxis, 1);
    if (i % every) continue;
    std::string text = tick_label(ticks.values[i], ticks.step);
    put(image, text, {x - text_size(text, kTickFont).width / 2, area.br().y + 8}, kTickFont, kInk);
  }
}

void draw_y_ticks(cv::Mat& image, const Layout& layout, const Axes& axes) {
  const cv::Rect& area = layout.area;
  for (double v : layout.y_ticks.values) {
    int y = Axes::pixel(axes.point(layout.x_limits.low, v)).y;
    cv::line(image, {area.x, y}, {area.br().x - 1, y}, kGrid, 1);
    cv::line(image, {area.x - 5, y}, {area.x - 1, y}, kAxis, 1);
    std::string text = tick_label(v, layout.y_ticks.step);
    cv::Size size = text_size(text, kTickFont);
    put(image, text, {area.x - 9 - size.width, y - size.height / 2}, kTickFont, kInk);
  }
}

void draw_curves(cv::Mat& image, const Figure& figure, const Layout& layout, const Axes& axes) {
  // Series less than half a pixel apart everywhere would hide each other.
  Figure drawn = figure;
  const Ticks& y = layout.y_ticks;
  drawn.series = merge_coinciding(figure.series, 0.5 * (y.last() - y.first()) / layout.area.height);
  for (size_t i = 0; i < drawn.series.size(); ++i) draw_series(image, drawn.series[i], axes, kPalette[i % kPalette.size()]);
  if (!drawn.series.empty()) draw_legend(image, drawn, axes, layout.area);
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

cv::Mat draw_figure(const Figure& figure, int width, int height) {
  cv::Mat image(std::max(height, 1), std::max(width, 1), CV_8UC3, kWhite);
  DataBounds data = data_bounds(figure);
  Layout layout = layout_of(figure, data, width, height);
  Axes axes(layout.area, layout.x_limits, {layout.y_ticks.first(), layout.y_ticks.last()});
  draw_x_ticks(image, layout, axes);
  draw_y_ticks(image, layout, axes);
  cv::rectangle(image, layout.area, kAxis, 1);
  if (data.empty) {
    const cv::Rect& area = layout.area;
    put_centred(image, "no data", area, area.y + (area.height - text_size("no data", kLabelFont).height) / 2,
                kLabelFont, kAxis);
  }
  draw_curves(image, figure, layout, axes);
  draw_titles(image, figure, layout, height);
  return image;
}

}  // namespace vidpred::stages
