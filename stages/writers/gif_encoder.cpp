#include "stages/writers/gif_encoder.h"

#ifdef VIDPRED_HAVE_GIF
#include <gif_lib.h>

#include <array>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "pipeline/core/error.h"
#include "stages/writers/sequence_layout.h"

namespace vidpred::stages {
namespace {

constexpr int kPaletteSize = 256;

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    EGifCloseFile(gif, &error);  // only on the error path: nothing left to report
  }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

struct ColorMapFreer {
  void operator()(ColorMapObject* map) const { GifFreeMapObject(map); }
};
using ColorMap = std::unique_ptr<ColorMapObject, ColorMapFreer>;

[[noreturn]] void fail(const std::filesystem::path& file, const char* step, int error) {
  const char* why = GifErrorString(error);
  throw Error(fmt::format("cannot write GIF '{}': {} failed: {}", file.string(), step, why ? why : "unknown error"));
}

// giflib's output callback: the bytes go to the std::string behind UserData.
int append_to_string(GifFileType* gif, const GifByteType* bytes, int count) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), size_t(count));
  return count;
}

struct Indexed {
  ColorMap palette;
  std::vector<GifByteType> pixels;  // palette indices, frame after frame
};

// One palette for all frames: giflib's median cut over the frames taken as
// one tall image. Its palette entries come from 5-bit histograms (white turns
// 248 grey), so each entry is then set to the exact mean of its pixels.
Indexed quantize(const std::vector<cv::Mat>& frames, const std::filesystem::path& file) {
  size_t per_frame = size_t(frames[0].rows) * frames[0].cols;
  size_t total = per_frame * frames.size();
  std::vector<GifByteType> red(total), green(total), blue(total);
  for (size_t f = 0; f < frames.size(); ++f) {
    const cv::Mat& frame = frames[f];
    for (int y = 0; y < frame.rows; ++y) {
      const cv::Vec3b* row = frame.ptr<cv::Vec3b>(y);
      for (int x = 0; x < frame.cols; ++x) {
        size_t i = f * per_frame + size_t(y) * frame.cols + x;
        red[i] = row[x][0], green[i] = row[x][1], blue[i] = row[x][2];
      }
    }
  }

  Indexed out;
  out.pixels.resize(total);
  std::array<GifColorType, kPaletteSize> colours{};
  int colour_count = kPaletteSize;
  if (GifQuantizeBuffer(unsigned(frames[0].cols), unsigned(frames[0].rows * frames.size()), &colour_count, red.data(),
                        green.data(), blue.data(), out.pixels.data(), colours.data()) == GIF_ERROR) {
    fail(file, "colour quantisation", E_GIF_ERR_NOT_ENOUGH_MEM);
  }

  std::array<std::array<uint64_t, 4>, kPaletteSize> sums{};  // r, g, b, count
  for (size_t i = 0; i < total; ++i) {
    auto& s = sums[out.pixels[i]];
    s[0] += red[i], s[1] += green[i], s[2] += blue[i], s[3] += 1;
  }
  for (int c = 0; c < kPaletteSize; ++c) {
    if (sums[c][3] == 0) continue;
    auto mean = [&](int k) { return GifByteType((sums[c][k] + sums[c][3] / 2) / sums[c][3]); };
    colours[c] = GifColorType{mean(0), mean(1), mean(2)};
  }

  out.palette.reset(GifMakeMapObject(kPaletteSize, colours.data()));
  if (!out.palette) fail(file, "palette allocation", E_GIF_ERR_NOT_ENOUGH_MEM);
  return out;
}

// The NETSCAPE2.0 application extension with a loop count of 0: forever.
void put_loop_forever(GifFileType* gif, const std::filesystem::path& file) {
  static constexpr char kApplication[] = "NETSCAPE2.0";
  static constexpr GifByteType kLoopForever[3] = {1, 0, 0};  // sub-block 1, count 0 (little-endian)
  if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 11, kApplication) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, sizeof kLoopForever, kLoopForever) == GIF_ERROR ||
      EGifPutExtensionTrailer(gif) == GIF_ERROR) {
    fail(file, "loop extension", gif->Error);
  }
}

void put_frame(GifFileType* gif, const GifByteType* indices, int width, int height, int delay_centiseconds,
               const std::filesystem::path& file) {
  GraphicsControlBlock control{};
  control.DisposalMode = DISPOSE_DO_NOT;  // every frame covers the whole screen
  control.UserInputFlag = false;
  control.DelayTime = delay_centiseconds;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType extension[4];
  size_t length = EGifGCBToExtension(&control, extension);
  if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(length), extension) == GIF_ERROR) {
    fail(file, "frame delay", gif->Error);
  }
  if (EGifPutImageDesc(gif, 0, 0, width, height, false, nullptr) == GIF_ERROR) fail(file, "frame header", gif->Error);
  for (int y = 0; y < height; ++y) {
    // giflib takes a non-const line but only reads it.
    if (EGifPutLine(gif, const_cast<GifByteType*>(indices + size_t(y) * width), width) == GIF_ERROR) {
      fail(file, "frame data", gif->Error);
    }
  }
}

}  // namespace

std::string encode_gif(const std::vector<cv::Mat>& frames, int delay_centiseconds, const std::filesystem::path& file) {
  if (frames.empty()) throw Error(fmt::format("cannot write GIF '{}': no frames", file.string()));
  const int width = frames[0].cols, height = frames[0].rows;
  constexpr int kMaxSide = 65535;  // GIF stores sizes in 16 bits
  if (width > kMaxSide || height > kMaxSide) {
    throw Error(fmt::format("cannot write GIF '{}': {}x{} pixels is larger than GIF allows ({} a side); "
                            "lower scale or samples", file.string(), width, height, kMaxSide));
  }
  for (const auto& frame : frames) {
    if (frame.cols != width || frame.rows != height || frame.type() != CV_8UC3) {
      throw Error(fmt::format("cannot write GIF '{}': frames differ in size or type", file.string()));
    }
  }
  Indexed indexed = quantize(frames, file);

  std::string bytes;
  int error = 0;
  GifHandle gif(EGifOpen(&bytes, append_to_string, &error));
  if (!gif) fail(file, "opening the encoder", error);
  EGifSetGifVersion(gif.get(), true);  // GIF89a: needed for delays and the loop extension
  if (EGifPutScreenDesc(gif.get(), width, height, 8, 0, indexed.palette.get()) == GIF_ERROR) {
    fail(file, "screen descriptor", gif->Error);
  }
  put_loop_forever(gif.get(), file);
  size_t per_frame = size_t(width) * height;
  for (size_t f = 0; f < frames.size(); ++f) {
    put_frame(gif.get(), indexed.pixels.data() + f * per_frame, width, height, delay_centiseconds, file);
  }
  // Closing writes the trailer and frees the handle whatever it returns.
  if (EGifCloseFile(gif.release(), &error) == GIF_ERROR) fail(file, "closing", error);
  return bytes;
}

Schema AnimationOptions::schema(const char* sequences_doc, int64_t samples_minimum) {
  return Schema()
      .integer("sequences", 4, sequences_doc, {0, 100000})
      .integer("samples", 3, "predictions shown beside the truth (the best first)", {samples_minimum, 100})
      .integer("scale", 2, "each frame pixel becomes scale x scale pixels", {1, 16})
      .integer("delay_ms", 200, "time each frame is shown, in milliseconds", {20, 60000});
}

AnimationOptions::AnimationOptions(const Params& p)
    : sequences(p.integer("sequences")),
      samples(p.integer("samples")),
      scale(int(p.integer("scale"))),
      // GIF delays are in hundredths of a second.
      delay_centiseconds(int(std::lround(double(p.integer("delay_ms")) / 10.0))) {}

std::string encode_sequence_gif(const EvalSequence& sequence, int predictions, const AnimationOptions& options,
                                const std::filesystem::path& file) {
  std::vector<cv::Mat> frames;
  for (int t = 0; t < sequence_frames(sequence); ++t) {
    frames.push_back(animation_frame(sequence, t, predictions, options.scale));
  }
  return encode_gif(frames, options.delay_centiseconds, file);
}

}  // namespace vidpred::stages
#endif  // VIDPRED_HAVE_GIF
