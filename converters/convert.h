#pragma once
// `vidpred convert`: BAIR TFRecords (or the processed PNG layout) to one
// chunked HDF5 file per split. Records are read in order, decoded and
// compressed on all cores, and written in input order, so the output does not
// depend on the thread count. Nothing appears under a final name until every
// split is complete.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "converters/bair_example.h"
#include "converters/h5/layout.h"
#include "pipeline/core/cancel.h"

namespace vidpred {

enum class SourceFormat { tfrecord, png_dir };
SourceFormat parse_source_format(std::string_view name);  // "tfrecord" | "png-dir"

struct ConvertOptions {
  SourceFormat from = SourceFormat::tfrecord;
  std::filesystem::path source;  // holds train/ and test/ (and validate/ for png-dir)
  std::filesystem::path out;
  Camera camera = Camera::aux1;
  double validate_fraction = 0.05;  // of train, when the source has no validate split
  h5::Compression compression = h5::Compression::parse("none");
  bool skip_corrupt = false;
  bool force = false;
  int threads = 0;  // 0: all cores
  bool progress = true;
};

struct SkippedItem {
  std::string where;   // file and record
  std::string reason;  // the error
};

struct SplitReport {
  std::string name;
  std::filesystem::path path;
  int64_t trajectories = 0;
  uint64_t bytes = 0;  // stored frame bytes
};

struct ConvertReport {
  std::vector<SplitReport> splits;
  std::vector<SkippedItem> skipped;
  int64_t skipped_for_shape = 0;  // of `skipped`: not the shape of the conversion's first trajectory
  std::vector<std::filesystem::path> replaced_leftovers;  // .partial files of killed runs
  std::vector<std::filesystem::path> removed;             // splits of an earlier run that this one did not write
  uint64_t bytes_in = 0, bytes_out = 0;
  double seconds = 0;
};

ConvertReport convert(const ConvertOptions& options, const CancelToken& cancel);

// The options as they would be typed, stored in every output file.
std::string describe_options(const ConvertOptions& options);

}  // namespace vidpred
