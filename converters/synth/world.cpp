#include "converters/synth/world.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "converters/synth/environment.h"
#include "converters/synth/policy.h"

namespace vidpred::synth {
namespace {

void store(Vec3 v, float* out) {
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
}

}  // namespace

SynthTrajectory simulate(uint64_t seed, uint64_t index, const WorldOptions& options) {
  if (options.frames < 1 || options.size < 16) throw std::invalid_argument("synth world: need frames >= 1, size >= 16");
  const int frames = options.frames, size = options.size;

  // One random stream: the world's start draws from it first, then the policy.
  Rng rng = episode_rng(seed, index);
  Environment world(seed, rng, options);
  const WorldState& state = world.state();
  Policy policy(rng, rng.chance(0.15f));
  policy.choose_target(state.gripper.pos.xy(), state.objects, rng.chance(0.7f));

  SynthTrajectory out;
  Trajectory& traj = out.aux1;
  traj.frames = frames;
  traj.height = traj.width = size;
  traj.pixels.resize(size_t(frames) * traj.frame_bytes());
  traj.actions.resize(size_t(frames) * kActionDim);
  traj.endeffector.resize(size_t(frames) * kEndEffectorDim);
  out.main_pixels.resize(traj.pixels.size());

  for (int t = 0; t < frames; ++t) {
    store(state.gripper.pos, &traj.endeffector[size_t(t) * kEndEffectorDim]);
    world.render(&traj.pixels[t * traj.frame_bytes()]);
    world.render_main(&out.main_pixels[t * traj.frame_bytes()]);

    std::array<float, 4> action = policy.act(state.gripper, state.objects);
    std::copy(action.begin(), action.end(), &traj.actions[size_t(t) * kActionDim]);
    world.step(action);
  }
  return out;
}

}  // namespace vidpred::synth
