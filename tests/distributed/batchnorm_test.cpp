// The global-batch BatchNorm arithmetic, in one process: with a reducer that
// sums over one replica (the identity), SyncBatchNorm's forward, backward and
// running statistics are torch's BatchNorm's; without a reducer it is torch's
// own code. The two-process equivalence is sync_batchnorm_test.cpp.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "model/batchnorm.h"
#include "model/cvae.h"

using namespace vidpred;

namespace {

struct Identity : model::StatsReducer {
  int calls = 0;
  at::Tensor all_sum(const at::Tensor& local) override {
    ++calls;
    return local * 1.0;  // differentiable, like the real one
  }
};

template <class Ours, class Theirs>
void compare(Ours ours, Theirs theirs, const at::Tensor& input_data, bool with_reducer) {
  torch::manual_seed(3);
  auto reducer = std::make_shared<Identity>();
  if (with_reducer) model::set_stats_reducer(*ours, reducer);
  {
    torch::NoGradGuard no_grad;
    ours->weight.normal_(1.0, 0.1);
    ours->bias.normal_(0.0, 0.1);
    theirs->weight.copy_(ours->weight);
    theirs->bias.copy_(ours->bias);
  }
  for (int step = 0; step < 3; ++step) {
    at::Tensor x1 = (input_data * (step + 1) + step).requires_grad_(), x2 = x1.detach().clone().requires_grad_();
    at::Tensor y1 = ours->forward(x1), y2 = theirs->forward(x2);
    CHECK(torch::allclose(y1, y2, 1e-5, 1e-5));
    at::Tensor g = torch::randn_like(y1);
    (y1 * g).sum().backward();
    (y2 * g).sum().backward();
    CHECK(torch::allclose(x1.grad(), x2.grad(), 1e-5, 1e-5));
    CHECK(torch::allclose(ours->weight.grad(), theirs->weight.grad(), 1e-4, 1e-5));
    CHECK(torch::allclose(ours->bias.grad(), theirs->bias.grad(), 1e-4, 1e-5));
    CHECK(torch::allclose(ours->running_mean, theirs->running_mean, 1e-5, 1e-6));
    CHECK(torch::allclose(ours->running_var, theirs->running_var, 1e-5, 1e-6));
    CHECK(ours->num_batches_tracked.template item<int64_t>() == theirs->num_batches_tracked.template item<int64_t>());
  }
  CHECK(reducer->calls == (with_reducer ? 3 : 0));
  ours->eval();
  theirs->eval();
  CHECK(torch::allclose(ours->forward(input_data), theirs->forward(input_data), 1e-5, 1e-5));
}

}  // namespace

TEST_CASE("SyncBatchNorm2d over one replica is BatchNorm2d: outputs, gradients, running statistics") {
  torch::manual_seed(1);
  at::Tensor x = torch::randn({4, 3, 5, 5}) * 2 + 0.5;
  compare(model::SyncBatchNorm2d(3), torch::nn::BatchNorm2d(3), x, true);
  compare(model::SyncBatchNorm2d(3), torch::nn::BatchNorm2d(3), x, false);
}

TEST_CASE("SyncBatchNorm1d over one replica is BatchNorm1d") {
  torch::manual_seed(2);
  at::Tensor x = torch::randn({6, 7}) - 1.5;
  compare(model::SyncBatchNorm1d(7), torch::nn::BatchNorm1d(7), x, true);
}

TEST_CASE("SyncBatchNorm keeps torch's parameter and buffer names") {
  model::SyncBatchNorm2d ours(8);
  torch::nn::BatchNorm2d theirs(8);
  CHECK(ours->named_parameters().keys() == theirs->named_parameters().keys());
  CHECK(ours->named_buffers().keys() == theirs->named_buffers().keys());
  CHECK(ours->options.num_features() == 8);
}

TEST_CASE("init_weights finds every SyncBatchNorm") {
  torch::nn::Sequential net(model::SyncBatchNorm2d(4), model::SyncBatchNorm1d(3));
  model::init_weights(*net);
  for (const auto& p : net->named_parameters()) {
    if (p.key().find("bias") != std::string::npos) CHECK(p.value().abs().max().item<double>() == 0.0);
    else CHECK(p.value().sub(1.0).abs().max().item<double>() > 0.0);  // N(1, 0.02), not torch's ones
  }
}
