#include "converters/image_codec.h"

#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#ifdef VIDPRED_HAVE_IMAGE_IO
#include <opencv2/imgcodecs.hpp>
#endif

#include "pipeline/core/error.h"

namespace vidpred {

bool looks_like_png(std::string_view b) { return b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n"; }

bool looks_like_jpeg(std::string_view b) {
  return b.size() >= 3 && static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xD8 &&
         static_cast<uint8_t>(b[2]) == 0xFF;
}

namespace {

uint32_t big_endian(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

struct ImageSize {
  uint32_t width = 0, height = 0;
  int channels = 0;  // colour channels the header declares; 0 when it does not say
};

// PNG colour types (IHDR byte 25): 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGB + alpha.
int png_channels(uint8_t colour_type) {
  switch (colour_type) {
    case 0: return 1;
    case 4: return 2;
    case 6: return 4;
    default: return 3;
  }
}

// The size that a PNG or JPEG header declares, read before decoding: a record
// of a few hundred bytes claiming 30000 x 30000 pixels would otherwise make
// OpenCV allocate gigabytes for an image that is refused for its size anyway.
// nullopt when the header cannot be read (neither library would decode it).
std::optional<ImageSize> declared_size(std::string_view b) {
  if (looks_like_png(b)) {
    // The first chunk is IHDR: its length, "IHDR", width, height (big-endian).
    if (b.size() < 26 || b.substr(12, 4) != "IHDR") return std::nullopt;
    return ImageSize{big_endian(b, 16, 4), big_endian(b, 20, 4), png_channels(static_cast<uint8_t>(b[25]))};
  }
  if (looks_like_jpeg(b)) {
    // Markers after SOI until a start-of-frame (SOFn: precision, height, width).
    size_t p = 2;
    while (p + 4 <= b.size()) {
      if (static_cast<uint8_t>(b[p]) != 0xFF) return std::nullopt;
      const uint8_t marker = static_cast<uint8_t>(b[p + 1]);
      if (marker == 0xFF) {  // fill byte
        ++p;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
        p += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end, or a scan before any frame
      const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame) {
        if (p + 10 > b.size()) return std::nullopt;
        return ImageSize{big_endian(b, p + 7, 2), big_endian(b, p + 5, 2), static_cast<uint8_t>(b[p + 9])};
      }
      const uint32_t length = big_endian(b, p + 2, 2);
      if (length < 2) return std::nullopt;
      p += 2 + length;
    }
  }
  return std::nullopt;
}

}  // namespace

#ifndef VIDPRED_HAVE_IMAGE_IO
namespace {

[[noreturn]] void no_image_io(const char* what) {
  throw BuildLacks(fmt::format("this vidpred cannot {} PNG/JPEG images: it was built without OpenCV's imgcodecs "
                          "(install libopencv-dev and build again; BAIR's raw frames need none)",
                          what));
}

}  // namespace
#endif

std::vector<uint8_t> decode_rgb_image(std::string_view bytes, int height, int width) {
  auto size = declared_size(bytes);
  if (!size) throw Error("undecodable image (no readable PNG or JPEG header)");
  if (size->width != uint32_t(width) || size->height != uint32_t(height)) {
    throw Error(fmt::format("image is {}x{}, expected {}x{}", size->width, size->height, width, height));
  }
  // Decoding would silently make RGB of a grey image or drop an alpha channel.
  if (size->channels != 0 && size->channels != 3) {
    throw Error(fmt::format("image has {} channel{}, expected 3 (RGB)", size->channels, size->channels > 1 ? "s" : ""));
  }
#ifndef VIDPRED_HAVE_IMAGE_IO
  no_image_io("decode");
#else
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
#endif
}

std::string encode_png(const uint8_t* rgb, int height, int width) {
#ifndef VIDPRED_HAVE_IMAGE_IO
  no_image_io("encode");
#else
  cv::Mat in(height, width, CV_8UC3, const_cast<uint8_t*>(rgb));
  cv::Mat bgr;
  cv::cvtColor(in, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> buffer;
  if (!cv::imencode(".png", bgr, buffer)) throw Error("PNG encoding failed");
  return std::string(buffer.begin(), buffer.end());
#endif
}

}  // namespace vidpred
