// The diagnosis after a failed collective, on stores in memory: which rank it
// names and why, from failure reports, beats, progress and the store's own
// errors (a reset connection, a timeout, no answer at all).
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "pipeline/distributed/liveness.h"

using namespace vidpred::dist;
using namespace std::chrono_literals;

namespace {

// Ranks in `beating` beat once between any two reads of their counter: the
// diagnosis sees them alive however the machine schedules threads.
class MemoryStore : public KeyValue {
 public:
  std::set<int> beating;

  void set(const std::string& key, const std::string& value) override {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[key] = value;
  }
  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  int64_t add(const std::string& key, int64_t delta) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int r : beating) {
      if (key == beat_key(r)) delta += 1;
    }
    const int64_t now = (values_.count(key) ? std::stoll(values_[key]) : 0) + delta;
    values_[key] = std::to_string(now);
    return now;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> values_;
};

// Every call fails with `what` after `delay` (a store whose host is gone).
class FailingStore : public KeyValue {
 public:
  FailingStore(std::string what, std::chrono::milliseconds delay) : what_(std::move(what)), delay_(delay) {}
  void set(const std::string&, const std::string&) override { fail(); }
  std::optional<std::string> get(const std::string&) override { fail(); }
  int64_t add(const std::string&, int64_t) override { fail(); }

 private:
  [[noreturn]] void fail() const {
    std::this_thread::sleep_for(delay_);
    throw std::runtime_error(what_);
  }
  std::string what_;
  std::chrono::milliseconds delay_;
};

constexpr auto kPeriod = 20ms;
constexpr auto kBudget = 2000ms;
const std::string kAddress = "127.0.0.1:29500";

Diagnosis diagnose_from_rank0(std::shared_ptr<KeyValue> store, uint64_t progress) {
  return diagnose(std::move(store), 0, 3, progress, kPeriod, kBudget, kAddress);
}

}  // namespace

TEST_CASE("the heartbeat counts up and publishes progress until destroyed") {
  auto store = std::make_shared<MemoryStore>();
  {
    Heartbeat beat(store, 1, 1ms);
    beat.set_progress(3);
    // The beat after next read the progress after it was set.
    const int64_t seen = store->add(beat_key(1), 0);
    while (store->add(beat_key(1), 0) < seen + 2) std::this_thread::sleep_for(1ms);
  }
  const int64_t beats = store->add(beat_key(1), 0);
  std::this_thread::sleep_for(20ms);
  CHECK(store->add(beat_key(1), 0) == beats);  // stopped with its object
  CHECK(store->get(progress_key(1)) == "3");
}

TEST_CASE("a rank that stopped beating is named lost; one behind in collectives, stuck") {
  auto store = std::make_shared<MemoryStore>();
  store->beating = {1};
  store->set(progress_key(1), "5");
  store->set(beat_key(2), "7");  // beat, long ago
  Diagnosis d = diagnose_from_rank0(store, 5);
  CHECK(d.lost == std::vector<int>{2});
  CHECK(d.stuck.empty());
  CHECK(d.message.find("lost rank 2: no heartbeat") == 0);

  store->beating = {1, 2};
  store->set(progress_key(2), "4");
  d = diagnose_from_rank0(store, 5);
  CHECK(d.lost.empty());
  CHECK(d.stuck == std::vector<int>{2});
  CHECK(d.message == "rank 2 is alive but stuck before collective #5 (a hang in that process)");
}

TEST_CASE("a failure another rank reported is named before any beat is read") {
  auto store = std::make_shared<MemoryStore>();
  store->set(failure_key(2), "out of memory");
  Diagnosis d = diagnose_from_rank0(store, 3);
  CHECK(d.lost == std::vector<int>{2});
  CHECK(d.message == "rank 2 failed: out of memory");
}

TEST_CASE("a store that fails says whether its host is gone or silent") {
  Diagnosis reset = diagnose_from_rank0(std::make_shared<FailingStore>("Connection reset by peer", 0ms), 1);
  CHECK(reset.lost == std::vector<int>{0});
  CHECK(reset.message == "lost rank 0: the rendezvous store it hosts at 127.0.0.1:29500 closed its connections "
                         "(rank 0 exited or was killed)");

  Diagnosis timeout = diagnose_from_rank0(std::make_shared<FailingStore>("Socket Timeout", 0ms), 1);
  CHECK(timeout.message.find("stopped answering (rank 0 is stopped or hung)") != std::string::npos);

  // No answer within the budget: the inspection is abandoned, not awaited.
  const auto start = std::chrono::steady_clock::now();
  Diagnosis silent = diagnose(std::make_shared<FailingStore>("late", 3000ms), 0, 3, 1, kPeriod, 200ms, kAddress);
  CHECK(std::chrono::steady_clock::now() - start < 2000ms);
  CHECK(silent.lost == std::vector<int>{0});
  CHECK(silent.message.find("does not answer (rank 0 is stopped or hung)") != std::string::npos);
}
