// Choosing axis ranges and tick marks that a person can read.
//
// A "nice" step is 1, 2 or 5 times a power of ten (0.2, 5, 100, ...). For a linear axis we
// aim for about six ticks, pick the nice step closest to that, and widen the range to the
// enclosing multiples of the step, so a loss from 0.31 to 2.27 gets the axis 0 .. 2.5 with
// ticks every 0.5. On a log axis the ticks are powers of ten (plus 2 and 5 times them when
// the range is short).
#pragma once
#include <string>
#include <vector>

namespace nn::viz {

struct Axis {
  double lo = 0, hi = 1;  // the range the axis shows
  bool log = false;
  std::vector<double> ticks;        // positions, within [lo, hi], increasing
  std::vector<std::string> labels;  // one per tick
};

// The axis for data in [data_lo, data_hi] (equal ends are fine). exact = true keeps
// the range as given (user-chosen limits) instead of widening it to nice values.
// whole = true: ticks only at whole numbers (epochs, steps), so a step is at least 1.
Axis linear_axis(double data_lo, double data_hi, bool exact = false, bool whole = false);
// data_lo > 0 required (ValueError otherwise).
Axis log_axis(double data_lo, double data_hi, bool exact = false);

// 1, 2 or 5 times a power of ten near x > 0: rounded to the closest (round = true)
// or the smallest one >= x (round = false).
double nice_number(double x, bool round);

}  // namespace nn::viz
