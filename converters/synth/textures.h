#pragma once
// Procedural table textures, value noise on a hashed lattice: the lab's table
// top, wood or laminate.
#include <cstdint>

#include "converters/synth/random.h"
#include "converters/synth/vec.h"

namespace vidpred::synth {

// Smooth noise in [0, 1], one lattice cell per unit of x and y.
float value_noise(float x, float y, uint32_t salt);

struct TableLook {
  bool wood = true;
  Vec3 dark, light;
  float cos_angle = 1, sin_angle = 0;
  float plank_width = 0.35f, grain_frequency = 6;
  Vec2 offset;
  uint32_t salt = 0;
};

TableLook random_table(Rng& rng);

// The table's colour at table point (x, y), seen by a pixel whose footprint
// on the table is `footprint` wide.
Vec3 table_color(const TableLook& t, float x, float y, float footprint);

}  // namespace vidpred::synth
