#include "converters/synth/textures.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace vidpred::synth {
namespace {

uint32_t hash2(int x, int y, uint32_t salt) {
  uint32_t h = uint32_t(x) * 0x8da6b343u ^ uint32_t(y) * 0xd8163841u ^ salt * 0xcb1ab31fu;
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  h *= 0x297a2d39u;
  return h ^ (h >> 15);
}
float hash_unit(int x, int y, uint32_t salt) { return float(hash2(x, y, salt) >> 8) * (1.0f / 16777216.0f); }

// Texture detail finer than a pixel's footprint (in table units) fades to its
// average instead of aliasing: one sample a pixel is then enough.
float detail(float frequency, float footprint) { return std::clamp(1.0f - 0.8f * frequency * footprint, 0.0f, 1.0f); }

Vec3 wood_color(const TableLook& t, float u, float v, float footprint) {
  float across_planks = v / t.plank_width;
  float plank = std::floor(across_planks);
  float within = across_planks - plank;
  int plank_id = int(plank);
  float tone = 0.88f + 0.24f * hash_unit(plank_id, 1, t.salt);
  float stagger = 37.0f * hash_unit(plank_id, 2, t.salt);
  float warp = value_noise(u * 1.3f + stagger, v * 2.0f, t.salt);
  float grain = 0.5f + 0.5f * detail(t.grain_frequency, footprint) *
                           std::sin(kTwoPi * (v * t.grain_frequency + 2.5f * warp));
  constexpr float kFibreFrequency = 14;
  float fibre = 0.5f + detail(kFibreFrequency, footprint) *
                           (value_noise(u * 3.0f + stagger, v * kFibreFrequency, t.salt + 1) - 0.5f);
  Vec3 c = lerp(t.dark, t.light, 0.55f * grain * grain + 0.45f * fibre) * tone;
  // How much of the pixel the dark gap between planks covers.
  constexpr float kSeamHalfWidth = 0.012f;
  float to_seam = std::min(within, 1 - within) * t.plank_width;
  float seam = std::clamp((kSeamHalfWidth + footprint / 2 - to_seam) / footprint, 0.0f, 1.0f) *
               std::min(1.0f, 2 * kSeamHalfWidth / footprint);
  return c * (1 - 0.4f * seam);
}

Vec3 laminate_color(const TableLook& t, float u, float v, float footprint) {
  float mottle = 0.6f * value_noise(u * 2.5f, v * 2.5f, t.salt) +
                 0.4f * (0.5f + detail(7, footprint) * (value_noise(u * 7, v * 7, t.salt + 1) - 0.5f));
  constexpr float kSpeckFrequency = 14;
  float speck = std::clamp((value_noise(u * kSpeckFrequency, v * kSpeckFrequency, t.salt + 2) - 0.72f) * 12, 0.0f, 1.0f);
  speck = 0.15f + detail(kSpeckFrequency, footprint) * (speck - 0.15f);
  return lerp(t.dark, t.light, mottle) * (1 - 0.2f * speck);
}

}  // namespace

float value_noise(float x, float y, uint32_t salt) {
  float fx = std::floor(x), fy = std::floor(y);
  int ix = int(fx), iy = int(fy);
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  float a = hash_unit(ix, iy, salt), b = hash_unit(ix + 1, iy, salt);
  float c = hash_unit(ix, iy + 1, salt), d = hash_unit(ix + 1, iy + 1, salt);
  return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

TableLook random_table(Rng& rng) {
  static constexpr std::array<std::array<Vec3, 2>, 3> kWoods = {{
      {{{150, 105, 65}, {205, 165, 115}}},  // oak
      {{{85, 55, 35}, {145, 100, 65}}},     // walnut
      {{{180, 150, 112}, {228, 205, 165}}}, // birch
  }};
  static constexpr std::array<std::array<Vec3, 2>, 3> kLaminates = {{
      {{{105, 112, 125}, {160, 168, 178}}},  // grey-blue
      {{{110, 100, 90}, {175, 165, 150}}},   // taupe
      {{{75, 80, 78}, {125, 132, 128}}},     // dark slate
  }};
  TableLook t;
  t.wood = rng.chance(0.6f);
  const auto& palette = (t.wood ? kWoods : kLaminates)[rng.below(3)];
  Vec3 jitter = {rng.uniform(0.92f, 1.08f), rng.uniform(0.92f, 1.08f), rng.uniform(0.92f, 1.08f)};
  t.dark = palette[0] * jitter;
  t.light = palette[1] * jitter;
  float angle = rng.uniform(0, kTwoPi);
  t.cos_angle = std::cos(angle);
  t.sin_angle = std::sin(angle);
  t.plank_width = rng.uniform(0.28f, 0.5f);
  t.grain_frequency = rng.uniform(4, 8);
  t.salt = uint32_t(rng.next());
  return t;
}

Vec3 table_color(const TableLook& t, float x, float y, float footprint) {
  float u = t.cos_angle * x + t.sin_angle * y + t.offset.x;
  float v = -t.sin_angle * x + t.cos_angle * y + t.offset.y;
  return t.wood ? wood_color(t, u, v, footprint) : laminate_color(t, u, v, footprint);
}

}  // namespace vidpred::synth
