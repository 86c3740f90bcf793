#pragma once
// The built-in synthetic BAIR: a deterministic little pushing world, so that
// the whole project runs without the 30 GB download. A textured table seen from
// above, a gripper drawn at the end-effector position, a few coloured objects
// that the gripper pushes when it touches them, with shading and occlusion.
// Actions (dx, dy, dz, gripper) drive the end-effector, so frames depend on the
// conditioning and a model can learn the dynamics.
#include <cstdint>
#include <vector>

#include "converters/trajectory.h"

namespace vidpred::synth {

struct WorldOptions {
  int frames = 30;
  int size = 64;  // frames are size x size RGB
};

struct SynthTrajectory {
  Trajectory aux1;                  // the default camera: frames, actions, end-effector
  std::vector<uint8_t> main_pixels; // the same scene from the second camera
};

// An Environment (environment.h) driven by a scripted policy (policy.h).
// Fully determined by (seed, index): the same arguments give the same bytes,
// whatever thread or order trajectories are generated in. The table's look
// depends on the seed only (one lab, one table); the rest on both.
//
// Units: the table top is the plane z = 0. aux1 looks straight down and its
// frame shows table x, y in [-1, 1]: pixel ((x + 1) / 2 * size, (1 - y) / 2 * size),
// +y at the top; the robot's arm reaches in from beyond that top edge. main
// looks obliquely from the front-right with its own lighting.
//   endeffector[t] = (x, y, z) of the fingertips; x, y in [-0.85, 0.85], z in [0, 0.5].
//   actions[t] = (dx, dy, dz, gripper); |dx|, |dy| <= 0.1, |dz| <= 0.08;
//     gripper > 0 closes the fingers, < 0 opens them (the policy emits +-1).
//   action[t] acts at frame t: endeffector[t + 1] = clamp(endeffector[t] + action[t][0..2])
//     into the bounds above; frame t shows the state at endeffector[t]; the
//     last frame's action is generated but has no next state.
// Objects (2 to 4 discs and boxes, radius 0.12 to 0.19, height 0.08 to 0.2) are
// pushed when the fingertips are below their top and within 0.13 of their rim.
// Throws std::invalid_argument unless frames >= 1 and size >= 16.
SynthTrajectory simulate(uint64_t seed, uint64_t index, const WorldOptions& options = {});

// The parts of simulate()'s index space each use draws its scenes from, so
// that no two share one: the train split from 0, the test split from
// kTestIndexBase, control episodes (tasks.h) from kTaskIndexBase. A model is
// never tested or controlled in a scene it was trained on.
constexpr uint64_t kTestIndexBase = uint64_t(1) << 40;
constexpr uint64_t kTaskIndexBase = uint64_t(1) << 41;

}  // namespace vidpred::synth
