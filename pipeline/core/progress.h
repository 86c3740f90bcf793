#pragma once
// A progress bar for terminals (units done, MB, rate, ETA, and a caller-given
// status) that prints nothing when stderr is not a terminal, so that logs and
// CI output hold only the summary lines.
#include <chrono>
#include <cstdint>
#include <string>

namespace vidpred {

class ProgressBar {
 public:
  // `total` units may be 0 when unknown; then a known `total_bytes` gives the
  // ETA. `enabled` defaults to "stderr is a terminal".
  ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes = 0);
  ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes, bool enabled);
  ~ProgressBar();

  void advance(uint64_t units, uint64_t bytes = 0);
  void set_status(std::string status);
  // Clears the bar's line; later output starts on a clean line.
  void finish();

  uint64_t done() const { return done_; }
  uint64_t bytes() const { return bytes_; }
  double seconds() const;

 private:
  void draw(bool force);

  std::string label_, unit_, status_;
  uint64_t total_, total_bytes_, done_ = 0, bytes_ = 0;
  bool enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

bool stderr_is_terminal();
std::string format_duration(double seconds);  // 1:02:03 or 02:03

}  // namespace vidpred
