#pragma once
// The synthetic world's state: the objects on the table and the gripper.
//
// Units. Table coordinates: the table top is the plane z = 0, x to the right
// and y away from the main camera; the aux1 camera looks straight down and
// sees x, y in [-1, 1] (+y at the top of its image). Heights use the same unit.
// One table unit is size/2 pixels in aux1, so a 0.1 step is 3.2 px at 64x64.
#include "converters/synth/vec.h"

namespace vidpred::synth {

constexpr float kReach = 0.85f;          // end-effector x, y clamp: [-kReach, kReach]
constexpr float kMaxHeight = 0.5f;       // end-effector z clamp: [0, kMaxHeight]
constexpr float kGripperRadius = 0.13f;  // the gripper's footprint for pushing

struct Object {
  bool is_box = false;
  Vec2 pos;
  float radius = 0;  // for pushing; a box's half side is radius / kBoxRoundness
  float height = 0;
  float yaw = 0;
  Vec3 color;
};
constexpr float kBoxRoundness = 1.2f;  // boxes collide like a circle a bit past their sides

struct Gripper {
  Vec3 pos;             // fingertips
  float openness = 1;   // 1: fully open, 0: closed
  float yaw = 0;        // the direction the fingers open along
};

}  // namespace vidpred::synth
