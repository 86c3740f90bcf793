#include "converters/synth/physics.h"

#include <algorithm>
#include <cmath>

namespace vidpred::synth {
namespace {

constexpr float kObjectBound = 0.95f;  // objects' footprints stay inside this square

void keep_on_table(Object& o) {
  float bound = kObjectBound - o.radius;
  o.pos.x = std::clamp(o.pos.x, -bound, bound);
  o.pos.y = std::clamp(o.pos.y, -bound, bound);
}

void separate_objects(std::vector<Object>& objects) {
  for (size_t i = 0; i < objects.size(); ++i) {
    for (size_t j = i + 1; j < objects.size(); ++j) {
      Vec2 apart = objects[j].pos - objects[i].pos;
      float distance = length(apart);
      float overlap = objects[i].radius + objects[j].radius - distance;
      if (overlap <= 0) continue;
      Vec2 dir = distance > 1e-5f ? apart * (1 / distance) : Vec2{1, 0};
      objects[i].pos = objects[i].pos - dir * (overlap / 2);
      objects[j].pos = objects[j].pos + dir * (overlap / 2);
    }
  }
}

}  // namespace

void push_objects(Vec3 from, Vec3 to, std::vector<Object>& objects) {
  Vec2 motion = to.xy() - from.xy();
  float travelled = length(motion);
  for (int pass = 0; pass < 3; ++pass) {
    for (Object& o : objects) {
      if (to.z >= o.height) continue;  // the fingers pass over it
      float contact = o.radius + kGripperRadius;
      Vec2 offset = o.pos - to.xy();
      float distance = length(offset);
      if (distance >= contact) continue;
      if (pass == 0 && travelled > 1e-4f) {
        // Slide along the motion until just touching: |offset + s dir| = contact.
        Vec2 dir = motion * (1 / travelled);
        float b = dot(offset, dir);
        float s = -b + std::sqrt(std::max(0.0f, b * b - distance * distance + contact * contact));
        o.pos = o.pos + dir * s;
        // An off-centre push turns the object a little.
        o.yaw += 2.0f * s * cross(dir, offset) / (contact * contact);
      } else {
        Vec2 dir = distance > 1e-5f ? offset * (1 / distance) : Vec2{0, -1};
        o.pos = to.xy() + dir * contact;
      }
    }
    separate_objects(objects);
    for (Object& o : objects) keep_on_table(o);
  }
}

}  // namespace vidpred::synth
