#pragma once
// Control tasks in the synthetic world: an episode's start and a goal, for
// closed-loop control (plan, act, observe, plan again) to be scored on. A
// seed and an episode number fix both, so every dynamics, true or learned,
// plays the same episodes.
//
// reach: move the gripper over a spot on the table, 0.3 to 0.6 units from the
//   start (x and y in [-0.75, 0.75]). The gripper starts at height
//   kReachHeight, above every object, so a move at that height leaves the
//   objects where they are, as the goal image shows them.
// push: move one object so that its centre lands on a spot 0.2 to 0.35 units
//   from where it starts, the way there clear of the other objects, the spot
//   within [-0.65, 0.65] (where objects start). The gripper starts low
//   (kPushHeight, below every object's top) on the line through the object's
//   centre and the spot, on the far side from the spot, 0.05 to 0.15 units
//   from touching the object, its way clear as well. The goal image shows the
//   gripper where a straight push leaves it: just touching the object at the
//   spot, from behind, at the start's height. A planner that makes its
//   pictures look like the goal image therefore has to push. In the few
//   episodes (about 2 in 1000) where no object can be pushed so (objects in
//   corners or packed together), the object is first moved to a clear spot
//   within [-0.45, 0.45].
// Both start with the fingers open, and the goal images show them open, so
// opening actions (gripper < 0) keep the fingers as the goal shows them.
// Everything else (table, lighting, objects, the gripper's yaw) is the start
// of world index kTaskIndexBase + episode (world.h): a scene that neither the
// train nor the test split has.
#include <cstdint>
#include <string_view>
#include <vector>

#include "converters/synth/environment.h"

namespace vidpred::synth {

enum class TaskKind { reach, push };

TaskKind parse_task_kind(std::string_view name);  // "reach" | "push"; std::invalid_argument otherwise
const char* task_kind_name(TaskKind kind);

// How many actions a controller may execute in an episode: a few more than a
// straight move at the data's speed (0.1 units a frame in x and y) needs for
// the farthest goal (reach: 0.6 units; push: 0.15 to close the gap plus 0.35).
constexpr int step_budget(TaskKind kind) { return kind == TaskKind::reach ? 15 : 25; }

constexpr float kReachHeight = 0.3f;  // above the tallest object (0.2)
constexpr float kPushHeight = 0.02f;  // below the lowest object's top (0.08)

struct Task {
  TaskKind kind;
  Environment start;               // the episode's start
  std::vector<uint8_t> goal_image; // start.size()^2 x 3 RGB: the wanted end, rendered by the world
  Vec2 goal;                       // reach: the gripper's x, y target; push: the object's centre target
  int object = -1;                 // push: which of the start's objects

  // reach: |gripper.xy - goal|; push: |objects[object].pos - goal|.
  float distance(const WorldState& state) const;
  // reach: within 0.08 of the goal in both x and y; push: distance() <= 0.1.
  bool success(const WorldState& state) const;
};

// Deterministic in (kind, seed, episode, options.size).
Task make_task(TaskKind kind, uint64_t seed, uint64_t episode, const WorldOptions& options = {});

}  // namespace vidpred::synth
