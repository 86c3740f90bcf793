#pragma once
// The synthetic world as an environment: its state, its rule and its cameras
// in one place. simulate() is an Environment driven by a scripted policy;
// planners and control loops drive one with their own actions, copy it to try
// action sequences in the true world, and set its state to picture goals.
// Units and bounds as in world.h.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "converters/synth/random.h"
#include "converters/synth/scene.h"
#include "converters/synth/world.h"

namespace vidpred::synth {

struct WorldState {
  Gripper gripper;
  std::vector<Object> objects;
};

// The random stream of episode (seed, episode): the start's draws come first,
// then simulate()'s policy's.
Rng episode_rng(uint64_t seed, uint64_t episode);

// Copies are cheap and independent: the state is copied, the cameras (fixed at
// construction) are shared read-only. Different copies, or the const members
// of one, may be used on different threads.
class Environment {
 public:
  // The start of episode (seed, episode): simulate(seed, episode)'s first
  // state and frame, same table, lighting, objects and gripper. Only
  // options.size matters; throws std::invalid_argument unless it is >= 16.
  Environment(uint64_t seed, uint64_t episode, const WorldOptions& options = {});
  // The same start drawn from `rng` = episode_rng(seed, episode), which is
  // left where the start's draws end, for simulate()'s policy to continue.
  Environment(uint64_t seed, Rng& rng, const WorldOptions& options);

  // The world's rule for one frame's action (dx, dy, dz, gripper): the
  // fingertips move to clamp(pos + (dx, dy, dz)) within [-kReach, kReach]^2 x
  // [0, kMaxHeight], pushing the objects on their way; the fingers go halfway
  // towards closed if gripper > 0, else towards open.
  void step(const std::array<float, 4>& action);

  // The current state as a size() x size() RGB frame (HWC): the aux1 camera,
  // looking straight down, which datasets and models use.
  void render(uint8_t* rgb) const;
  std::vector<uint8_t> frame() const;
  // The same from the second (main) camera, obliquely from the front-right.
  void render_main(uint8_t* rgb) const;

  const WorldState& state() const { return state_; }
  void set_state(const WorldState& state) { state_ = state; }
  int size() const { return size_; }

 private:
  struct Cameras;  // keeps OpenCV out of this header

  // The cameras and the state, in simulate()'s order of random draws.
  void draw_start(uint64_t seed, Rng& rng);

  int size_;
  std::shared_ptr<const Cameras> cameras_;
  WorldState state_;
};

}  // namespace vidpred::synth
