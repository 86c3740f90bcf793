#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/cancel.h"
#include "stages/data/augmenter.h"
#include "stages/data/batch.h"

namespace vidpred::stages {

// What one pass over a split should deliver.
struct EpochRequest {
  std::string split = "train";
  uint64_t seed = 1;
  int64_t epoch = 0;
  int64_t length = 12;      // frames per sequence (n_past + n_future)
  bool training = true;     // sample as configured and augment; else in order, keep the last batch
  int64_t batch_size = 0;   // global batch size; 0: the source's own
  int64_t max_batches = 0;  // stop after this many (0: a full pass)
  int shard = 0, shards = 1;  // this process takes rows [shard*B/shards, (shard+1)*B/shards) of every batch
  bool pin_memory = false;  // page-locked batches, for asynchronous copies to a GPU
  std::vector<const Augmenter*> augmenters;
};

// One node of a stream's work (reading, decoding, ...): the seconds it was
// busy, summed over its threads.
struct BusyTime {
  std::string node;
  double seconds = 0;
};

class BatchStream {
 public:
  virtual ~BatchStream() = default;
  virtual std::optional<Batch> next() = 0;
  virtual int64_t batches() const = 0;  // in this pass
  virtual std::vector<BusyTime> busy_times() const = 0;
  // Batches decoded or being decoded and not yet released by the consumer
  // (at most data.prefetch), for tests and benchmarks of the memory bound.
  virtual int64_t in_flight() const = 0;
};

class DataSource {
 public:
  static constexpr const char* kKind = "data";
  static constexpr const char* kKindDoc = "where batches come from";
  virtual ~DataSource() = default;
  virtual int64_t size(const std::string& split) = 0;  // sequences in a split
  virtual int64_t batch_size() const = 0;
  // Checks that `split` can deliver sequences of `length` frames of 64x64 RGB.
  virtual void check(const std::string& split, int64_t length) = 0;
  virtual std::unique_ptr<BatchStream> open(const EpochRequest& request, const CancelToken& cancel) = 0;
};

}  // namespace vidpred::stages
