#pragma once
// What a camera sees of the room: the table, its edge, the floor around it,
// and (above the horizon) a wall.
#include "converters/synth/textures.h"
#include "converters/synth/vec.h"

namespace vidpred::synth {

// The colour a ray from `eye` sees when it misses every solid. `ray` has unit
// depth along the camera's axis, so eye + ray * t lies at depth t.
Vec3 backdrop(const TableLook& table, Vec3 eye, Vec3 ray, float focal);

}  // namespace vidpred::synth
