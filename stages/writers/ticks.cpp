// The numbers on a plot's axes (declared in plot.h): which values get a
// tick, and how each is written.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "stages/writers/plot.h"

namespace vidpred::stages {

namespace {

// Heckbert's "nice numbers": 1, 2 or 5 times a power of ten near x, rounded
// to the nearest (`round`) or the next one up (to cover a range).
double nice_number(double x, bool round) {
  double exponent = std::floor(std::log10(x));
  double fraction = x / std::pow(10.0, exponent);
  // A range computed as 0.55 - 0.45 is 0.1 plus a rounding error: not a reason for the next nice number.
  constexpr double kSlack = 1e-9;
  double nice;
  if (round) {
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  } else {
    nice = fraction <= 1 + kSlack ? 1 : fraction <= 2 + kSlack ? 2 : fraction <= 5 + kSlack ? 5 : 10;
  }
  return nice * std::pow(10.0, exponent);
}

}  // namespace

Ticks nice_ticks(double low, double high, int target) {
  if (low > high) std::swap(low, high);
  if (!(high > low)) {  // one value: a range around it
    double pad = low == 0 ? 1.0 : std::abs(low) * 0.1;
    low -= pad, high += pad;
  }
  Ticks ticks;
  if (!std::isfinite(high - low)) {  // a range wider than a double holds: just its ends
    ticks.step = high / 2 - low / 2;
    ticks.values = {low, high};
    return ticks;
  }
  target = std::max(target, 2);
  ticks.step = nice_number(nice_number(high - low, false) / (target - 1), true);
  double first = std::floor(low / ticks.step) * ticks.step;
  int count = int(std::lround(std::ceil(high / ticks.step) - std::floor(low / ticks.step))) + 1;
  for (int i = 0; i < count; ++i) {
    double value = first + i * ticks.step;
    if (std::abs(value) < ticks.step * 1e-9) value = 0;  // no "-0" or 1e-17 from rounding
    ticks.values.push_back(value);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  if (value == 0) return "0";
  double magnitude = std::max(std::abs(value), std::abs(step));
  if (magnitude >= 1e6 || std::abs(step) < 1e-4) return fmt::format("{:.3g}", value);
  int decimals = std::max(0, -int(std::floor(std::log10(std::abs(step)) + 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

Ticks ticks_within(double low, double high, int target, bool integers) {
  Ticks ticks = nice_ticks(low, high, target);
  if (!(high > low) || !std::isfinite(high - low)) return ticks;  // one value, or beyond a double: as nice_ticks
  if (integers && ticks.step < 1) {  // a narrow range of whole numbers: no ticks between them
    ticks.step = 1;
    ticks.values.clear();
    for (double v = std::ceil(low); v <= high; ++v) ticks.values.push_back(v);
  }
  const double slack = ticks.step * 1e-9;
  std::vector<double> inside;
  for (double v : ticks.values) {
    if (v >= low - slack && v <= high + slack) inside.push_back(v);
  }
  if (inside.empty()) inside = {low, high};
  ticks.values = inside;
  return ticks;
}

}  // namespace vidpred::stages
