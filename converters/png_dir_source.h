#pragma once
// The "processed" layout that users of the reference already have:
// ROOT/<split>/<A>/<B>/{0..N-1}.png + actions.csv + endeffector_positions.csv
// (one CSV row of floats per frame).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "converters/trajectory_source.h"

namespace vidpred {

std::unique_ptr<TrajectorySource> open_png_dir_source(const std::filesystem::path& root,
                                                      const std::string& split);

// Parses CSV text of `columns` floats per row; errors name `file` and the line.
std::vector<float> parse_float_csv(std::string_view text, int columns, const std::string& file);

// Writes one trajectory in the processed layout (frames as PNG, the two CSVs).
void write_png_dir_trajectory(const Trajectory& trajectory, const std::filesystem::path& dir);

}  // namespace vidpred
