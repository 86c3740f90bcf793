#pragma once
// Small trajectories for tests, made without the synthetic world so that a
// converter test does not depend on how the world renders.
#include <cstdint>
#include <string>

#include "converters/trajectory.h"

namespace vidpred::test {

inline Trajectory pattern_trajectory(int frames, uint32_t seed) {
  Trajectory t;
  t.frames = frames;
  t.pixels.resize(frames * t.frame_bytes());
  uint32_t state = seed * 2654435761u + 1;
  for (auto& p : t.pixels) {
    state = state * 1664525u + 1013904223u;
    p = uint8_t(state >> 24);
  }
  for (int i = 0; i < frames * kActionDim; ++i) t.actions.push_back(float(seed) + 0.25f * i);
  for (int i = 0; i < frames * kEndEffectorDim; ++i) t.endeffector.push_back(-float(seed) - 0.5f * i);
  return t;
}

// The start of a 64x64 RGB PNG (signature and IHDR chunk): enough to be
// taken for a PNG frame, not to be decoded.
inline std::string png_frame_header() {
  return std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x40\x08\x02\0\0\0", 29);
}

}  // namespace vidpred::test
