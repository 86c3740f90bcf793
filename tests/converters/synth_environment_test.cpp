#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "converters/synth/environment.h"
#include "converters/synth/world.h"

using namespace vidpred;
using vidpred::synth::Environment;
using vidpred::synth::WorldOptions;
using vidpred::synth::WorldState;

namespace {

WorldOptions sized(int frames, int size) {
  WorldOptions o;
  o.frames = frames;
  o.size = size;
  return o;
}

std::array<float, 4> action_at(const Trajectory& tr, int t) {
  const float* a = &tr.actions[size_t(t) * kActionDim];
  return {a[0], a[1], a[2], a[3]};
}

std::vector<uint8_t> main_frame(const Environment& env) {
  std::vector<uint8_t> rgb(size_t(env.size()) * env.size() * kChannels);
  env.render_main(rgb.data());
  return rgb;
}

bool same_state(const WorldState& a, const WorldState& b) {
  if (a.objects.size() != b.objects.size()) return false;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const auto &p = a.objects[i], &q = b.objects[i];
    if (p.pos.x != q.pos.x || p.pos.y != q.pos.y || p.yaw != q.yaw) return false;
  }
  const auto &g = a.gripper, &h = b.gripper;
  return g.pos.x == h.pos.x && g.pos.y == h.pos.y && g.pos.z == h.pos.z && g.openness == h.openness;
}

// A few frames of actions that reach down and sweep across the table, so that
// objects get pushed.
std::vector<std::array<float, 4>> sweep(int frames) {
  std::vector<std::array<float, 4>> actions;
  for (int t = 0; t < frames; ++t) actions.push_back({t % 8 < 4 ? 0.1f : -0.1f, 0.05f, -0.08f, t % 3 ? 1.0f : -1.0f});
  return actions;
}

}  // namespace

TEST_CASE("synth environment: replaying a trajectory's actions reproduces its frames and positions exactly") {
  struct Episode {
    uint64_t seed, index;
    int size;
  };
  for (const Episode& episode : {Episode{5, 0, 64}, Episode{5, 7, 32}, Episode{11, 3, 48}, Episode{2, 12, 64}}) {
    // Plain copies, not structured bindings: CAPTURE's lambda may not name a
    // binding in C++17 (clang refuses it).
    const uint64_t seed = episode.seed, index = episode.index;
    const int size = episode.size;
    CAPTURE(seed);
    CAPTURE(index);
    const auto recorded = simulate(seed, index, sized(30, size));
    const Trajectory& tr = recorded.aux1;
    Environment env(seed, index, sized(1, size));
    REQUIRE(env.size() == size);
    for (int t = 0; t < tr.frames; ++t) {
      CAPTURE(t);
      const auto& p = env.state().gripper.pos;
      CHECK(p.x == tr.endeffector[t * kEndEffectorDim + 0]);
      CHECK(p.y == tr.endeffector[t * kEndEffectorDim + 1]);
      CHECK(p.z == tr.endeffector[t * kEndEffectorDim + 2]);
      std::vector<uint8_t> expected(tr.frame(t), tr.frame(t) + tr.frame_bytes());
      REQUIRE(env.frame() == expected);
      std::vector<uint8_t> expected_main(recorded.main_pixels.begin() + t * tr.frame_bytes(),
                                         recorded.main_pixels.begin() + (t + 1) * tr.frame_bytes());
      REQUIRE(main_frame(env) == expected_main);
      env.step(action_at(tr, t));
    }
  }
}

TEST_CASE("synth environment: the same episode starts the same, others differently") {
  Environment a(3, 4), b(3, 4), other_episode(3, 5), other_seed(4, 4);
  CHECK(a.size() == 64);
  CHECK(a.frame() == b.frame());
  CHECK(same_state(a.state(), b.state()));
  CHECK(a.frame() != other_episode.frame());
  CHECK(a.frame() != other_seed.frame());
  CHECK_THROWS_AS(Environment(3, 4, sized(1, 8)), std::invalid_argument);
}

TEST_CASE("synth environment: copies are independent") {
  Environment original(9, 2);
  const WorldState before = original.state();
  const std::vector<uint8_t> first = original.frame();
  Environment copy = original;
  for (const auto& action : sweep(12)) copy.step(action);
  CHECK(!same_state(copy.state(), before));
  CHECK(same_state(original.state(), before));
  CHECK(original.frame() == first);
  CHECK(copy.frame() != first);
}

TEST_CASE("synth environment: set_state pictures any state") {
  Environment moved(6, 1);
  for (const auto& action : sweep(10)) moved.step(action);
  Environment fresh(6, 1);
  CHECK(fresh.frame() != moved.frame());
  fresh.set_state(moved.state());
  CHECK(same_state(fresh.state(), moved.state()));
  CHECK(fresh.frame() == moved.frame());
  // Stepping on from a set state follows the same rule.
  fresh.step({0.1f, -0.1f, 0.0f, 1.0f});
  moved.step({0.1f, -0.1f, 0.0f, 1.0f});
  CHECK(fresh.frame() == moved.frame());
}

TEST_CASE("synth environment: copies on different threads give what one thread gives") {
  const Environment start(8, 6, sized(1, 48));
  const auto actions = sweep(16);
  auto roll_out = [&](Environment env, std::vector<std::vector<uint8_t>>& frames) {
    for (const auto& action : actions) {
      env.step(action);
      frames.push_back(env.frame());
    }
  };
  std::vector<std::vector<uint8_t>> serial, first, second;
  roll_out(start, serial);
  std::thread a(roll_out, start, std::ref(first));
  std::thread b(roll_out, start, std::ref(second));
  a.join();
  b.join();
  CHECK(first == serial);
  CHECK(second == serial);
}
