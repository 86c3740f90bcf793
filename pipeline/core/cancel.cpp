#include "pipeline/core/cancel.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>

#include "pipeline/core/error.h"

namespace vidpred {

void CancelToken::throw_if_cancelled() const {
  if (cancelled()) throw Interrupted();
}

namespace {
sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

InterruptWatcher::InterruptWatcher(CancelToken token) : token_(std::move(token)) {
  sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    timespec poll{0, 100'000'000};  // wake up to notice the destructor
    while (!stop_.load()) {
      if (sigtimedwait(&set, nullptr, &poll) < 0) continue;
      if (token_.cancelled()) _exit(130);
      token_.cancel();
    }
  });
}

InterruptWatcher::~InterruptWatcher() {
  stop_.store(true);
  thread_.join();
  sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace vidpred
