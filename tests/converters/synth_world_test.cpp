#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "converters/synth/world.h"

using namespace vidpred;
using vidpred::synth::simulate;
using vidpred::synth::WorldOptions;

namespace {

// The end-effector's bounds, as documented in world.h.
constexpr float kReach = 0.85f;
constexpr float kMaxHeight = 0.5f;

WorldOptions small(int frames, int size = 64) {
  WorldOptions o;
  o.frames = frames;
  o.size = size;
  return o;
}

double mean_abs_diff(const uint8_t* a, const uint8_t* b, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::abs(int(a[i]) - int(b[i]));
  return sum / double(n);
}

// Distance from pixel p to the segment a-b, all in pixels.
float segment_distance(float px, float py, float ax, float ay, float bx, float by) {
  float dx = bx - ax, dy = by - ay;
  float t = std::clamp(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0.0f, 1.0f);
  return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// Whether the gripper or the arm could cover pixel (u, v) of aux1 at frame t:
// aux1 looks straight down, table (x, y) in [-1, 1] fills the frame with +y
// up, and the arm reaches in from beyond the top edge (world.h).
bool near_gripper_or_arm(const Trajectory& tr, int t, float u, float v) {
  float size = float(tr.width);
  float gu = (tr.endeffector[t * 3 + 0] + 1) / 2 * size;
  float gv = (1 - tr.endeffector[t * 3 + 1]) / 2 * size;
  return segment_distance(u, v, gu, gv, size / 2, -size) < 0.15f * size;
}

// Pixels, away from the gripper and arm in both frames, whose chromaticity
// changed between the first and last frame. Shadows only scale a colour, so
// what is left is objects that moved.
int moved_object_pixels(const Trajectory& tr) {
  const int last = tr.frames - 1;
  const uint8_t* first_frame = tr.frame(0);
  const uint8_t* last_frame = tr.frame(last);
  int count = 0;
  for (int v = 0; v < tr.height; ++v) {
    for (int u = 0; u < tr.width; ++u) {
      if (near_gripper_or_arm(tr, 0, u + 0.5f, v + 0.5f) || near_gripper_or_arm(tr, last, u + 0.5f, v + 0.5f)) continue;
      const uint8_t* a = first_frame + (v * tr.width + u) * 3;
      const uint8_t* b = last_frame + (v * tr.width + u) * 3;
      float sum_a = 1.0f + a[0] + a[1] + a[2], sum_b = 1.0f + b[0] + b[1] + b[2];
      float chroma_change = std::abs(a[0] / sum_a - b[0] / sum_b) + std::abs(a[1] / sum_a - b[1] / sum_b) +
                            std::abs(a[2] / sum_a - b[2] / sum_b);
      if (chroma_change > 0.12f) ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("synth world: the same seed and index give the same bytes") {
  auto a = simulate(7, 3, small(6));
  auto b = simulate(7, 3, small(6));
  CHECK(a.aux1 == b.aux1);
  CHECK(a.main_pixels == b.main_pixels);
}

TEST_CASE("synth world: seed and index change the trajectory") {
  auto base = simulate(7, 3, small(4));
  auto other_index = simulate(7, 4, small(4));
  auto other_seed = simulate(8, 3, small(4));
  CHECK(base.aux1.pixels != other_index.aux1.pixels);
  CHECK(base.main_pixels != other_index.main_pixels);
  CHECK(base.aux1.pixels != other_seed.aux1.pixels);
  CHECK(base.main_pixels != other_seed.main_pixels);
  CHECK(base.aux1.actions != other_index.aux1.actions);
}

TEST_CASE("synth world: shapes follow the options") {
  for (auto shape : {std::pair{5, 64}, std::pair{3, 32}, std::pair{2, 16}, std::pair{1, 48}}) {
    const int frames = shape.first, size = shape.second;
    CAPTURE(frames);
    CAPTURE(size);
    auto s = simulate(1, 0, small(frames, size));
    CHECK(s.aux1.frames == frames);
    CHECK(s.aux1.height == size);
    CHECK(s.aux1.width == size);
    CHECK(s.aux1.pixels.size() == size_t(frames) * size * size * kChannels);
    CHECK(s.main_pixels.size() == s.aux1.pixels.size());
    CHECK(s.aux1.actions.size() == size_t(frames) * kActionDim);
    CHECK(s.aux1.endeffector.size() == size_t(frames) * kEndEffectorDim);
  }
  auto defaults = simulate(1, 0);
  CHECK(defaults.aux1.frames == 30);
  CHECK(defaults.aux1.width == 64);
}

TEST_CASE("synth world: actions drive the end-effector") {
  const float lo[3] = {-kReach, -kReach, 0}, hi[3] = {kReach, kReach, kMaxHeight};
  for (uint64_t index = 0; index < 8; ++index) {
    auto tr = simulate(11, index, small(30, 16)).aux1;
    for (int t = 0; t < tr.frames; ++t) {
      const float* a = &tr.actions[t * kActionDim];
      const float* p = &tr.endeffector[t * kEndEffectorDim];
      for (int d = 0; d < 3; ++d) {
        REQUIRE(std::isfinite(a[d]));
        CHECK(std::abs(a[d]) <= 0.1f + 1e-6f);
        CHECK(p[d] >= lo[d]);
        CHECK(p[d] <= hi[d]);
      }
      CHECK(std::abs(a[3]) <= 1.0f);
      if (t + 1 == tr.frames) break;
      const float* next = &tr.endeffector[(t + 1) * kEndEffectorDim];
      for (int d = 0; d < 3; ++d) {
        CHECK(next[d] == doctest::Approx(std::clamp(p[d] + a[d], lo[d], hi[d])).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("synth world: every trajectory moves") {
  for (uint64_t index = 0; index < 10; ++index) {
    CAPTURE(index);
    auto s = simulate(3, index, small(30, 32));
    const auto& tr = s.aux1;
    CHECK(mean_abs_diff(tr.frame(0), tr.frame(tr.frames - 1), tr.frame_bytes()) > 1.0);
    float travelled = 0;
    for (int t = 0; t + 1 < tr.frames; ++t) {
      travelled += std::hypot(tr.endeffector[(t + 1) * 3] - tr.endeffector[t * 3],
                              tr.endeffector[(t + 1) * 3 + 1] - tr.endeffector[t * 3 + 1]);
    }
    CHECK(travelled > 0.3f);
  }
}

TEST_CASE("synth world: the gripper pushes objects") {
  int trajectories_with_moved_objects = 0;
  for (uint64_t index = 0; index < 20; ++index) {
    auto s = simulate(5, index, small(30, 64));
    if (moved_object_pixels(s.aux1) >= 10) ++trajectories_with_moved_objects;
  }
  CHECK(trajectories_with_moved_objects >= 8);
}

TEST_CASE("synth world: the two cameras see the scene differently") {
  auto s = simulate(2, 9, small(3));
  for (int t = 0; t < 3; ++t) {
    CHECK(mean_abs_diff(s.aux1.frame(t), s.main_pixels.data() + t * s.aux1.frame_bytes(), s.aux1.frame_bytes()) >
          10.0);
  }
}
