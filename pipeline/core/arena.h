#pragma once
// A oneTBB arena of exactly `threads` threads (0: all cores). TBB caps its
// worker pool at the core count by default and warns when asked for more;
// asking for more is legitimate here (tests check that results do not depend
// on the thread count), so the cap is raised for the arena's lifetime.
#include <memory>
#include <optional>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

namespace vidpred {

class Arena {
 public:
  explicit Arena(int threads) : threads_(threads > 0 ? threads : tbb::info::default_concurrency()) {
    if (threads_ > tbb::info::default_concurrency()) {
      control_.emplace(tbb::global_control::max_allowed_parallelism, size_t(threads_));
    }
    arena_ = std::make_unique<tbb::task_arena>(threads_);
  }
  template <class F>
  decltype(auto) execute(F&& f) {
    return arena_->execute(std::forward<F>(f));
  }
  int threads() const { return threads_; }

 private:
  int threads_;
  std::optional<tbb::global_control> control_;  // outlives the arena
  std::unique_ptr<tbb::task_arena> arena_;
};

}  // namespace vidpred
