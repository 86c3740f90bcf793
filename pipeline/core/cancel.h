#pragma once
// Cooperative cancellation: long-running work polls a CancelToken; the CLI's
// InterruptWatcher cancels it on Ctrl-C or SIGTERM. No signal handler touches
// program state: the signals are blocked and received by a watcher thread.
#include <atomic>
#include <memory>
#include <thread>

namespace vidpred {

class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }
  // Throws vidpred::Interrupted when cancelled.
  void throw_if_cancelled() const;

 private:
  std::shared_ptr<std::atomic<bool>> flag_;  // shared by every copy
};

// Blocks SIGINT/SIGTERM in the calling thread (and so in every thread started
// after it) and cancels `token` when one arrives. A second signal exits at once
// with status 130, for the case where shutdown itself is stuck.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(CancelToken token);
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

 private:
  CancelToken token_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace vidpred
