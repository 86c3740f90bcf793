#include "converters/synth/tasks.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace vidpred::synth {
namespace {

constexpr float kReachTolerance = 0.08f;  // in x and in y
constexpr float kPushTolerance = 0.1f;
constexpr float kReachGoalBound = 0.75f;  // where episodes start the gripper
constexpr float kPushGoalBound = 0.65f;   // where episodes start the objects
constexpr float kClearance = 0.03f;       // between things that must not touch on the way
constexpr float kRelocatedBound = 0.45f;  // where a push task may move its object first
constexpr int kAttempts = 1000;           // per round

Rng task_rng(TaskKind kind, uint64_t seed, uint64_t episode) {
  // Apart from the episode's own stream, so a task leaves the episode's start as it is.
  return Rng(splitmix64(splitmix64(splitmix64(seed ^ 0x7a5c5eedull) ^ episode) + uint64_t(kind)));
}

bool inside(Vec2 p, float bound) { return std::abs(p.x) <= bound && std::abs(p.y) <= bound; }

float segment_distance(Vec2 p, Vec2 a, Vec2 b) {
  Vec2 ab = b - a;
  float t = std::clamp(dot(p - a, ab) / dot(ab, ab), 0.0f, 1.0f);
  return length(p - (a + ab * t));
}

Vec2 unit(float angle) { return {std::cos(angle), std::sin(angle)}; }

// The first of `draw(round)`'s proposals that fits (draw returns
// std::nullopt for those that do not), trying kAttempts in each of `rounds`;
// always the same one, since the stream is the task's.
template <class Draw>
auto first_fit(Draw draw, int rounds, TaskKind kind, uint64_t seed, uint64_t episode) {
  for (int round = 0; round < rounds; ++round) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (auto found = draw(round)) return *found;
    }
  }
  throw std::runtime_error(std::string("synth task: no ") + task_kind_name(kind) + " task fits episode " +
                           std::to_string(episode) + " of seed " + std::to_string(seed) + " in " +
                           std::to_string(rounds * kAttempts) + " tries");
}

std::vector<uint8_t> picture(const Environment& world, const WorldState& state) {
  Environment pictured = world;
  pictured.set_state(state);
  return pictured.frame();
}

struct Push {
  int object;
  Vec2 from;           // the object's centre at the start
  Vec2 goal;           // the object's centre at the end
  Vec2 gripper_start;  // behind the object, not touching it
  Vec2 gripper_end;    // behind the object at the goal, touching it
};

// One random push, if the object's way, the gripper's and the goal are clear.
// `relocate`: the object starts at a random spot clear of the others instead
// of where the episode has it.
std::optional<Push> propose_push(const std::vector<Object>& objects, bool relocate, Rng& rng) {
  const int index = rng.below(int(objects.size()));
  const Object& o = objects[index];
  const Vec2 from = relocate ? Vec2{rng.uniform(-kRelocatedBound, kRelocatedBound),
                                    rng.uniform(-kRelocatedBound, kRelocatedBound)}
                             : o.pos;
  const Vec2 dir = unit(rng.uniform(0, kTwoPi));
  const float distance = rng.uniform(0.2f, 0.35f), gap = rng.uniform(0.05f, 0.15f);
  const float contact = o.radius + kGripperRadius;
  Push push{index, from, from + dir * distance, from - dir * (contact + gap), {}};
  push.gripper_end = push.goal - dir * contact;
  // The gripper's way ends between its start and the goal, so both in bounds keep it in reach.
  if (!inside(push.goal, kPushGoalBound) || !inside(push.gripper_start, kReach - 0.05f)) return std::nullopt;
  for (size_t j = 0; j < objects.size(); ++j) {
    if (int(j) == index) continue;
    const Object& other = objects[j];
    // The episode's objects may start closer than the clearance (never
    // overlapping): moving away from one is clear.
    bool moving_away = !relocate && dot(other.pos - from, dir) <= 0;
    bool object_clear =
        moving_away || segment_distance(other.pos, from, push.goal) > o.radius + other.radius + kClearance;
    bool gripper_clear = segment_distance(other.pos, push.gripper_start, push.gripper_end) >
                         kGripperRadius + other.radius + kClearance;
    if (!object_clear || !gripper_clear) return std::nullopt;
  }
  return push;
}

Task push_task(Environment start, Rng& rng, uint64_t seed, uint64_t episode) {
  WorldState state = start.state();
  // Where no object of the episode can be pushed (a few in a thousand: objects
  // in corners or packed together), one is moved to a clear spot first.
  auto propose = [&](int round) { return propose_push(state.objects, round == 1, rng); };
  Push push = first_fit(propose, 2, TaskKind::push, seed, episode);
  state.objects[push.object].pos = push.from;
  state.gripper.pos = at_height(push.gripper_start, kPushHeight);
  state.gripper.openness = 1;
  start.set_state(state);
  WorldState end = state;
  end.objects[push.object].pos = push.goal;
  end.gripper.pos = at_height(push.gripper_end, kPushHeight);
  std::vector<uint8_t> goal_image = picture(start, end);
  return Task{TaskKind::push, std::move(start), std::move(goal_image), push.goal, push.object};
}

Task reach_task(Environment start, Rng& rng, uint64_t seed, uint64_t episode) {
  WorldState state = start.state();
  state.gripper.pos.z = kReachHeight;
  state.gripper.openness = 1;
  start.set_state(state);
  const Vec2 from = state.gripper.pos.xy();
  auto propose = [&](int) -> std::optional<Vec2> {
    Vec2 goal = from + unit(rng.uniform(0, kTwoPi)) * rng.uniform(0.3f, 0.6f);
    return inside(goal, kReachGoalBound) ? std::optional(goal) : std::nullopt;
  };
  const Vec2 goal = first_fit(propose, 1, TaskKind::reach, seed, episode);
  WorldState end = state;
  end.gripper.pos = at_height(goal, kReachHeight);
  std::vector<uint8_t> goal_image = picture(start, end);
  return Task{TaskKind::reach, std::move(start), std::move(goal_image), goal};
}

}  // namespace

TaskKind parse_task_kind(std::string_view name) {
  if (name == "reach") return TaskKind::reach;
  if (name == "push") return TaskKind::push;
  throw std::invalid_argument("unknown task \"" + std::string(name) + "\" (expected reach or push)");
}

const char* task_kind_name(TaskKind kind) { return kind == TaskKind::reach ? "reach" : "push"; }

float Task::distance(const WorldState& state) const {
  Vec2 at = kind == TaskKind::reach ? state.gripper.pos.xy() : state.objects.at(size_t(object)).pos;
  return length(at - goal);
}

bool Task::success(const WorldState& state) const {
  if (kind == TaskKind::push) return distance(state) <= kPushTolerance;
  Vec2 off = state.gripper.pos.xy() - goal;
  return std::abs(off.x) <= kReachTolerance && std::abs(off.y) <= kReachTolerance;
}

Task make_task(TaskKind kind, uint64_t seed, uint64_t episode, const WorldOptions& options) {
  Environment start(seed, kTaskIndexBase + episode, options);
  Rng rng = task_rng(kind, seed, episode);
  return kind == TaskKind::reach ? reach_task(std::move(start), rng, seed, episode)
                                 : push_task(std::move(start), rng, seed, episode);
}

}  // namespace vidpred::synth
