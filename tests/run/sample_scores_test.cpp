// The running sums behind evaluation's figures: the same numbers as scoring
// every sample at once, without holding the samples.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <ATen/ATen.h>

#include "pipeline/run/sample_scores.h"

using namespace vidpred;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

at::Tensor scores(std::vector<double> values, int64_t rows) {
  return at::tensor(values, at::kDouble).reshape({rows, -1});
}

std::vector<double> values_of(const at::Tensor& t) {
  at::Tensor c = t.contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

TEST_CASE("step totals: the mean per frame and overall over every batch, leaving out frames without a score") {
  StepTotals totals;
  totals.add(scores({1, 2, 3, 4}, 2));     // two sequences, two frames
  totals.add(scores({5, kNaN}, 1));         // a third whose second frame has no score
  const std::vector<double> per_step = totals.per_step();
  REQUIRE(per_step.size() == 2);
  CHECK(per_step[0] == doctest::Approx(3.0));  // (1 + 3 + 5) / 3
  CHECK(per_step[1] == doctest::Approx(3.0));  // (2 + 4) / 2: not / 3, nor NaN
  CHECK(totals.mean() == doctest::Approx(15.0 / 5));

  StepTotals nothing_scored;
  nothing_scored.add(scores({kNaN, 1}, 1));
  CHECK(std::isnan(nothing_scored.per_step()[0]));
  CHECK(nothing_scored.per_step()[1] == 1.0);
  CHECK(nothing_scored.mean() == 1.0);
}

TEST_CASE("sample ranking: best, mean and worst per sequence as argmax/argmin over all samples would give") {
  // Two sequences, two frames; samples arrive one at a time. The first metric ranks.
  SampleRanking ranking(2, true);
  ranking.add({scores({10, 10, 30, 30}, 2), scores({1, 1, 3, 3}, 2)});  // sample 0
  CHECK(ranking.became_best().all().item<bool>());  // the first is the best so far
  ranking.add({scores({20, 20, 10, 10}, 2), scores({2, 2, 1, 1}, 2)});  // sample 1: best of sequence 0
  CHECK(ranking.became_best()[0].item<bool>());
  CHECK_FALSE(ranking.became_best()[1].item<bool>());
  ranking.add({scores({20, 20, 30, 30}, 2), scores({9, 9, 9, 9}, 2)});  // sample 2: ties keep the earlier
  CHECK_FALSE(ranking.became_best()[0].item<bool>());
  CHECK_FALSE(ranking.became_best()[1].item<bool>());

  CHECK(ranking.samples() == 3);
  CHECK(values_of(ranking.best_sample().to(at::kDouble)) == std::vector<double>{1, 0});
  CHECK(values_of(ranking.best()[0]) == std::vector<double>{20, 20, 30, 30});
  CHECK(values_of(ranking.best()[1]) == std::vector<double>{2, 2, 3, 3});  // the ranked sample's other metric
  CHECK(values_of(ranking.worst()[0]) == std::vector<double>{10, 10, 10, 10});
  CHECK(values_of(ranking.worst()[1]) == std::vector<double>{1, 1, 1, 1});
  CHECK(values_of(ranking.mean()[0]) == std::vector<double>{50.0 / 3, 50.0 / 3, 70.0 / 3, 70.0 / 3});
}

TEST_CASE("sample ranking: lower is better for a metric that says so; frames without a score do not rank") {
  SampleRanking ranking(1, false);
  ranking.add({scores({0.5, kNaN}, 1)});
  ranking.add({scores({0.25, kNaN}, 1)});
  ranking.add({scores({0.75, kNaN}, 1)});
  CHECK(ranking.best_sample()[0].item<int64_t>() == 1);
  CHECK(ranking.best()[0][0][0].item<double>() == 0.25);
  CHECK(ranking.worst()[0][0][0].item<double>() == 0.75);
}
