#include "converters/synth/solids.h"

#include <cmath>

namespace vidpred::synth {

void collect_solids(const std::vector<Object>& objects, const Gripper& g, Solids& solids) {
  std::vector<Box>& boxes = solids.boxes;
  std::vector<Cylinder>& cylinders = solids.cylinders;
  boxes.clear();
  cylinders.clear();
  for (const Object& o : objects) {
    if (o.is_box) {
      float half = o.radius / kBoxRoundness;
      Vec3 along = {std::cos(o.yaw), std::sin(o.yaw), 0};
      Vec3 across = {-along.y, along.x, 0};
      boxes.push_back({at_height(o.pos, o.height / 2), {along * half, across * half, {0, 0, o.height / 2}}, o.color});
    } else {
      cylinders.push_back({at_height(o.pos, 0), o.radius, o.height, o.color});
    }
  }
  // The gripper: two fingers, a palm, a wrist and an arm reaching in from
  // behind the table. Higher up it casts a fainter shadow.
  const Vec3 finger_color = {52, 52, 58}, palm_color = {85, 88, 95}, arm_color = {175, 172, 168};
  uint8_t gripper_shadow = uint8_t(230 - 110 * (g.pos.z / kMaxHeight));
  Vec3 along = {std::cos(g.yaw), std::sin(g.yaw), 0};
  Vec3 across = {-along.y, along.x, 0};
  Vec3 up = {0, 0, 1};
  // The palm is narrower than the open fingers, so the top view shows them.
  float spread = 0.05f + 0.05f * g.openness;
  for (float side : {-1.0f, 1.0f}) {
    Vec3 center = g.pos + along * (side * spread) + up * 0.07f;
    boxes.push_back({center, {along * 0.024f, across * 0.05f, up * 0.07f}, finger_color, gripper_shadow});
  }
  boxes.push_back({g.pos + up * 0.16f, {along * 0.075f, across * 0.03f, up * 0.025f}, palm_color, gripper_shadow});
  boxes.push_back({g.pos + up * 0.3f, {along * 0.04f, across * 0.03f, up * 0.12f}, palm_color, gripper_shadow});
  // The arm, in a few segments so the back-to-front order stays right along it.
  const Vec3 shoulder = {0.0f, 1.9f, 1.3f};
  Vec3 wrist = g.pos + up * 0.42f;
  constexpr int kSegments = 2;
  for (int i = 0; i < kSegments; ++i) {
    Vec3 a = lerp(wrist, shoulder, float(i) / kSegments);
    Vec3 b = lerp(wrist, shoulder, float(i + 1) / kSegments);
    Vec3 axis = (b - a) * 0.5f;
    Vec3 side = normalized(cross(axis, up)) * 0.035f;
    Vec3 top = normalized(cross(side, axis)) * 0.035f;
    boxes.push_back({(a + b) * 0.5f, {side, top, axis * 1.08f}, arm_color, 150});
  }
}

}  // namespace vidpred::synth
