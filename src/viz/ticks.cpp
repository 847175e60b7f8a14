#include "viz/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tensor/error.h"
#include "viz/svg_util.h"

namespace nn::viz {
namespace {

constexpr int kTargetTicks = 6;
constexpr int kMaxTicks = 60;  // a guard: never emit thousands of ticks, whatever the input

std::string format_tick(double v, double step, double magnitude) {
  if (magnitude >= 1e6 || (step > 0 && step < 1e-4)) {
    // Scientific notation with as many significant digits as tell the ticks apart:
    // 0.0004558 and 0.0004559 need 4, 2.0e-06 and 2.5e-06 need 2.
    int digits = 4;
    if (step > 0 && magnitude > 0)
      digits = std::clamp(static_cast<int>(std::floor(std::log10(magnitude)) - std::floor(std::log10(step))) + 1, 1, 15);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
  }
  // Enough decimals to tell neighbouring ticks apart: step 0.05 -> 2 decimals.
  int decimals = step > 0 ? std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))) : 2;
  return svg_number(v, decimals);
}

std::string format_power_tick(double v, int exponent) {
  if (exponent >= -4 && exponent <= 5) return svg_number(v, std::max(0, -exponent));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0e", v);  // 1e-07, 2e+08
  return buf;
}

}  // namespace

double nice_number(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);  // in [1, 10)
  double nice;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

Axis linear_axis(double lo, double hi, bool exact, bool whole) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {  // a flat line: give it room above and below
    const double pad = lo != 0 ? std::abs(lo) * 0.1 : 1.0;
    lo -= pad;
    hi += pad;
  }
  Axis axis;
  double step = nice_number(nice_number(hi - lo, false) / (kTargetTicks - 1), true);
  if (whole) step = std::max(1.0, step);  // nice steps of 1 or more are whole: 1, 2, 5, 10, ...
  if (!std::isfinite(step) || step <= 0) {  // a range too wide for doubles: just mark the ends
    axis.lo = lo, axis.hi = hi;
    axis.ticks = {lo, hi};
    axis.labels = {format_tick(lo, 0, 1e300), format_tick(hi, 0, 1e300)};
    return axis;
  }
  if (!exact) {
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
  }
  axis.lo = lo, axis.hi = hi;
  const double magnitude = std::max(std::abs(lo), std::abs(hi));
  // Ticks as integer multiples of the step (adding the step repeatedly would drift).
  const double first = std::ceil(lo / step - 1e-9);
  for (int i = 0; i < kMaxTicks; ++i) {
    double v = (first + i) * step;
    if (v > hi + step * 1e-9) break;
    if (std::abs(v) < step * 1e-9) v = 0;  // no "-0" or "5.55e-17"
    axis.ticks.push_back(v);
    axis.labels.push_back(format_tick(v, step, magnitude));
  }
  return axis;
}

Axis log_axis(double lo, double hi, bool exact) {
  if (!(lo > 0) || !(hi > 0))
    throw ValueError("a log-scale axis needs positive limits, got " + svg_number(lo, 6) + " .. " + svg_number(hi, 6));
  if (hi < lo) std::swap(lo, hi);
  int e_lo = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  int e_hi = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  if (e_hi <= e_lo) e_hi = e_lo + 1;
  Axis axis;
  axis.log = true;
  axis.lo = exact ? lo : std::pow(10.0, e_lo);
  axis.hi = exact ? hi : std::pow(10.0, e_hi);
  if (axis.hi <= axis.lo) axis.hi = axis.lo * 10;
  // Label every decade while there are few; every 2nd, 3rd, ... when there are many.
  const int decades = e_hi - e_lo;
  const int stride = std::max(1, (decades + 7) / 8);
  const bool minor = decades <= 2;  // a short range also gets 2x and 5x ticks
  for (int e = e_lo; e <= e_hi && static_cast<int>(axis.ticks.size()) < kMaxTicks; ++e) {
    const double decade = std::pow(10.0, e);
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !minor) continue;
      if (m == 1.0 && (e - e_lo) % stride != 0) continue;
      const double v = m * decade;
      if (v < axis.lo * (1 - 1e-9) || v > axis.hi * (1 + 1e-9)) continue;
      axis.ticks.push_back(v);
      axis.labels.push_back(format_power_tick(v, e));
    }
  }
  return axis;
}

}  // namespace nn::viz
