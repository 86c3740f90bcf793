#include "pipeline/core/progress.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace vidpred {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressStyle stderr_progress_style() { return stderr_is_terminal() ? ProgressStyle::terminal : ProgressStyle::log; }

std::string format_duration(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

double run_seconds_left(const RunShare& run, uint64_t done, uint64_t total, double seconds) {
  const double units_done = double(run.units_before + done), run_seconds = run.seconds_before + seconds;
  if (units_done <= 0 || run_seconds <= 0) return -1;
  const double units_left = double(total > done ? total - done : 0) + double(run.units_after);
  return units_left * run_seconds / units_done;
}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes, bool enabled)
    : ProgressBar(std::move(label), total, std::move(unit), total_bytes,
                  enabled ? stderr_progress_style() : ProgressStyle::off, stderr, [] { return Clock::now(); }) {}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes,
                         ProgressStyle style, std::FILE* out, std::function<Clock::time_point()> now)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      total_bytes_(total_bytes),
      style_(style),
      out_(out),
      now_(std::move(now)),
      start_(now_()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

double ProgressBar::seconds() const { return std::chrono::duration<double>(now_() - start_).count(); }

void ProgressBar::advance(uint64_t units, uint64_t bytes) {
  done_ += units;
  bytes_ += bytes;
  draw(false);
}

void ProgressBar::set_status(std::string status) {
  status_ = std::move(status);
  // A log line reports work done: it waits for the next advance().
  if (style_ == ProgressStyle::terminal) draw(false);
}

std::string ProgressBar::figures() const {
  const double elapsed = seconds();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  std::string line = total_ > 0 ? fmt::format("{}/{} {}", done_, total_, unit_) : fmt::format("{} {}", done_, unit_);
  if (total_bytes_ > 0) {
    line += fmt::format(" {:.1f}/{:.1f} MB", bytes_ / 1e6, total_bytes_ / 1e6);
  } else if (bytes_ > 0) {
    line += fmt::format(" {:.1f} MB", bytes_ / 1e6);
  }
  line += fmt::format(" {:.1f} {}/s", rate, unit_);
  double remaining = -1;
  if (total_ > 0 && rate > 0 && done_ < total_) remaining = (total_ - done_) / rate;
  if (total_ == 0 && total_bytes_ > 0 && bytes_ > 0 && bytes_ < total_bytes_) {
    remaining = elapsed * double(total_bytes_ - bytes_) / double(bytes_);
  }
  if (remaining >= 0) line += " ETA " + format_duration(remaining);
  // "~": the run's rate so far need not hold for its later epochs.
  if (run_ && total_ > 0) {
    const double run_remaining = run_seconds_left(*run_, done_, total_, elapsed);
    if (run_remaining >= 0) line += " run ~" + format_duration(run_remaining);
  }
  if (!status_.empty()) line += " " + status_;
  return line;
}

void ProgressBar::draw(bool force) {
  if (style_ == ProgressStyle::off) return;
  const auto now = now_();
  if (style_ == ProgressStyle::log) {
    // A line for the work of the last interval; a finished loop has its caller's summary line.
    if (now - last_draw_ < kLogInterval || (total_ > 0 && done_ >= total_)) return;
    last_draw_ = now;
    fmt::print(out_, "{}: {}\n", label_, figures());
    std::fflush(out_);
    return;
  }
  if (!force && now - last_draw_ < std::chrono::milliseconds(100) && done_ != total_) return;
  last_draw_ = now;
  std::string bar;
  if (total_ > 0) {
    constexpr int kWidth = 24;
    int filled = static_cast<int>(kWidth * std::min<double>(1.0, double(done_) / total_));
    bar = fmt::format("[{}{}] ", std::string(filled, '#'), std::string(kWidth - filled, ' '));
  }
  // \r redraws the line in place; \x1b[K clears what a longer line left.
  fmt::print(out_, "\r{} {}{}\x1b[K", label_, bar, figures());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) {
    std::fputs("\r\x1b[K", out_);
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace vidpred
