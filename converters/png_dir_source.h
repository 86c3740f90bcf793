#pragma once
// The "processed" layout that users of the reference already have:
// ROOT/<split>/<A>/<B>/{0..N-1}.png + actions.csv + endeffector_positions.csv
// (one CSV row of floats per frame).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <cstdint>
#include <vector>

#include "converters/trajectory_source.h"

namespace vidpred {

inline constexpr const char* kActionsCsv = "actions.csv";
inline constexpr const char* kEndEffectorCsv = "endeffector_positions.csv";

std::unique_ptr<TrajectorySource> open_png_dir_source(const std::filesystem::path& root,
                                                      const std::string& split);

// Parses CSV text of `columns` floats per row; errors name `file` and the line.
std::vector<float> parse_float_csv(std::string_view text, int columns, const std::string& file);

// The frames of a trajectory folder, 0.png .. N-1.png: N (0 without a 0.png).
// A gap or a PNG that is not a numbered frame is an error naming it.
int count_numbered_frames(const std::filesystem::path& dir);

// Frame `index` (DIR/<index>.png) as RGB bytes; an image that is not
// height x width, or not an image, is an error naming the file.
std::vector<uint8_t> read_numbered_frame(const std::filesystem::path& dir, int index, int height, int width);

// A CSV file of `columns` floats per row; errors name the file and the line.
std::vector<float> read_float_csv(const std::filesystem::path& file, int columns);

// Writes one trajectory in the processed layout (frames as PNG, the two CSVs).
void write_png_dir_trajectory(const Trajectory& trajectory, const std::filesystem::path& dir);

}  // namespace vidpred
