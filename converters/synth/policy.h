#pragma once
// The policy: pick an object and a spot on the table to push it towards, fly
// over to just behind it, go down, push through, lift, repeat. A fraction of
// trajectories wander between random waypoints instead (bumping into things
// when they happen to be low). Noise and low-pass filtering keep it smooth.
#include <array>
#include <vector>

#include "converters/synth/random.h"
#include "converters/synth/scene.h"

namespace vidpred::synth {

class Policy {
 public:
  Policy(Rng& rng, bool wanders) : rng_(rng), wanders_(wanders) {}

  // This frame's (dx, dy, dz, gripper).
  std::array<float, 4> act(const Gripper& gripper, const std::vector<Object>& objects);

  void choose_target(Vec2 gripper, const std::vector<Object>& objects, bool nearest);

 private:
  enum class Phase { approach, push, retreat };

  Vec3 push(Vec3 g, const std::vector<Object>& objects);
  Vec3 wander(Vec3 g);

  Rng& rng_;
  bool wanders_;
  Phase phase_ = Phase::approach;
  int target_ = 0;
  Vec2 direction_{1, 0};
  float push_length_ = 0.3f, push_speed_ = 0.07f;
  Vec2 push_start_;
  Vec3 waypoint_;
  int waypoint_frames_ = 0;
  Vec3 noise_, smoothed_;
  bool closing_ = false;
};

}  // namespace vidpred::synth
