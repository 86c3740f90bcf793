#include "pipeline/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace vidpred {
using Clock = std::chrono::steady_clock;

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string format_duration(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes)
    : ProgressBar(std::move(label), total, std::move(unit), total_bytes, stderr_is_terminal()) {}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, uint64_t total_bytes,
                         bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      total_bytes_(total_bytes),
      enabled_(enabled),
      start_(Clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

double ProgressBar::seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressBar::advance(uint64_t units, uint64_t bytes) {
  done_ += units;
  bytes_ += bytes;
  draw(false);
}

void ProgressBar::set_status(std::string status) {
  status_ = std::move(status);
  draw(false);
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  auto now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100) && done_ != total_) return;
  last_draw_ = now;
  double elapsed = seconds();
  double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  std::string line = fmt::format("\r{} ", label_);
  if (total_ > 0) {
    constexpr int kWidth = 24;
    int filled = static_cast<int>(kWidth * std::min<double>(1.0, double(done_) / total_));
    line += fmt::format("[{}{}] {}/{} {}", std::string(filled, '#'), std::string(kWidth - filled, ' '),
                        done_, total_, unit_);
  } else {
    line += fmt::format("{} {}", done_, unit_);
  }
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
  if (!status_.empty()) line += " " + status_;
  line += "\x1b[K";  // clear the rest of the line
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace vidpred
