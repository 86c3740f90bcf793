#pragma once
// Frame images in and out of files: raw RGB bytes, or PNG/JPEG detected by
// their magic bytes (decoded with OpenCV's imgcodecs, where the build has it:
// without, decoding or encoding one is an error that says so).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vidpred {

bool looks_like_png(std::string_view bytes);
bool looks_like_jpeg(std::string_view bytes);

// Decodes a PNG/JPEG to RGB HWC bytes. Throws vidpred::Error describing the
// problem (the caller adds where the image came from); a size other than
// height x width is an error.
std::vector<uint8_t> decode_rgb_image(std::string_view bytes, int height, int width);

// PNG bytes of an RGB HWC image.
std::string encode_png(const uint8_t* rgb, int height, int width);

}  // namespace vidpred
