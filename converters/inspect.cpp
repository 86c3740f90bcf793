#include "converters/inspect.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <hdf5.h>

#include "converters/bair_example.h"
#include "converters/h5/layout.h"
#include "converters/png_dir_source.h"
#include "converters/tfrecord.h"
#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

struct Ranges {
  std::vector<float> lo, hi;
  explicit Ranges(int dims)
      : lo(dims, std::numeric_limits<float>::infinity()), hi(dims, -std::numeric_limits<float>::infinity()) {}
  void add(const float* values, size_t rows) {
    for (size_t r = 0; r < rows; ++r)
      for (size_t d = 0; d < lo.size(); ++d) {
        lo[d] = std::min(lo[d], values[r * lo.size() + d]);
        hi[d] = std::max(hi[d], values[r * lo.size() + d]);
      }
  }
  std::string str() const {
    std::string out;
    for (size_t d = 0; d < lo.size(); ++d) out += fmt::format("{}[{:.4g}, {:.4g}]", d ? " " : "", lo[d], hi[d]);
    return out;
  }
};

bool is_hdf5(const fs::path& path) { return H5Fis_hdf5(path.c_str()) > 0; }

bool looks_like_tfrecords(const fs::path& path) {
  if (has_tfrecord_extension(path)) return true;
  TFRecordReader reader(path);
  try {
    return reader.next().has_value();
  } catch (const RecordError&) {
    return false;
  }
}

std::string inspect_h5(const fs::path& path) {
  h5::DatasetReader reader(path);
  const auto& info = reader.info();
  std::string out = fmt::format("{}: vidpred dataset, {} trajectories\n", path.string(), reader.size());
  out += fmt::format("  frames       uint8   ({}, {}, {}, {}, 3)  compression {}\n", reader.size(), info.frames,
                     info.height, info.width, reader.compression().str());
  out += fmt::format("  actions      float32 ({}, {}, 4)\n", reader.size(), info.frames);
  out += fmt::format("  endeffector  float32 ({}, {}, 3)\n", reader.size(), info.frames);
  for (const auto& [key, value] : reader.attributes()) out += fmt::format("  @{} = {}\n", key, value);
  Ranges actions(kActionDim), positions(kEndEffectorDim);
  for (size_t i = 0; i < reader.size(); ++i) {
    actions.add(reader.actions(i), info.frames);
    positions.add(reader.endeffector(i), info.frames);
  }
  if (reader.size() > 0) {
    out += fmt::format("  action ranges      {}\n", actions.str());
    out += fmt::format("  endeffector ranges {}\n", positions.str());
    out += fmt::format("  first sample from  {} record {}\n", reader.source_file(0), reader.source_record(0));
  }
  return out;
}

std::string inspect_tfrecords(const fs::path& path) {
  TFRecordReader reader(path);
  size_t records = 0, damaged = 0;
  std::map<int, size_t> frame_counts;
  std::map<std::string, size_t> cameras;
  Ranges actions(kActionDim), positions(kEndEffectorDim);
  std::vector<std::string> problems;
  while (true) {
    std::optional<std::string_view> payload;
    try {
      payload = reader.next();
    } catch (const RecordError& e) {
      ++damaged;
      problems.push_back(e.what());
      if (!reader.recover()) break;
      continue;
    }
    if (!payload) break;
    ++records;
    try {
      auto summary = summarize_example(*payload, reader.location());
      ++frame_counts[summary.frames];
      for (const auto& c : summary.cameras) ++cameras[c];
      if (!summary.cameras.empty()) {
        auto t = trajectory_from_example(*payload, parse_camera(summary.cameras[0]), reader.location());
        actions.add(t.actions.data(), t.frames);
        positions.add(t.endeffector.data(), t.frames);
      }
    } catch (const RecordError& e) {
      ++damaged;
      problems.push_back(e.what());
    }
  }
  std::string out = fmt::format("{}: TFRecord file, {} bytes, {} records read, {} damaged\n", path.string(),
                                reader.size(), records, damaged);
  for (const auto& [frames, n] : frame_counts) out += fmt::format("  {} records of {} frames\n", n, frames);
  for (const auto& [camera, n] : cameras) out += fmt::format("  camera {}: {} records\n", camera, n);
  if (records > damaged) {
    out += fmt::format("  action ranges      {}\n", actions.str());
    out += fmt::format("  endeffector ranges {}\n", positions.str());
  }
  for (const auto& p : problems) out += fmt::format("  damaged: {}\n", p);
  return out;
}

}  // namespace

std::string inspect_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw Error(fmt::format("'{}' {}", path.string(), fs::exists(path, ec) ? "is not a file" : "does not exist"));
  }
  h5::quiet_errors();
  if (is_hdf5(path)) return inspect_h5(path);
  if (looks_like_tfrecords(path)) return inspect_tfrecords(path);
  throw Error(fmt::format("'{}' is neither an HDF5 dataset nor a TFRecord file", path.string()));
}

void dump_trajectory(const fs::path& path, size_t index, const fs::path& dir) {
  h5::quiet_errors();
  if (is_hdf5(path)) {
    h5::DatasetReader reader(path);
    write_png_dir_trajectory(reader.read(index), dir);
    return;
  }
  TFRecordReader reader(path);
  for (size_t i = 0;; ++i) {
    auto payload = reader.next();
    if (!payload) throw Error(fmt::format("'{}' has only {} records", path.string(), i));
    if (i == index) {
      auto summary = summarize_example(*payload, reader.location());
      Camera camera = summary.cameras.empty() ? Camera::aux1 : parse_camera(summary.cameras[0]);
      write_png_dir_trajectory(trajectory_from_example(*payload, camera, reader.location()), dir);
      return;
    }
  }
}

}  // namespace vidpred
