#pragma once
// Counter-based randomness: a stream is a pure function of a seed and a key
// (epoch, sample, step, ...), so results do not depend on thread count,
// scheduling, rank, or whether a run was resumed. Nothing to save but the
// counters, and no generator shared between threads.
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace vidpred {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class CounterRng {
 public:
  CounterRng(uint64_t seed, std::initializer_list<uint64_t> key) : state_(splitmix64(seed)) {
    for (uint64_t k : key) state_ = splitmix64(state_ ^ splitmix64(k + 0x632be59bd9b4e019ull));
  }

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ull;
    return splitmix64(state_);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return n == 0 ? 0 : uint64_t(uniform() * double(n)) % n; }
  // Standard normal (Box-Muller; one value per call keeps the stream simple).
  double normal() {
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace vidpred
