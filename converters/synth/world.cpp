#include "converters/synth/world.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "converters/synth/camera.h"
#include "converters/synth/physics.h"
#include "converters/synth/policy.h"
#include "converters/synth/random.h"
#include "converters/synth/render.h"
#include "converters/synth/scene.h"
#include "converters/synth/textures.h"

namespace vidpred::synth {
namespace {

std::vector<Object> random_objects(Rng& rng) {
  static constexpr std::array<Vec3, 8> kPalette = {{
      {205, 40, 40}, {40, 165, 70}, {45, 85, 215}, {235, 200, 40},
      {150, 60, 190}, {245, 125, 30}, {40, 190, 200}, {235, 235, 230},
  }};
  std::array<int, kPalette.size()> colors;
  for (size_t i = 0; i < colors.size(); ++i) colors[i] = int(i);
  std::vector<Object> objects(2 + rng.below(3));
  for (size_t i = 0; i < objects.size(); ++i) {
    std::swap(colors[i], colors[i + rng.below(int(colors.size() - i))]);  // no repeated colours
    Object& o = objects[i];
    o.is_box = rng.chance(0.45f);
    o.radius = rng.uniform(0.12f, 0.19f);
    o.height = rng.uniform(0.08f, 0.2f);
    o.yaw = rng.uniform(0, kTwoPi);
    o.color = kPalette[colors[i]] * rng.uniform(0.9f, 1.05f);
    // Rejection sampling for a free spot; the physics below cleans up if none is found.
    for (int attempt = 0; attempt < 30; ++attempt) {
      o.pos = {rng.uniform(-0.65f, 0.65f), rng.uniform(-0.65f, 0.65f)};
      bool free = true;
      for (size_t j = 0; j < i; ++j) {
        free = free && length(objects[j].pos - o.pos) > objects[j].radius + o.radius + 0.06f;
      }
      if (free) break;
    }
  }
  return objects;
}

void store(Vec3 v, float* out) {
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
}

}  // namespace

SynthTrajectory simulate(uint64_t seed, uint64_t index, const WorldOptions& options) {
  if (options.frames < 1 || options.size < 16) throw std::invalid_argument("synth world: need frames >= 1, size >= 16");
  const int frames = options.frames, size = options.size;

  // The table belongs to the seed (one lab, one table); everything else to the trajectory.
  Rng lab(splitmix64(seed ^ 0x7ab1e5eedull));
  Rng rng(splitmix64(splitmix64(seed) ^ index));
  TableLook table = random_table(lab);
  table.offset = {rng.uniform(-5, 5), rng.uniform(-5, 5)};

  float brightness = rng.uniform(0.93f, 1.07f);
  Exposure top_exposure{Vec3{1.0f, 1.0f, 1.03f} * brightness, {-0.1f, -0.1f}, 0.06f, float(size)};
  Exposure side_exposure{Vec3{1.08f, 0.99f, 0.86f} * brightness, {0.14f, 0.06f}, 0.16f, float(size)};
  // aux1 looks straight down from high up, so [-1, 1] at z = 0 fills the frame;
  // main looks from the front-right, across the table towards the robot.
  constexpr float kTopHeight = 4;
  PinholeCamera top = PinholeCamera::look_at({0, 0, kTopHeight}, {0, 0, 0}, {0, 1, 0}, size * kTopHeight / 2, size);
  PinholeCamera side = PinholeCamera::look_at({0.95f, -2.3f, 2.0f}, {0.0f, 0.15f, 0.0f}, {0, 0, 1}, size * 1.45f, size);
  View top_view(top, top_exposure, table, size);
  View side_view(side, side_exposure, table, size);

  std::vector<Object> objects = random_objects(rng);
  Gripper gripper;
  gripper.pos = {rng.uniform(-0.75f, 0.75f), rng.uniform(-0.75f, 0.75f), rng.uniform(0.05f, 0.35f)};
  gripper.openness = rng.uniform(0, 1);
  gripper.yaw = rng.uniform(-0.4f, 0.4f);
  push_objects(gripper.pos, gripper.pos, objects);  // nothing starts inside anything

  Policy policy(rng, rng.chance(0.15f));
  policy.choose_target(gripper.pos.xy(), objects, rng.chance(0.7f));

  SynthTrajectory out;
  Trajectory& traj = out.aux1;
  traj.frames = frames;
  traj.height = traj.width = size;
  traj.pixels.resize(size_t(frames) * traj.frame_bytes());
  traj.actions.resize(size_t(frames) * kActionDim);
  traj.endeffector.resize(size_t(frames) * kEndEffectorDim);
  out.main_pixels.resize(traj.pixels.size());

  for (int t = 0; t < frames; ++t) {
    store(gripper.pos, &traj.endeffector[size_t(t) * kEndEffectorDim]);
    top_view.render(objects, gripper, &traj.pixels[t * traj.frame_bytes()]);
    side_view.render(objects, gripper, &out.main_pixels[t * traj.frame_bytes()]);

    std::array<float, 4> action = policy.act(gripper, objects);
    std::copy(action.begin(), action.end(), &traj.actions[size_t(t) * kActionDim]);
    Vec3 next = {std::clamp(gripper.pos.x + action[0], -kReach, kReach),
                 std::clamp(gripper.pos.y + action[1], -kReach, kReach),
                 std::clamp(gripper.pos.z + action[2], 0.0f, kMaxHeight)};
    push_objects(gripper.pos, next, objects);
    gripper.pos = next;
    float open_goal = action[3] > 0 ? 0.0f : 1.0f;
    gripper.openness += 0.5f * (open_goal - gripper.openness);
  }
  return out;
}

}  // namespace vidpred::synth
