#include "converters/image_codec.h"

#include <cstring>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/core/error.h"

namespace vidpred {

bool looks_like_png(std::string_view b) { return b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n"; }

bool looks_like_jpeg(std::string_view b) {
  return b.size() >= 3 && static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xD8 &&
         static_cast<uint8_t>(b[2]) == 0xFF;
}

std::vector<uint8_t> decode_rgb_image(std::string_view bytes, int height, int width) {
  cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  cv::Mat bgr;
  try {
    bgr = cv::imdecode(encoded, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw Error(fmt::format("undecodable image ({})", e.err));
  }
  if (bgr.empty()) throw Error("undecodable image");
  if (bgr.rows != height || bgr.cols != width) {
    throw Error(fmt::format("image is {}x{}, expected {}x{}", bgr.cols, bgr.rows, width, height));
  }
  std::vector<uint8_t> rgb(size_t(height) * width * 3);
  cv::Mat out(height, width, CV_8UC3, rgb.data());
  cv::cvtColor(bgr, out, cv::COLOR_BGR2RGB);
  return rgb;
}

std::string encode_png(const uint8_t* rgb, int height, int width) {
  cv::Mat in(height, width, CV_8UC3, const_cast<uint8_t*>(rgb));
  cv::Mat bgr;
  cv::cvtColor(in, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> buffer;
  if (!cv::imencode(".png", bgr, buffer)) throw Error("PNG encoding failed");
  return std::string(buffer.begin(), buffer.end());
}

}  // namespace vidpred
