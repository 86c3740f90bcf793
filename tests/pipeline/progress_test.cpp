// Progress off a terminal: a plain line every 10 seconds at most, with the
// rate and the ETA, on a clock the test drives (no timing in the test).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "pipeline/core/progress.h"

using namespace vidpred;

namespace {

std::string contents_of(std::FILE* file) {
  std::string text;
  std::rewind(file);
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += char(c);
  return text;
}

}  // namespace

TEST_CASE("off a terminal, progress is one plain line every 10 seconds with rate and ETA") {
  // issue 16: piped output showed nothing for the first 115 s of training.
  std::FILE* log = std::tmpfile();
  REQUIRE(log);
  ProgressBar::Clock::time_point now{};
  {
    ProgressBar bar("epoch 1/6", 100, "step", 0, ProgressStyle::log, log, [&] { return now; });
    for (int step = 0; step < 60; ++step) {  // a step every second
      now += std::chrono::seconds(1);
      bar.set_status("loss 0.01");
      bar.advance(1);
    }
  }
  const std::string text = contents_of(log);
  std::fclose(log);
  // Lines at 10, 20, ..., 60 s: never more often, whatever the step rate.
  CHECK_MESSAGE(std::count(text.begin(), text.end(), '\n') == 6, text);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("\x1b") == std::string::npos);
  CHECK(text.find("epoch 1/6: 10/100 step 1.0 step/s ETA 01:30 loss 0.01\n") == 0);
  CHECK(text.find("epoch 1/6: 60/100 step 1.0 step/s ETA 00:40 loss 0.01\n") != std::string::npos);
}

TEST_CASE("a loop that ends within 10 seconds leaves no progress line, and 'off' never writes") {
  for (ProgressStyle style : {ProgressStyle::log, ProgressStyle::off}) {
    std::FILE* log = std::tmpfile();
    REQUIRE(log);
    ProgressBar::Clock::time_point now{};
    {
      ProgressBar bar("eval", 5, "batch", 0, style, log, [&] { return now; });
      for (int batch = 0; batch < 5; ++batch) {
        now += std::chrono::seconds(style == ProgressStyle::log ? 1 : 30);
        bar.advance(1);
      }
    }
    CHECK(contents_of(log).empty());
    std::fclose(log);
  }
}

TEST_CASE("the run's ETA counts the steps left in every remaining epoch at the run's rate so far") {
  // issue 9: progress gave the current epoch's ETA only.
  RunShare run{200, 400.0, 300};  // two epochs of 100 steps took 400 s (validation included); three to come
  // 50 steps of this epoch in 50 s: 250 steps in 450 s; 50 + 300 left at 1.8 s a step.
  CHECK(run_seconds_left(run, 50, 100, 50.0) == doctest::Approx(630.0));
  CHECK(run_seconds_left({}, 0, 100, 0.0) < 0);                // nothing done yet: no estimate
  CHECK(run_seconds_left({0, 0, 0}, 100, 100, 10.0) == 0);     // the last step of the last epoch
  CHECK(run_seconds_left({0, 0, 200}, 120, 100, 60.0) == doctest::Approx(100.0));  // past its total: no units below zero

  std::FILE* log = std::tmpfile();
  REQUIRE(log);
  ProgressBar::Clock::time_point now{};
  {
    ProgressBar bar("epoch 3/6", 100, "step", 0, ProgressStyle::log, log, [&] { return now; });
    bar.set_run({200, 400.0, 300});
    for (int step = 0; step < 10; ++step) {
      now += std::chrono::seconds(1);
      bar.advance(1);
    }
  }
  const std::string text = contents_of(log);
  std::fclose(log);
  // Epoch: 90 steps at 1 step/s. Run: 90 + 300 steps at 410 s / 210 steps.
  CHECK_MESSAGE(text == "epoch 3/6: 10/100 step 1.0 step/s ETA 01:30 run ~12:41\n", text);
  CHECK(format_duration(390 * 410.0 / 210) == "12:41");
}

TEST_CASE("the terminal bar shows the run's ETA too") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out);
  ProgressBar::Clock::time_point now{};
  {
    ProgressBar bar("epoch 1/2", 4, "step", 0, ProgressStyle::terminal, out, [&] { return now; });
    bar.set_run({0, 0.0, 4});
    now += std::chrono::seconds(2);
    bar.advance(1);  // 1 step in 2 s: 3 + 4 steps left
  }
  const std::string text = contents_of(out);
  std::fclose(out);
  CHECK_MESSAGE(text.find("1/4 step 0.5 step/s ETA 00:06 run ~00:14") != std::string::npos, text);
}
