#pragma once
// Softening of the shadow mask.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace vidpred::synth {

// Binomial 1-4-6-4-1 blur of an 8-bit mask in place, in plain loops: cheap at
// these sizes, and unlike cv::GaussianBlur it never hands work to a thread
// pool. `rows` is scratch space, kept by the caller between frames.
void soften(cv::Mat& mask, std::vector<uint16_t>& rows);

}  // namespace vidpred::synth
