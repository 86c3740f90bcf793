#pragma once
// One BAIR-style trajectory in memory: what the converters read from any
// source and what the HDF5 layout stores.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vidpred {

inline constexpr int kActionDim = 4;       // dx, dy, dz, gripper
inline constexpr int kEndEffectorDim = 3;  // x, y, z
inline constexpr int kChannels = 3;        // RGB

struct Trajectory {
  int frames = 0;
  int height = 64;
  int width = 64;
  std::vector<uint8_t> pixels;     // frames x height x width x 3, RGB, row-major (HWC)
  std::vector<float> actions;      // frames x 4
  std::vector<float> endeffector;  // frames x 3

  size_t frame_bytes() const { return size_t(height) * width * kChannels; }
  const uint8_t* frame(int t) const { return pixels.data() + t * frame_bytes(); }
  bool operator==(const Trajectory& o) const {
    return frames == o.frames && height == o.height && width == o.width && pixels == o.pixels &&
           actions == o.actions && endeffector == o.endeffector;
  }
};

}  // namespace vidpred
