#include "converters/synth/environment.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "converters/synth/camera.h"
#include "converters/synth/physics.h"
#include "converters/synth/render.h"
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

int checked_size(const WorldOptions& options) {
  if (options.size < 16) {
    throw std::invalid_argument("synth world: need size >= 16, got " + std::to_string(options.size));
  }
  return options.size;
}

}  // namespace

struct Environment::Cameras {
  View top, side;
};

Rng episode_rng(uint64_t seed, uint64_t episode) { return Rng(splitmix64(splitmix64(seed) ^ episode)); }

Environment::Environment(uint64_t seed, uint64_t episode, const WorldOptions& options)
    : size_(checked_size(options)) {
  Rng rng = episode_rng(seed, episode);
  draw_start(seed, rng);
}

Environment::Environment(uint64_t seed, Rng& rng, const WorldOptions& options) : size_(checked_size(options)) {
  draw_start(seed, rng);
}

void Environment::draw_start(uint64_t seed, Rng& rng) {
  // The table belongs to the seed (one lab, one table); everything else to the episode.
  Rng lab(splitmix64(seed ^ 0x7ab1e5eedull));
  TableLook table = random_table(lab);
  table.offset = {rng.uniform(-5, 5), rng.uniform(-5, 5)};

  float brightness = rng.uniform(0.93f, 1.07f);
  Exposure top_exposure{Vec3{1.0f, 1.0f, 1.03f} * brightness, {-0.1f, -0.1f}, 0.06f, float(size_)};
  Exposure side_exposure{Vec3{1.08f, 0.99f, 0.86f} * brightness, {0.14f, 0.06f}, 0.16f, float(size_)};
  // aux1 looks straight down from high up, so [-1, 1] at z = 0 fills the frame;
  // main looks from the front-right, across the table towards the robot.
  constexpr float kTopHeight = 4;
  PinholeCamera top =
      PinholeCamera::look_at({0, 0, kTopHeight}, {0, 0, 0}, {0, 1, 0}, size_ * kTopHeight / 2, size_);
  PinholeCamera side =
      PinholeCamera::look_at({0.95f, -2.3f, 2.0f}, {0.0f, 0.15f, 0.0f}, {0, 0, 1}, size_ * 1.45f, size_);
  cameras_ = std::make_shared<const Cameras>(
      Cameras{View(top, top_exposure, table, size_), View(side, side_exposure, table, size_)});

  state_.objects = random_objects(rng);
  Gripper& gripper = state_.gripper;
  gripper.pos = {rng.uniform(-0.75f, 0.75f), rng.uniform(-0.75f, 0.75f), rng.uniform(0.05f, 0.35f)};
  gripper.openness = rng.uniform(0, 1);
  gripper.yaw = rng.uniform(-0.4f, 0.4f);
  push_objects(gripper.pos, gripper.pos, state_.objects);  // nothing starts inside anything
}

void Environment::step(const std::array<float, 4>& action) {
  Gripper& gripper = state_.gripper;
  Vec3 next = {std::clamp(gripper.pos.x + action[0], -kReach, kReach),
               std::clamp(gripper.pos.y + action[1], -kReach, kReach),
               std::clamp(gripper.pos.z + action[2], 0.0f, kMaxHeight)};
  push_objects(gripper.pos, next, state_.objects);
  gripper.pos = next;
  float open_goal = action[3] > 0 ? 0.0f : 1.0f;
  gripper.openness += 0.5f * (open_goal - gripper.openness);
}

void Environment::render(uint8_t* rgb) const { cameras_->top.render(state_.objects, state_.gripper, rgb); }

void Environment::render_main(uint8_t* rgb) const { cameras_->side.render(state_.objects, state_.gripper, rgb); }

std::vector<uint8_t> Environment::frame() const {
  std::vector<uint8_t> rgb(size_t(size_) * size_ * 3);
  render(rgb.data());
  return rgb;
}

}  // namespace vidpred::synth
