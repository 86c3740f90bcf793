#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "converters/synth/tasks.h"

using namespace vidpred::synth;

namespace {

constexpr int kEpisodes = 40;

using Action = std::array<float, 4>;

// A straight line from `from` to `to` at the height the gripper has, at no
// more than the data's 0.1 units a frame in x and y, fingers kept open.
std::vector<Action> straight_moves(Vec2 from, Vec2 to) {
  Vec2 way = to - from;
  int n = int(std::ceil(std::max(std::abs(way.x), std::abs(way.y)) / 0.1f));
  Vec2 step = way * (1.0f / float(n));
  return std::vector<Action>(size_t(n), Action{step.x, step.y, 0, -1});
}

// The moves that push the task's object straight to its goal: from the
// gripper's start to the point behind the goal where gripper and object touch.
std::vector<Action> straight_push(const Task& task) {
  const Object& o = task.start.state().objects[task.object];
  Vec2 way = task.goal - o.pos;
  Vec2 dir = way * (1 / length(way));
  Vec2 end = task.goal - dir * (o.radius + kGripperRadius);
  return straight_moves(task.start.state().gripper.pos.xy(), end);
}

// Runs the task's start through `actions`; the end.
Environment played(const Task& task, const std::vector<Action>& actions) {
  Environment world = task.start;
  for (const Action& a : actions) world.step(a);
  return world;
}

double mean_abs_diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  REQUIRE(a.size() == b.size());
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(int(a[i]) - int(b[i]));
  return sum / double(a.size());
}

}  // namespace

TEST_CASE("synth tasks: a seed and an episode fix start and goal") {
  for (TaskKind kind : {TaskKind::reach, TaskKind::push}) {
    Task a = make_task(kind, 4, 9), b = make_task(kind, 4, 9), other = make_task(kind, 4, 10);
    CHECK(a.goal.x == b.goal.x);
    CHECK(a.goal.y == b.goal.y);
    CHECK(a.object == b.object);
    CHECK(a.goal_image == b.goal_image);
    CHECK(a.start.frame() == b.start.frame());
    CHECK(a.goal_image != other.goal_image);
    CHECK(a.goal_image.size() == size_t(64 * 64 * 3));
    // The world's look is that of world index kTaskIndexBase + 9, which no
    // split has: not train trajectory 9's (nor, by construction, a test one's).
    auto heights = [](const WorldState& s) {
      std::vector<float> h;
      for (const Object& o : s.objects) h.push_back(o.height);
      return h;
    };
    CHECK(heights(a.start.state()) == heights(Environment(4, kTaskIndexBase + 9).state()));
    CHECK(heights(a.start.state()) != heights(Environment(4, 9).state()));
  }
}

TEST_CASE("synth tasks: reach goals are reachable spots 0.3 to 0.6 away, over the start's objects") {
  for (uint64_t episode = 0; episode < kEpisodes; ++episode) {
    CAPTURE(episode);
    Task task = make_task(TaskKind::reach, 1, episode, {});
    const WorldState& start = task.start.state();
    CHECK(task.object == -1);
    float distance = length(task.goal - start.gripper.pos.xy());
    CHECK(distance >= 0.3f - 1e-6f);
    CHECK(distance <= 0.6f + 1e-6f);
    CHECK(task.distance(start) == doctest::Approx(distance));
    CHECK(std::abs(task.goal.x) <= 0.75f);
    CHECK(std::abs(task.goal.y) <= 0.75f);
    CHECK(start.gripper.pos.z == kReachHeight);
    for (const Object& o : start.objects) CHECK(o.height < kReachHeight);
    CHECK_FALSE(task.success(start));
  }
}

TEST_CASE("synth tasks: push goals are 0.2 to 0.35 from the object, the gripper low behind it") {
  for (uint64_t episode = 0; episode < kEpisodes; ++episode) {
    CAPTURE(episode);
    Task task = make_task(TaskKind::push, 1, episode, {});
    const WorldState& start = task.start.state();
    REQUIRE(task.object >= 0);
    REQUIRE(task.object < int(start.objects.size()));
    const Object& o = start.objects[task.object];
    Vec2 way = task.goal - o.pos;
    CHECK(length(way) >= 0.2f - 1e-6f);
    CHECK(length(way) <= 0.35f + 1e-6f);
    CHECK(task.distance(start) == doctest::Approx(length(way)));
    CHECK(std::abs(task.goal.x) <= 0.65f);
    CHECK(std::abs(task.goal.y) <= 0.65f);
    Vec2 to_object = o.pos - start.gripper.pos.xy();
    float rim_gap = length(to_object) - o.radius - kGripperRadius;
    CHECK(rim_gap >= 0.05f - 1e-5f);
    CHECK(rim_gap <= 0.15f + 1e-5f);
    // Behind the object, on the line through its centre and the goal.
    CHECK(dot(to_object, way) / (length(to_object) * length(way)) == doctest::Approx(1).epsilon(1e-4));
    CHECK(start.gripper.pos.z == kPushHeight);
    for (const Object& other : start.objects) CHECK(other.height > kPushHeight);
    CHECK_FALSE(task.success(start));
  }
}

TEST_CASE("synth tasks: a straight push within the budget succeeds and looks like the goal image") {
  for (uint64_t episode = 0; episode < kEpisodes; ++episode) {
    CAPTURE(episode);
    Task task = make_task(TaskKind::push, 2, episode, {});
    std::vector<Action> actions = straight_push(task);
    CHECK(int(actions.size()) <= step_budget(TaskKind::push));
    Environment end = played(task, actions);
    CHECK(task.success(end.state()));
    CHECK(task.distance(end.state()) < 1e-3f);
    // Nothing else was in the way.
    for (size_t j = 0; j < end.state().objects.size(); ++j) {
      if (int(j) == task.object) continue;
      CHECK(end.state().objects[j].pos.x == task.start.state().objects[j].pos.x);
      CHECK(end.state().objects[j].pos.y == task.start.state().objects[j].pos.y);
    }
    CHECK(mean_abs_diff(end.frame(), task.goal_image) < 0.05);
    CHECK(mean_abs_diff(task.start.frame(), task.goal_image) > 1.0);
  }
}

TEST_CASE("synth tasks: a straight move within the budget reaches") {
  for (uint64_t episode = 0; episode < kEpisodes; ++episode) {
    CAPTURE(episode);
    Task task = make_task(TaskKind::reach, 2, episode, {});
    std::vector<Action> actions = straight_moves(task.start.state().gripper.pos.xy(), task.goal);
    CHECK(int(actions.size()) <= step_budget(TaskKind::reach));
    Environment end = played(task, actions);
    CHECK(task.success(end.state()));
    CHECK(mean_abs_diff(end.frame(), task.goal_image) < 0.05);
    // Stopping short by 0.1 in x or y fails.
    std::vector<Action> short_of = actions;
    short_of.back()[0] -= 0.1f;
    CHECK_FALSE(task.success(played(task, short_of).state()));
  }
}

TEST_CASE("synth tasks: names") {
  CHECK(parse_task_kind("reach") == TaskKind::reach);
  CHECK(parse_task_kind(task_kind_name(TaskKind::push)) == TaskKind::push);
  CHECK_THROWS_AS(parse_task_kind("grasp"), std::invalid_argument);
}
