#pragma once
// Liveness of the ranks of a run, through the rendezvous store: every rank
// beats (increments its counter) and publishes how many collectives it has
// started. When a collective fails or times out, the survivors read the beats
// twice to tell a rank that is gone (dead, killed, stopped: no beats) from one
// that is alive but stuck (beats, but behind in collectives), and name it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vidpred::dist {

// What liveness needs of the rendezvous store (the c10d store in
// process_group.cpp; a map in the tests). Every call may throw when the store
// is unreachable.
class KeyValue {
 public:
  virtual ~KeyValue() = default;
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual std::optional<std::string> get(const std::string& key) = 0;  // nullopt when absent
  virtual int64_t add(const std::string& key, int64_t delta) = 0;       // creates it at 0
};

std::string beat_key(int rank);
std::string progress_key(int rank);
std::string failure_key(int rank);
inline constexpr const char* kLeftKey = "left";  // ranks done with the store

// The heartbeat of this rank: a thread that increments beat_key(rank) and
// publishes progress every `period` until destroyed. Store errors stop the
// beats quietly (the collectives report the problem).
class Heartbeat {
 public:
  Heartbeat(std::shared_ptr<KeyValue> store, int rank, std::chrono::milliseconds period);
  ~Heartbeat();  // stops and joins the thread, unless abandoned
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;
  void set_progress(uint64_t collectives);
  // The store may not answer (its host is stopped): let the thread finish on
  // its own instead of joining it.
  void abandon() { abandoned_ = true; }

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the thread, which may outlive this
  std::thread thread_;
  bool abandoned_ = false;
};

struct Diagnosis {
  std::vector<int> lost;   // no beats: dead, killed or stopped
  std::vector<int> stuck;  // beating but behind in collectives
  std::string message;     // one sentence naming them
};

// Which ranks are lost, seen from `rank` after its collective number
// `progress` failed: failure messages other ranks left, then beats sampled
// `period` * 3 apart, through `store` (a client opened when the run started,
// with a short timeout; see ProcessGroup). Runs within `budget`; a store that
// does not answer in time means rank 0 is stopped or hung.
Diagnosis diagnose(std::shared_ptr<KeyValue> store, int rank, int world, uint64_t progress,
                   std::chrono::milliseconds period, std::chrono::milliseconds budget,
                   const std::string& store_address);

}  // namespace vidpred::dist
