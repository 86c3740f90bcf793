#pragma once
// Gradient averaging for data-parallel training, as PyTorch's DDP does it:
// gradients are packed into buckets of about `bucket_bytes` (parameters in
// reverse order, roughly the order backward produces them), each bucket is
// one all-reduce, and the sums are divided by the world size.
//
// With `overlap`, a tensor hook on every parameter copies its gradient into
// its bucket as soon as autograd has it and launches the bucket's all-reduce
// when the bucket is full, while backward goes on. Buckets are launched in
// the same order on every rank (a full bucket waits for the ones before it),
// so collectives match across ranks.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "pipeline/distributed/process_group.h"

namespace vidpred::dist {

struct SyncOptions {
  int64_t bucket_bytes = 25 << 20;  // DDP's default bucket cap
  bool overlap = false;
};

class GradientSync {
 public:
  GradientSync(ProcessGroup& group, const std::vector<at::Tensor>& parameters, SyncOptions options);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  void begin_step();   // before backward
  void finish_step();  // after backward: every gradient is the average over ranks

  int64_t buckets() const { return int64_t(buckets_.size()); }
  double seconds() const { return seconds_; }  // in finish_step: communication backward did not hide
  int64_t steps() const { return steps_; }

 private:
  struct Slot {
    size_t parameter;
    int64_t offset, numel;
  };
  struct Bucket {
    std::vector<Slot> slots;
    at::Tensor buffer;
    int64_t missing = 0;  // gradients not yet copied in (overlap)
    Pending pending;
  };

  void on_gradient(size_t parameter, const at::Tensor& grad);
  void fill(Bucket& bucket, const Slot& slot, const at::Tensor& grad);
  void launch_ready();

  ProcessGroup& group_;
  std::vector<at::Tensor> parameters_;
  SyncOptions options_;
  std::vector<Bucket> buckets_;
  std::vector<std::pair<size_t, size_t>> where_;  // parameter -> (bucket, slot)
  std::vector<bool> arrived_;
  std::vector<unsigned> hooks_;
  bool armed_ = false;
  size_t next_launch_ = 0;
  double seconds_ = 0;
  int64_t steps_ = 0;
};

}  // namespace vidpred::dist
