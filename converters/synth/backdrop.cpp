#include "converters/synth/backdrop.h"

#include <algorithm>
#include <cmath>

namespace vidpred::synth {
namespace {

constexpr float kTableHalf = 1.3f;  // the table is larger than the workspace

}  // namespace

Vec3 backdrop(const TableLook& table, Vec3 eye, Vec3 ray, float focal) {
  const Vec3 wall = {178, 180, 176};
  if (ray.z > -1e-4f) return wall;
  float t = -eye.z / ray.z;
  Vec3 hit = eye + ray * t;
  // A pixel's width on the table grows with distance and with grazing angle.
  float slant = -ray.z / length(ray);
  float footprint = t / focal / std::max(slant, 0.25f);
  // The table top, its shaded edge, then the floor; borders blended over a pixel.
  constexpr float kEdgeWidth = 0.05f;
  float edge = std::max(std::abs(hit.x), std::abs(hit.y));
  auto inside = [&](float border) { return std::clamp((border - edge) / footprint + 0.5f, 0.0f, 1.0f); };
  float on_top = inside(kTableHalf), on_table = inside(kTableHalf + kEdgeWidth);
  Vec3 floor = Vec3{92, 90, 88} * (0.9f + 0.2f * value_noise(hit.x * 3, hit.y * 3, 99));
  Vec3 rim = (table.dark + table.light) * 0.3f;
  Vec3 c = lerp(floor, rim, on_table);
  if (on_top > 0) c = lerp(c, table_color(table, hit.x, hit.y, footprint), on_top);
  float haze = std::clamp((t * length(ray) - 4.0f) / 4.0f, 0.0f, 1.0f);
  return lerp(c, wall, haze);
}

}  // namespace vidpred::synth
