#pragma once
// `vidpred inspect`: what a .h5 split or a .tfrecords file holds.
#include <filesystem>
#include <string>

namespace vidpred {

// A readable report: counts, shapes, layout attributes, value ranges.
// Throws an Error naming the file when it is neither a vidpred .h5 nor TFRecords.
std::string inspect_file(const std::filesystem::path& path);

// Writes trajectory `index` in the processed layout (PNG frames + CSVs) to `dir`.
void dump_trajectory(const std::filesystem::path& path, size_t index, const std::filesystem::path& dir);

}  // namespace vidpred
