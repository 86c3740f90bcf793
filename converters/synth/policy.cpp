#include "converters/synth/policy.h"

#include <algorithm>
#include <cmath>

namespace vidpred::synth {
namespace {

constexpr float kMaxStep = 0.1f;   // policy's |dx|, |dy| per frame
constexpr float kMaxLift = 0.08f;  // policy's |dz| per frame
constexpr float kHoverZ = 0.3f;    // above every object, so travel does not push
constexpr float kPushZ = 0.02f;    // fingertips just above the table while pushing

float toward_height(float z, float goal) { return (goal - z) * 0.6f; }

}  // namespace

std::array<float, 4> Policy::act(const Gripper& gripper, const std::vector<Object>& objects) {
  Vec3 desired = wanders_ ? wander(gripper.pos) : push(gripper.pos, objects);
  noise_ = noise_ * 0.7f + Vec3{rng_.normal(), rng_.normal(), rng_.normal() * 0.3f} * 0.015f;
  smoothed_ = smoothed_ * 0.35f + (desired + noise_) * 0.65f;
  smoothed_.x = std::clamp(smoothed_.x, -kMaxStep, kMaxStep);
  smoothed_.y = std::clamp(smoothed_.y, -kMaxStep, kMaxStep);
  smoothed_.z = std::clamp(smoothed_.z, -kMaxLift, kMaxLift);
  if (rng_.chance(0.08f)) closing_ = !closing_;
  return {smoothed_.x, smoothed_.y, smoothed_.z, closing_ ? 1.0f : -1.0f};
}

void Policy::choose_target(Vec2 gripper, const std::vector<Object>& objects, bool nearest) {
  int n = int(objects.size());
  if (nearest) {
    auto closer = [&](const Object& a, const Object& b) {
      return length(a.pos - gripper) < length(b.pos - gripper);
    };
    target_ = int(std::min_element(objects.begin(), objects.end(), closer) - objects.begin());
  } else {
    target_ = n > 1 ? (target_ + 1 + rng_.below(n - 1)) % n : 0;
  }
  const Object& o = objects[target_];
  Vec2 goal = {rng_.uniform(-0.55f, 0.55f), rng_.uniform(-0.55f, 0.55f)};
  Vec2 to_goal = goal - o.pos;
  float distance = length(to_goal);
  if (distance < 0.15f) {
    float angle = rng_.uniform(0, kTwoPi);
    to_goal = {std::cos(angle), std::sin(angle)};
    distance = 1;
  }
  direction_ = to_goal * (1 / distance);
  push_length_ = std::clamp(distance, 0.2f, 0.5f);
  push_speed_ = rng_.uniform(0.05f, 0.09f);
  phase_ = Phase::approach;
}

Vec3 Policy::push(Vec3 g, const std::vector<Object>& objects) {
  const Object& o = objects[target_];
  float standoff = o.radius + kGripperRadius + 0.05f;
  if (phase_ == Phase::approach) {
    Vec2 behind = o.pos - direction_ * standoff;
    behind.x = std::clamp(behind.x, -kReach, kReach);
    behind.y = std::clamp(behind.y, -kReach, kReach);
    Vec2 to = behind - g.xy();
    float distance = length(to);
    if (distance < 0.06f && g.z < kPushZ + 0.05f) {
      phase_ = Phase::push;
      push_start_ = g.xy();
    }
    // Stay up until lined up behind the object, so travel does not knock things.
    float goal_z = distance > 0.18f ? kHoverZ : kPushZ;
    Vec2 v = limited(to * 0.6f, kMaxStep);
    return {v.x, v.y, toward_height(g.z, goal_z)};
  }
  if (phase_ == Phase::push) {
    // Steer onto the line through the object's centre so it goes straight.
    Vec2 off = o.pos - g.xy();
    Vec2 sideways = off - direction_ * dot(off, direction_);
    Vec2 v = direction_ * push_speed_ + sideways * 0.4f;
    float progress = dot(g.xy() - push_start_, direction_);
    bool at_edge = std::abs(g.x) > kReach - 0.02f || std::abs(g.y) > kReach - 0.02f;
    if (progress > push_length_ + 0.05f || (at_edge && progress > 0.1f)) phase_ = Phase::retreat;
    return {v.x, v.y, toward_height(g.z, kPushZ)};
  }
  // Retreat: back off a little while lifting, then go for another object.
  if (g.z > kHoverZ - 0.06f) {
    choose_target(g.xy(), objects, false);
    return push(g, objects);
  }
  Vec2 v = direction_ * -0.03f;
  return {v.x, v.y, toward_height(g.z, kHoverZ)};
}

Vec3 Policy::wander(Vec3 g) {
  if (--waypoint_frames_ <= 0 || length(waypoint_ - g) < 0.08f) {
    waypoint_ = {rng_.uniform(-0.8f, 0.8f), rng_.uniform(-0.8f, 0.8f), rng_.uniform(0, 0.35f)};
    waypoint_frames_ = 6 + rng_.below(10);
  }
  Vec2 v = limited((waypoint_ - g).xy() * 0.5f, kMaxStep);
  return {v.x, v.y, toward_height(g.z, waypoint_.z)};
}

}  // namespace vidpred::synth
