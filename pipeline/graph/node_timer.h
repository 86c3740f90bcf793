#pragma once
// Busy time per graph node, for `vidpred bench data`: how much of the wall
// time each node spends working (summed over its threads).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vidpred {

class NodeTimes {
 public:
  static constexpr const char* kNames[] = {"plan", "read", "decode"};
  static constexpr int kCount = 3;

  class Scope {
   public:
    Scope(std::atomic<int64_t>& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    ~Scope() {
      total_ += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::atomic<int64_t>& total_;
    std::chrono::steady_clock::time_point start_;
  };

  Scope time(std::string_view node) { return Scope(nanos_[index(node)]); }
  double seconds(std::string_view node) const { return nanos_[index(node)].load() * 1e-9; }

 private:
  static int index(std::string_view node) {
    for (int i = 0; i < kCount; ++i) {
      if (node == kNames[i]) return i;
    }
    return 0;
  }
  std::atomic<int64_t> nanos_[kCount] = {};
};

}  // namespace vidpred
