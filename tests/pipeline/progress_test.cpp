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
