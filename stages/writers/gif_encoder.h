#pragma once
// Animated GIFs in memory with giflib: one palette for the whole animation
// (median cut over every frame, so colours do not flicker between frames),
// a per-frame delay and the NETSCAPE2.0 extension that makes viewers loop.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace vidpred::stages {

// The GIF bytes of `frames` (RGB, all the same size), each shown for
// `delay_centiseconds`, looping forever. Errors name `file`, where the bytes
// are going.
std::string encode_gif(const std::vector<cv::Mat>& frames, int delay_centiseconds,
                       const std::filesystem::path& file);

}  // namespace vidpred::stages
