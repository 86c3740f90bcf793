#include "model/ssim.h"

#include <ATen/ATen.h>

namespace vidpred::model {
namespace {

constexpr int64_t kWindow = 11;
constexpr double kSigma = 1.5;

// The 'valid' filter along an axis of length n as an (n, n - kWindow + 1)
// matrix: column j holds the window at rows j..j + kWindow - 1.
at::Tensor filter_matrix(int64_t n, const at::TensorOptions& options) {
  at::Tensor x = at::arange(kWindow, options) - double(kWindow / 2);
  at::Tensor g = at::exp(-(x * x) / (2 * kSigma * kSigma));
  g = g / g.sum();
  at::Tensor m = at::zeros({n, n - kWindow + 1}, options);
  for (int64_t j = 0; j < n - kWindow + 1; ++j) m.select(1, j).narrow(0, j, kWindow).copy_(g);
  return m;
}

}  // namespace

at::Tensor structural_similarity(const at::Tensor& x, const at::Tensor& y) {
  // The window is the outer product of a 1-D Gaussian with itself, so the
  // filter is two matrix products, one per axis: what BLAS does fastest, in
  // either direction of autograd.
  const at::Tensor rows = filter_matrix(x.size(2), x.options()).t(), cols = filter_matrix(x.size(3), x.options());
  auto filter = [&](const at::Tensor& t) { return at::matmul(rows, at::matmul(t, cols)); };
  constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  at::Tensor mu_x = filter(x), mu_y = filter(y);
  at::Tensor mu_xx = mu_x * mu_x, mu_yy = mu_y * mu_y, mu_xy = mu_x * mu_y;
  at::Tensor var_x = filter(x * x) - mu_xx, var_y = filter(y * y) - mu_yy, cov = filter(x * y) - mu_xy;
  at::Tensor map = ((2 * mu_xy + c1) * (2 * cov + c2)) / ((mu_xx + mu_yy + c1) * (var_x + var_y + c2));
  return map.mean({1, 2, 3});
}

}  // namespace vidpred::model
