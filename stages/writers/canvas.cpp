#include "stages/writers/canvas.h"

#include <algorithm>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>
#endif

#include "pipeline/core/error.h"

namespace vidpred::stages::canvas {

cv::Mat frame_image(const Video& video, int t) {
  t = std::clamp(t, 0, video.frames - 1);
  // The Mat only borrows the bytes; clone() gives the caller its own image.
  cv::Mat view(video.height, video.width, CV_8UC3, const_cast<uint8_t*>(video.frame(t)));
  return view.clone();
}

cv::Mat enlarge(const cv::Mat& image, int scale) {
  if (scale == 1) return image.clone();
  cv::Mat out;
  cv::resize(image, out, cv::Size(), scale, scale, cv::INTER_NEAREST);
  return out;
}

void draw_border(cv::Mat& image, const cv::Scalar& colour, int thickness) {
  // cv::rectangle centres thick lines on the rectangle; draw nested 1-pixel
  // rectangles instead so the border stays inside the image.
  for (int i = 0; i < thickness && 2 * i < std::min(image.cols, image.rows); ++i) {
    cv::rectangle(image, cv::Point(i, i), cv::Point(image.cols - 1 - i, image.rows - 1 - i), colour, 1);
  }
}

void put_text(cv::Mat& image, const std::string& text, const cv::Rect& box, const cv::Scalar& colour,
              Align align, double font_scale) {
  constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
  constexpr int kPadding = 2;
  int baseline = 0;
  cv::Size size = cv::getTextSize(text, kFont, font_scale, 1, &baseline);
  // Shrink until the text fits, but not below the smallest readable size.
  while ((size.width > box.width - 2 * kPadding || size.height + baseline > box.height) && font_scale > 0.3) {
    font_scale *= 0.9;
    size = cv::getTextSize(text, kFont, font_scale, 1, &baseline);
  }
  int x = box.x + kPadding;
  if (align == Align::centre) x = box.x + (box.width - size.width) / 2;
  if (align == Align::right) x = box.x + box.width - kPadding - size.width;
  int y = box.y + (box.height + size.height) / 2;
  cv::putText(image, text, cv::Point(x, y), kFont, font_scale, colour, 1, cv::LINE_AA);
}

cv::Mat text_row(const std::string& text, int width, int height, const cv::Scalar& colour) {
  cv::Mat row(height, width, CV_8UC3, kBackground);
  put_text(row, text, cv::Rect(0, 0, width, height), colour);
  return row;
}

namespace {
// Stacks along one axis: `along_x` for side by side.
cv::Mat stack(const std::vector<cv::Mat>& images, int gap, bool along_x) {
  int length = 0, breadth = 0;
  for (const auto& image : images) {
    length += along_x ? image.cols : image.rows;
    breadth = std::max(breadth, along_x ? image.rows : image.cols);
  }
  if (!images.empty()) length += gap * int(images.size() - 1);
  cv::Mat out = along_x ? cv::Mat(breadth, length, CV_8UC3, kBackground)
                        : cv::Mat(length, breadth, CV_8UC3, kBackground);
  int offset = 0;
  for (const auto& image : images) {
    cv::Rect where = along_x ? cv::Rect(offset, 0, image.cols, image.rows) : cv::Rect(0, offset, image.cols, image.rows);
    image.copyTo(out(where));
    offset += (along_x ? image.cols : image.rows) + gap;
  }
  return out;
}
}  // namespace

cv::Mat hstack(const std::vector<cv::Mat>& images, int gap) { return stack(images, gap, true); }
cv::Mat vstack(const std::vector<cv::Mat>& images, int gap) { return stack(images, gap, false); }

#ifdef VIDPRED_HAVE_IMAGE_IO
std::string encode_png(const cv::Mat& rgb, const std::filesystem::path& file) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(".png", bgr, bytes);
  } catch (const cv::Exception& e) {
    throw Error(fmt::format("cannot encode '{}' as PNG: {}", file.string(), e.what()));
  }
  if (!ok) throw Error(fmt::format("cannot encode '{}' as PNG", file.string()));
  return std::string(bytes.begin(), bytes.end());
}
#endif

}  // namespace vidpred::stages::canvas
