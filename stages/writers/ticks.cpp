// The numbers on a plot's axes (declared in plot.h): which values get a
// tick, and how each is written.
#include <algorithm>
#include <cmath>
#include <iterator>

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

namespace {

// Whole numbers (frames, epochs): the first value always has a tick, so that
// the start of a curve is labelled. Small steps count from it (3, 5, 7, ...
// or every frame); larger ones keep their round values (20, 40, ...) and put
// the first value in front of them, or in place of the first where it would
// crowd it.
Ticks integer_ticks(double low, double high, double nice_step) {
  Ticks ticks;
  ticks.step = std::max(1.0, nice_step);
  if (ticks.step <= 2) {
    for (double v = low; v <= high; v += ticks.step) ticks.values.push_back(v);
    return ticks;
  }
  for (double v = std::ceil(low / ticks.step) * ticks.step; v <= high; v += ticks.step) ticks.values.push_back(v);
  if (ticks.values.empty() || ticks.values.front() - low >= ticks.step / 2) {
    ticks.values.insert(ticks.values.begin(), low);
  } else {
    ticks.values.front() = low;
  }
  return ticks;
}

}  // namespace

Ticks ticks_within(double low, double high, int target, bool integers) {
  Ticks ticks = nice_ticks(low, high, target);
  if (!(high > low) || !std::isfinite(high - low)) return ticks;  // one value, or beyond a double: as nice_ticks
  if (integers) return integer_ticks(low, high, ticks.step);
  const double slack = ticks.step * 1e-9;
  std::vector<double> inside;
  for (double v : ticks.values) {
    if (v >= low - slack && v <= high + slack) inside.push_back(v);
  }
  if (inside.empty()) inside = {low, high};
  ticks.values = inside;
  return ticks;
}

namespace {

// 1, 2 and 5 times the powers of ten from 10^first_exponent on, ascending.
std::vector<double> one_two_five(int first_exponent, int last_exponent) {
  std::vector<double> values;
  for (int e = first_exponent; e <= last_exponent; ++e) {
    for (double m : {1.0, 2.0, 5.0}) values.push_back(m * std::pow(10.0, e));
  }
  return values;
}

}  // namespace

Ticks log_ticks(double low, double high) {
  if (low > high) std::swap(low, high);
  Ticks ticks;
  ticks.step = 10;
  ticks.log = true;
  if (!(low > 0) || !std::isfinite(high)) return ticks;
  const std::vector<double> candidates =
      one_two_five(int(std::floor(std::log10(low))) - 1, int(std::ceil(std::log10(high))) + 1);
  // The axis ends at the nearest 1, 2 or 5 times a power of ten around the
  // data (a step further out for one value), so that the curve fills it.
  auto at_or_below = std::prev(std::upper_bound(candidates.begin(), candidates.end(), low * (1 + 1e-12)));
  auto at_or_above = std::lower_bound(candidates.begin(), candidates.end(), high * (1 - 1e-12));
  if (at_or_below == at_or_above) --at_or_below, ++at_or_above;
  // Within two decades 2 and 5 get ticks too; beyond, powers of ten only.
  const bool few_decades = *at_or_above / *at_or_below <= 100 * (1 + 1e-9);
  for (auto it = at_or_below; it <= at_or_above; ++it) {
    const bool power_of_ten = std::abs(std::log10(*it) - std::round(std::log10(*it))) < 1e-9;
    if (few_decades || power_of_ten || it == at_or_below || it == at_or_above) ticks.values.push_back(*it);
  }
  return ticks;
}

std::vector<std::string> tick_labels(const Ticks& ticks) {
  std::vector<std::string> labels;
  for (double v : ticks.values) labels.push_back(ticks.log ? fmt::format("{:g}", v) : tick_label(v, ticks.step));
  return labels;
}

}  // namespace vidpred::stages
