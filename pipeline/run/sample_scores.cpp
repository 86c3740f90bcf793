#include "pipeline/run/sample_scores.h"

#include <limits>

#include <ATen/ATen.h>

#include "pipeline/core/error.h"

namespace vidpred {

void StepTotals::add(const at::Tensor& scores) {
  at::Tensor cpu = scores.to(at::kCPU, at::kDouble);
  at::Tensor scored = ~at::isnan(cpu);
  at::Tensor sum = at::where(scored, cpu, at::zeros_like(cpu)).sum(0);
  at::Tensor count = scored.to(at::kDouble).sum(0);
  if (!sum_.defined()) {
    sum_ = sum, count_ = count;
  } else {
    sum_ += sum, count_ += count;
  }
}

std::vector<double> StepTotals::per_step() const {
  if (!sum_.defined()) return {};
  at::Tensor mean = (sum_ / count_).contiguous();  // 0 / 0: NaN, nothing scored
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
}

double StepTotals::mean() const {
  if (!sum_.defined() || count_.sum().item<double>() == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum_.sum().item<double>() / count_.sum().item<double>();
}

SampleRanking::SampleRanking(size_t metrics, bool higher_is_better)
    : metrics_(metrics), higher_is_better_(higher_is_better) {}

at::Tensor SampleRanking::rank(const at::Tensor& ranking_scores) const {
  at::Tensor mean = at::nanmean(ranking_scores, {1});
  return higher_is_better_ ? mean : -mean;
}

void SampleRanking::add(const std::vector<at::Tensor>& scores) {
  if (scores.size() != metrics_) throw Error("SampleRanking::add: one score tensor per metric expected");
  at::Tensor rank_now = rank(scores[0]);
  if (samples_ == 0) {
    sum_ = scores, best_ = scores, worst_ = scores;
    best_rank_ = rank_now, worst_rank_ = rank_now;
    best_sample_ = at::zeros({rank_now.size(0)}, rank_now.options().dtype(at::kLong));
    became_best_ = at::ones({rank_now.size(0)}, rank_now.options().dtype(at::kBool));
    samples_ = 1;
    return;
  }
  // A NaN rank (no frame scored) compares false: the earlier sample stays.
  became_best_ = rank_now > best_rank_;
  at::Tensor became_worst = rank_now < worst_rank_;
  for (size_t k = 0; k < metrics_; ++k) {
    sum_[k] = sum_[k] + scores[k];
    best_[k] = at::where(became_best_.unsqueeze(1), scores[k], best_[k]);
    worst_[k] = at::where(became_worst.unsqueeze(1), scores[k], worst_[k]);
  }
  best_rank_ = at::where(became_best_, rank_now, best_rank_);
  worst_rank_ = at::where(became_worst, rank_now, worst_rank_);
  best_sample_ = at::where(became_best_, at::full_like(best_sample_, samples_), best_sample_);
  ++samples_;
}

std::vector<at::Tensor> SampleRanking::mean() const {
  std::vector<at::Tensor> out;
  for (const auto& s : sum_) out.push_back(s / double(samples_));
  return out;
}

}  // namespace vidpred
