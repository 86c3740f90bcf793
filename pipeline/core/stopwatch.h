#pragma once
// Elapsed wall time on the monotonic clock, the one way vidpred measures how
// long something took (reports, benchmarks, waits), so that every figure is
// taken and converted alike.
#include <chrono>

namespace vidpred {

class Stopwatch {
 public:
  using Clock = std::chrono::steady_clock;
  Stopwatch() : start_(Clock::now()) {}
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  void restart() { start_ = Clock::now(); }

 private:
  Clock::time_point start_;
};

// Seconds that `work()` takes.
template <class Work>
double seconds_of(Work&& work) {
  Stopwatch watch;
  work();
  return watch.seconds();
}

}  // namespace vidpred
