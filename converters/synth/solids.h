#pragma once
// The scene as the convex solids the renderer draws.
#include <array>
#include <cstdint>
#include <vector>

#include "converters/synth/scene.h"

namespace vidpred::synth {

struct Box {
  Vec3 center;
  std::array<Vec3, 3> half;  // half-extent vectors; half[2] points up
  Vec3 color;
  uint8_t shadow = 255;      // how dark a shadow it casts
};

struct Cylinder {
  Vec3 base;
  float radius = 0, height = 0;
  Vec3 color;
};

struct Solids {
  std::vector<Box> boxes;
  std::vector<Cylinder> cylinders;
};

// Replaces `solids` with the objects and the gripper; reuses their storage,
// since this runs for every frame of every view.
void collect_solids(const std::vector<Object>& objects, const Gripper& gripper, Solids& solids);

}  // namespace vidpred::synth
