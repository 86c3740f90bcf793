#pragma once
// Kinematic pushing. The gripper never yields; objects it touches while low
// slide out of its way along its motion, then objects separate from each
// other and are kept on the table.
#include <vector>

#include "converters/synth/scene.h"

namespace vidpred::synth {

// Moves `objects` for the fingertips going from `from` to `to`.
void push_objects(Vec3 from, Vec3 to, std::vector<Object>& objects);

}  // namespace vidpred::synth
