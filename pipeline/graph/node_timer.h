#pragma once
// Busy time per graph node, for `vidpred bench data`: how much of the wall
// time each node spends working (summed over its threads).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iterator>

namespace vidpred {

class NodeTimes {
 public:
  // The nodes that do work, as an enum: a misspelt node does not compile,
  // where a name would have booked its time to another node.
  enum class Node { plan, read, decode };
  static constexpr Node kNodes[] = {Node::plan, Node::read, Node::decode};
  static constexpr const char* name(Node node) {
    constexpr const char* kNames[] = {"plan", "read", "decode"};
    return kNames[int(node)];
  }

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

  Scope time(Node node) { return Scope(nanos_[int(node)]); }
  double seconds(Node node) const { return nanos_[int(node)].load() * 1e-9; }

 private:
  std::atomic<int64_t> nanos_[std::size(kNodes)] = {};
};

}  // namespace vidpred
