#pragma once
#include <filesystem>
#include <memory>

#include "converters/bair_example.h"
#include "converters/trajectory_source.h"

namespace vidpred {

// Every *.tfrecords file of `dir`, sorted by the first number in the name
// (traj_256_to_511 before traj_1000_to_1255), records in file order.
std::unique_ptr<TrajectorySource> open_tfrecord_source(const std::filesystem::path& root,
                                                       const std::string& split, Camera camera);

std::vector<std::filesystem::path> sorted_tfrecord_files(const std::filesystem::path& dir);

}  // namespace vidpred
