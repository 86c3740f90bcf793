#pragma once
// Animated GIFs in memory with giflib: one palette for the whole animation
// (median cut over every frame, so colours do not flicker between frames),
// a per-frame delay and the NETSCAPE2.0 extension that makes viewers loop.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "pipeline/config/params.h"
#include "pipeline/config/schema.h"
#include "stages/writers/writer.h"

namespace vidpred::stages {

// The GIF bytes of `frames` (RGB, all the same size), each shown for
// `delay_centiseconds`, looping forever. Errors name `file`, where the bytes
// are going.
std::string encode_gif(const std::vector<cv::Mat>& frames, int delay_centiseconds,
                       const std::filesystem::path& file);

// The keys of a writer of per-sequence animations (gif, html_report), one
// meaning everywhere: how many sequences, how many samples, how large, how fast.
struct AnimationOptions {
  static Schema schema(const char* sequences_doc, int64_t samples_minimum);
  explicit AnimationOptions(const Params& p);

  int64_t sequences, samples;
  int scale, delay_centiseconds;
};

// The GIF of `sequence`: truth then its first `predictions` predictions side
// by side (animation_frame), one frame per time step. Errors name `file`.
std::string encode_sequence_gif(const EvalSequence& sequence, int predictions, const AnimationOptions& options,
                                const std::filesystem::path& file);

}  // namespace vidpred::stages
