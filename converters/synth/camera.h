#pragma once
// The synthetic world's cameras: a pinhole looking at the table, and its
// exposure. Pixel coordinates are continuous with pixel (i, j) covering
// [i, i+1) x [j, j+1).
#include "converters/synth/vec.h"

namespace vidpred::synth {

// Not vidpred::Camera (which of BAIR's cameras a record's frames come from):
// the geometry of one view.
struct PinholeCamera {
  Vec3 eye, right, down, forward;
  float focal = 1, center = 0;

  static PinholeCamera look_at(Vec3 eye, Vec3 target, Vec3 up, float focal, int size) {
    PinholeCamera c;
    c.eye = eye;
    c.forward = normalized(target - eye);
    c.right = normalized(cross(c.forward, up));
    c.down = cross(c.forward, c.right);
    c.focal = focal;
    c.center = size * 0.5f;
    return c;
  }
  Vec2 project(Vec3 p) const {
    Vec3 q = p - eye;
    float depth = dot(q, forward);
    return {center + focal * dot(q, right) / depth, center + focal * dot(q, down) / depth};
  }
  Vec3 ray(float u, float v) const {
    return forward + right * ((u - center) / focal) + down * ((v - center) / focal);
  }
  float distance(Vec3 p) const { return length(p - eye); }
};

// Each camera has its own exposure: a colour tint, a brightness slope across
// the image and a vignette, so the two views are lit differently.
struct Exposure {
  Vec3 tint{1, 1, 1};
  Vec2 slope;
  float vignette = 0;
  float size = 64;

  Vec3 gain(Vec2 pixel) const {
    float nu = pixel.x / size * 2 - 1, nv = pixel.y / size * 2 - 1;
    return tint * (1 + slope.x * nu + slope.y * nv - vignette * (nu * nu + nv * nv));
  }
};

}  // namespace vidpred::synth
