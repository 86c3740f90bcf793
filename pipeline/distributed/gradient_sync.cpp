#include "pipeline/distributed/gradient_sync.h"

#include <torch/torch.h>

#include "pipeline/core/stopwatch.h"

namespace vidpred::dist {

GradientSync::GradientSync(ProcessGroup& group, const std::vector<at::Tensor>& parameters, SyncOptions options)
    : group_(group), options_(options) {
  for (const auto& p : parameters) {
    if (p.requires_grad()) parameters_.push_back(p);
  }
  where_.resize(parameters_.size());
  arrived_.assign(parameters_.size(), false);
  // Reverse order: the last layers' gradients are the first ones ready.
  int64_t bytes = 0;
  for (size_t k = parameters_.size(); k-- > 0;) {
    const at::Tensor& p = parameters_[k];
    const bool fits = !buckets_.empty() && bytes < options_.bucket_bytes &&
                      buckets_.back().buffer.scalar_type() == p.scalar_type() &&
                      buckets_.back().buffer.device() == p.device();
    if (!fits) {
      buckets_.emplace_back();
      buckets_.back().buffer = at::empty({0}, p.options().requires_grad(false));  // type and device; sized below
      bytes = 0;
    }
    Bucket& b = buckets_.back();
    const int64_t offset = b.slots.empty() ? 0 : b.slots.back().offset + b.slots.back().numel;
    where_[k] = {buckets_.size() - 1, b.slots.size()};
    b.slots.push_back({k, offset, p.numel()});
    bytes += p.numel() * int64_t(p.element_size());
  }
  for (Bucket& b : buckets_) {
    b.buffer = at::empty({b.slots.back().offset + b.slots.back().numel}, b.buffer.options());
  }
  if (options_.overlap) {
    for (size_t k = 0; k < parameters_.size(); ++k) {
      hooks_.push_back(parameters_[k].register_hook([this, k](const at::Tensor& grad) { on_gradient(k, grad); }));
    }
  }
}

GradientSync::~GradientSync() {
  for (size_t k = 0; k < hooks_.size(); ++k) parameters_[k].remove_hook(hooks_[k]);
}

void GradientSync::begin_step() {
  armed_ = options_.overlap;
  next_launch_ = 0;
  arrived_.assign(parameters_.size(), false);
  for (auto& b : buckets_) b.missing = int64_t(b.slots.size());
}

void GradientSync::fill(Bucket& bucket, const Slot& slot, const at::Tensor& grad) {
  at::Tensor view = bucket.buffer.narrow(0, slot.offset, slot.numel);
  if (grad.defined()) {
    view.copy_(grad.reshape({-1}));
  } else {
    view.zero_();  // not used this step: contributes nothing
  }
}

void GradientSync::on_gradient(size_t parameter, const at::Tensor& grad) {
  if (!armed_ || arrived_[parameter]) return;
  arrived_[parameter] = true;
  auto [b, s] = where_[parameter];
  Bucket& bucket = buckets_[b];
  fill(bucket, bucket.slots[s], grad);
  --bucket.missing;
  launch_ready();
}

void GradientSync::launch_ready() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].missing == 0) {
    Bucket& b = buckets_[next_launch_++];
    b.pending = group_.all_sum_async(b.buffer);
  }
}

void GradientSync::finish_step() {
  const Stopwatch watch;
  torch::NoGradGuard no_grad;
  armed_ = false;
  // Whatever the hooks did not send yet (all of it without overlap).
  for (size_t b = next_launch_; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    for (const Slot& slot : bucket.slots) {
      if (!arrived_[slot.parameter]) fill(bucket, slot, parameters_[slot.parameter].grad());
    }
    bucket.missing = 0;
  }
  launch_ready();
  const double scale = 1.0 / double(group_.size());
  for (Bucket& bucket : buckets_) {
    bucket.pending.wait();
    bucket.buffer.mul_(scale);
    for (const Slot& slot : bucket.slots) {
      at::Tensor& p = parameters_[slot.parameter];
      at::Tensor average = bucket.buffer.narrow(0, slot.offset, slot.numel).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(average);
      } else {
        p.mutable_grad() = average.clone();
      }
    }
  }
  seconds_ += watch.seconds();
  ++steps_;
}

}  // namespace vidpred::dist
