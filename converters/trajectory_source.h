#pragma once
// What the converter reads from: a stream of trajectories in input order, each
// read cheaply and serially (next) and decoded expensively and in parallel
// (decode). TFRecord files and PNG folders are the two sources.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "converters/trajectory.h"

namespace vidpred {

struct SourceItem {
  std::string source_file;  // relative to the source root, stored in the .h5
  uint32_t source_record = 0;
  uint64_t bytes = 0;                // input bytes, for progress and rates
  std::function<Trajectory()> decode;  // throws an Error naming the record
};

class TrajectorySource {
 public:
  virtual ~TrajectorySource() = default;
  // The next item, or nullopt at the end. A damaged item whose damage shows
  // already here is returned with a decode() that throws, so that skipping is
  // handled in one place.
  virtual std::optional<SourceItem> next() = 0;
  virtual uint64_t total_bytes() const = 0;
  virtual uint64_t total_items() const { return 0; }  // 0 when unknown
};

}  // namespace vidpred
