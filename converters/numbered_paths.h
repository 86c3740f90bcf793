#pragma once
// The order of BAIR's record files and trajectory folders, one rule for both
// sources so that a dataset converts in the same order from either.
#include <filesystem>
#include <vector>

namespace vidpred {

// By the first number in the file name (traj_256_to_511 before
// traj_1024_to_1279, 9 before 10), then by name.
void sort_by_number(std::vector<std::filesystem::path>& paths);

}  // namespace vidpred
