#pragma once
// `vidpred synth`: the synthetic world written as real BAIR-layout TFRecords,
// DIR/softmotion30_44k/{train,test}/traj_A_to_B.tfrecords, 256 trajectories a
// file, both cameras.
#include <cstdint>
#include <filesystem>

#include "converters/synth/world.h"
#include "pipeline/core/cancel.h"

namespace vidpred::synth {

inline constexpr int kTrajectoriesPerFile = 256;

struct SynthOptions {
  std::filesystem::path out;
  int64_t train = 512;
  int64_t test = 256;
  uint64_t seed = 1;
  int threads = 0;  // 0: all cores
  WorldOptions world;
};

struct SynthReport {
  int64_t files = 0, trajectories = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

SynthReport write_bair_tfrecords(const SynthOptions& options, const CancelToken& cancel);

}  // namespace vidpred::synth
