#include "pipeline/distributed/liveness.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>


namespace vidpred::dist {

std::string beat_key(int rank) { return fmt::format("beat/{}", rank); }
std::string progress_key(int rank) { return fmt::format("progress/{}", rank); }
std::string failure_key(int rank) { return fmt::format("failed/{}", rank); }

struct Heartbeat::State {
  std::shared_ptr<KeyValue> store;
  int rank;
  std::chrono::milliseconds period;
  std::atomic<uint64_t> progress{0};
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stop) {
      lock.unlock();
      try {
        store->set(progress_key(rank), std::to_string(progress.load(std::memory_order_relaxed)));
        store->add(beat_key(rank), 1);
      } catch (const std::exception&) {
        return;  // the store is gone; the next collective says so with context
      }
      lock.lock();
      wake.wait_for(lock, period, [this] { return stop; });
    }
  }
};

Heartbeat::Heartbeat(std::shared_ptr<KeyValue> store, int rank, std::chrono::milliseconds period)
    : state_(std::make_shared<State>()) {
  state_->store = std::move(store);
  state_->rank = rank;
  state_->period = period;
  thread_ = std::thread([state = state_] { state->run(); });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  if (abandoned_) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void Heartbeat::set_progress(uint64_t collectives) { state_->progress.store(collectives, std::memory_order_relaxed); }

namespace {

std::string rank_list(const std::vector<int>& ranks) {
  std::vector<std::string> names;
  for (int r : ranks) names.push_back(std::to_string(r));
  return fmt::format("rank{} {}", ranks.size() > 1 ? "s" : "", fmt::join(names, ", "));
}

Diagnosis store_gone(const std::string& address, const std::string& why) {
  return {{0}, {}, fmt::format("lost rank 0: the rendezvous store it hosts at {} {}", address, why)};
}

// Why a store call failed: a timeout leaves the host's fate open; anything
// else (reset, closed) means its process is gone.
Diagnosis store_failed(const std::string& address, const std::string& what) {
  const bool timed_out = what.find("imeout") != std::string::npos || what.find("timed out") != std::string::npos;
  return store_gone(address, timed_out ? "stopped answering (rank 0 is stopped or hung)"
                                       : "closed its connections (rank 0 exited or was killed)");
}

Diagnosis inspect(KeyValue& kv, int rank, int world, uint64_t progress, std::chrono::milliseconds period,
                  const std::string& address) {
  try {
    Diagnosis d;
    std::vector<std::string> failures;
    for (int r = 0; r < world; ++r) {
      if (r == rank) continue;
      if (auto message = kv.get(failure_key(r))) {
        failures.push_back(fmt::format("rank {} failed: {}", r, *message));
        d.lost.push_back(r);
      }
    }
    if (!failures.empty()) {
      d.message = fmt::format("{}", fmt::join(failures, "; "));
      return d;
    }
    std::map<int, int64_t> before;
    for (int r = 0; r < world; ++r) {
      if (r != rank) before[r] = kv.add(beat_key(r), 0);
    }
    std::this_thread::sleep_for(3 * period);
    for (int r = 0; r < world; ++r) {
      if (r == rank) continue;
      if (kv.add(beat_key(r), 0) == before[r]) {
        d.lost.push_back(r);
        continue;
      }
      auto theirs = kv.get(progress_key(r));
      if (theirs && std::stoull(*theirs) < progress) d.stuck.push_back(r);
    }
    const auto silence = std::chrono::duration<double>(3 * period).count();
    if (!d.lost.empty()) {
      d.message = fmt::format("lost {}: no heartbeat for {:.1f} s (the process died, was killed or is stopped)",
                              rank_list(d.lost), silence);
    } else if (!d.stuck.empty()) {
      d.message = fmt::format("{} alive but stuck before collective #{} (a hang in that process)",
                              rank_list(d.stuck) + (d.stuck.size() > 1 ? " are" : " is"), progress);
    } else {
      d.message = "every rank still beats: the connection between ranks failed (network?)";
    }
    return d;
  } catch (const std::exception& e) {
    return store_failed(address, e.what());
  }
}

}  // namespace

Diagnosis diagnose(std::shared_ptr<KeyValue> store, int rank, int world, uint64_t progress,
                   std::chrono::milliseconds period, std::chrono::milliseconds budget, const std::string& address) {
  // A store whose host is stopped never answers, so the inspection runs on its
  // own thread (which owns a share of the client) and is abandoned after `budget`.
  auto task = std::make_shared<std::packaged_task<Diagnosis()>>(
      [=] { return inspect(*store, rank, world, progress, period, address); });
  std::future<Diagnosis> result = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (result.wait_for(budget) == std::future_status::ready) return result.get();
  return store_gone(address, "does not answer (rank 0 is stopped or hung)");
}

}  // namespace vidpred::dist
