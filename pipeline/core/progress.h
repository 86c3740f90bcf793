#pragma once
// Progress of a long loop (units done, MB, rate, ETA, and a caller-given
// status); a loop that is one part of a longer run (an epoch of a training)
// also shows the whole run's ETA. On a terminal, a bar redrawn in place; elsewhere (a pipe, a log
// file, CI) one plain line every 10 seconds at most, so that a log shows the
// run is alive without filling up.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace vidpred {

enum class ProgressStyle { off, terminal, log };

// Where a loop stands in the longer run it is part of: what the run did before
// it and what comes after it, in the loop's units.
struct RunShare {
  uint64_t units_before = 0;  // done earlier in this run (this process: a resumed run counts from its resumption)
  double seconds_before = 0;  // the run's wall time before the loop began, overheads (validation) included
  uint64_t units_after = 0;   // still to do after the loop's own total
};

// The run's time left: the units left at the run's average rate so far, in
// seconds; negative where nothing is done yet to estimate from. An estimate:
// later units may run slower (less teacher forcing) or faster.
double run_seconds_left(const RunShare& run, uint64_t done, uint64_t total, double seconds);

// terminal when stderr is one, else log.
ProgressStyle stderr_progress_style();

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLogInterval{10};

  // `total` units may be 0 when unknown; then a known `total_bytes` gives the
  // ETA. Drawn on stderr in the style that suits it; `enabled` false draws nothing.
  ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes = 0, bool enabled = true);
  // A given style, output and clock (tests).
  ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes, ProgressStyle style,
              std::FILE* out, std::function<Clock::time_point()> now);
  ~ProgressBar();

  void advance(uint64_t units, uint64_t bytes = 0);
  void set_status(std::string status);
  // Adds the run's ETA ("run ~1:02:03") after the loop's own.
  void set_run(const RunShare& run) { run_ = run; }
  // Clears the bar's line; later output starts on a clean line.
  void finish();

  uint64_t done() const { return done_; }
  uint64_t bytes() const { return bytes_; }
  double seconds() const;

 private:
  void draw(bool force);
  std::string figures() const;  // "12/40 step 1.1 step/s ETA 00:25 run ~12:03 status"

  std::string label_, unit_, status_;
  uint64_t total_, total_bytes_, done_ = 0, bytes_ = 0;
  ProgressStyle style_;
  std::FILE* out_;
  std::function<Clock::time_point()> now_;
  std::optional<RunShare> run_;
  bool drawn_ = false;
  Clock::time_point start_, last_draw_;
};

bool stderr_is_terminal();
std::string format_duration(double seconds);  // 1:02:03 or 02:03

}  // namespace vidpred
