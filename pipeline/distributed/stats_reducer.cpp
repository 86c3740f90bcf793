#include "pipeline/distributed/stats_reducer.h"

#include <torch/torch.h>

namespace vidpred::dist {

namespace {

// y = sum over ranks of x. Each rank's loss depends on y through its own
// part of the batch, so dL/dx on rank r is the sum over ranks of dL_q/dy:
// the backward pass is the same all-reduce.
class AllSum : public torch::autograd::Function<AllSum> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t group_address) {
    // Function's saved data holds IValues only; the group outlives the graph.
    ctx->saved_data["group"] = group_address;
    at::Tensor y = x.detach().clone(at::MemoryFormat::Contiguous);
    group(group_address).all_sum(y);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    at::Tensor g = grads[0].contiguous().clone();
    group(ctx->saved_data["group"].toInt()).all_sum(g);
    return {g, at::Tensor()};
  }

 private:
  static ProcessGroup& group(int64_t address) { return *reinterpret_cast<ProcessGroup*>(address); }
};

class GroupReducer : public model::StatsReducer {
 public:
  explicit GroupReducer(ProcessGroup& group) : group_(group) {}
  at::Tensor all_sum(const at::Tensor& local) override {
    return AllSum::apply(local, int64_t(reinterpret_cast<intptr_t>(&group_)));
  }

 private:
  ProcessGroup& group_;
};

}  // namespace

std::shared_ptr<model::StatsReducer> make_stats_reducer(ProcessGroup& group) {
  return std::make_shared<GroupReducer>(group);
}

}  // namespace vidpred::dist
