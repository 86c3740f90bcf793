// Annealing and teacher-forcing schedules at the reference's defaults.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "pipeline/core/error.h"
#include "stages/schedules/annealer.h"
#include "stages/schedules/learning_rate.h"
#include "stages/schedules/teacher_forcing.h"
#include "tests/support/run_config.h"

using namespace vidpred;
using namespace vidpred::stages;

namespace {

template <class Interface>
std::unique_ptr<Interface> make(const std::string& section, std::vector<std::string> overrides = {}) {
  Registry registry = make_registry();
  Config c = test::tiny_config(registry, "unused", overrides);
  return registry.create<Interface>(c.section(section));
}

}  // namespace

TEST_CASE("cyclical annealing at the reference defaults: 40 epochs, 2 cycles, ratio 0.5") {
  auto annealer = make<Annealer>("annealer", {"annealer.type=cyclical"});
  for (int64_t cycle : {0, 20}) {
    for (int64_t i = 0; i <= 10; ++i) {
      CAPTURE(cycle + i);
      CHECK(annealer->factor(cycle + i, 40) == doctest::Approx(0.1 * double(i)));
    }
    for (int64_t e = 11; e < 20; ++e) CHECK(annealer->factor(cycle + e, 40) == 1.0);
  }
  CHECK(annealer->factor(10, 40) == 1.0);  // exactly 1, not 0.9999...
}

TEST_CASE("cyclical annealing: every cycle starts at 0, also where the previous ramp runs into it") {
  // ratio 1: cycle c's ramp reaches 1 exactly at cycle c+1's first epoch.
  auto full = make<Annealer>("annealer", {"annealer.type=cyclical", "annealer.cycles=4", "annealer.ratio=1.0"});
  for (int64_t start : {0, 10, 20, 30}) {
    CAPTURE(start);
    CHECK(full->factor(start, 40) == 0.0);
    CHECK(full->factor(start + 9, 40) == doctest::Approx(0.9));
  }
  // A period of 40/6 epochs: cycle 1 starts at epoch 6, cycle 4 at epoch 26.
  auto odd = make<Annealer>("annealer", {"annealer.type=cyclical", "annealer.cycles=6", "annealer.ratio=0.9"});
  CHECK(odd->factor(6, 40) == 0.0);
  CHECK(odd->factor(26, 40) == 0.0);
  CHECK(odd->factor(5, 40) == doctest::Approx(5.0 / 6.0));
  CHECK(odd->factor(12, 40) == doctest::Approx(1.0));
}

TEST_CASE("monotonic annealing rises once; constant stays") {
  auto monotonic = make<Annealer>("annealer", {"annealer.type=monotonic", "annealer.ratio=0.25"});
  CHECK(monotonic->factor(0, 40) == 0.0);
  CHECK(monotonic->factor(5, 40) == doctest::Approx(0.5));
  CHECK(monotonic->factor(10, 40) == 1.0);
  CHECK(monotonic->factor(25, 40) == 1.0);
  auto constant = make<Annealer>("annealer", {"annealer.type=constant", "annealer.value=0.3"});
  CHECK(constant->factor(0, 40) == 0.3);
  CHECK(constant->factor(39, 40) == 0.3);
}

TEST_CASE("the reference teacher-forcing schedule, decay_step included") {
  auto never = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=reference"});
  for (int64_t e : {0, 14, 15, 16, 30, 39}) CHECK(never->ratio(e, 40) == 1.0);  // decay_step 0: no decay

  auto decaying = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=reference",
                                                           "teacher_forcing.decay_step=1.0",
                                                           "teacher_forcing.lower_bound=0.2"});
  CHECK(decaying->ratio(15, 40) == 1.0);
  CHECK(decaying->ratio(16, 40) == 1.0);  // the value set at the end of epoch 15: k - start = 0
  // Epoch 25 trains with the value set at the end of epoch 24:
  // 1 - (24 - 15) * (1 - 0.2) / (40 - 15) * 1 = 0.712
  CHECK(decaying->ratio(25, 40) == doctest::Approx(0.712));
  CHECK(decaying->ratio(39, 40) == doctest::Approx(1.0 - 23 * 0.8 / 25));
  auto fast = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=reference",
                                                       "teacher_forcing.decay_step=3.0"});
  CHECK(fast->ratio(39, 40) == 0.0);  // clamped at the lower bound
}

TEST_CASE("the reference teacher-forcing schedule lags one epoch, as the reference's end-of-epoch update") {
  // 7 epochs, start 2, decay_step 0.5: the reference's own run trains epochs
  // 1..7 (counted from 1) with 1, 1, 1, 1, 0.9, 0.8, 0.7.
  auto tf = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=reference",
                                                     "teacher_forcing.start_decay_epoch=2",
                                                     "teacher_forcing.decay_step=0.5"});
  const std::vector<double> expected{1, 1, 1, 1, 0.9, 0.8, 0.7};
  for (int64_t e = 0; e < 7; ++e) {
    CAPTURE(e);
    CHECK(tf->ratio(e, 7) == doctest::Approx(expected[size_t(e)]));
  }
  // A steeper decay reaches its lower bound and stays there.
  auto floored = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=reference",
                                                          "teacher_forcing.start_decay_epoch=2",
                                                          "teacher_forcing.decay_step=2.0",
                                                          "teacher_forcing.lower_bound=0.5"});
  const std::vector<double> floored_expected{1, 1, 1, 1, 0.8, 0.6, 0.5};
  for (int64_t e = 0; e < 7; ++e) {
    CAPTURE(e);
    CHECK(floored->ratio(e, 7) == doctest::Approx(floored_expected[size_t(e)]));
  }
  CHECK(floored->ratio(20, 7) == 0.5);
}

TEST_CASE("the linear teacher-forcing schedule reaches its lower bound") {
  auto linear = make<TeacherForcing>("teacher_forcing", {"teacher_forcing.type=linear",
                                                         "teacher_forcing.start_decay_epoch=10",
                                                         "teacher_forcing.end_epoch=20",
                                                         "teacher_forcing.lower_bound=0.5"});
  CHECK(linear->ratio(5, 40) == 1.0);
  CHECK(linear->ratio(15, 40) == doctest::Approx(0.75));
  CHECK(linear->ratio(20, 40) == doctest::Approx(0.5));
  CHECK(linear->ratio(35, 40) == doctest::Approx(0.5));
}

TEST_CASE("learning-rate schedules: constant keeps optimizer.lr, cosine holds 1 until start and ends at final") {
  auto constant = make<LearningRateSchedule>("lr_schedule");
  CHECK(constant->factor(0.0) == 1.0);
  CHECK(constant->factor(0.99) == 1.0);
  auto whole = make<LearningRateSchedule>("lr_schedule", {"lr_schedule.type=cosine"});
  CHECK(whole->factor(0.0) == 1.0);
  CHECK(whole->factor(0.5) == doctest::Approx(0.5));
  CHECK(whole->factor(0.25) == doctest::Approx(0.5 + 0.5 * std::sqrt(0.5)));
  CHECK(whole->factor(1.0) == doctest::Approx(0.0));
  auto late = make<LearningRateSchedule>("lr_schedule", {"lr_schedule.type=cosine", "lr_schedule.start=0.5",
                                                         "lr_schedule.final=0.1"});
  CHECK(late->factor(0.25) == 1.0);
  CHECK(late->factor(0.5) == 1.0);
  CHECK(late->factor(0.75) == doctest::Approx(0.55));
  CHECK(late->factor(1.0) == doctest::Approx(0.1));
  CHECK_THROWS_WITH_AS(make<LearningRateSchedule>("lr_schedule", {"lr_schedule.type=cosine", "lr_schedule.start=1"}),
                       doctest::Contains("start"), Error);
}
