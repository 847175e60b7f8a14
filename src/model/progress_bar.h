// The Keras progress line:
//   1563/1563 [==============================] - 3s 2ms/step - loss: 1.3759 - accuracy: 0.5108
// On a terminal it redraws in place (with an ETA while running); when output goes to a
// file or pipe it prints one line at the end, so logs stay readable.
#pragma once
#include <chrono>
#include <iosfwd>
#include <string>

#include "model/history.h"

namespace nn {

class ProgressBar {
 public:
  // verbose: 0 silent, 1 bar, 2 one line per epoch. interactive: redraw in place.
  ProgressBar(int total_steps, int verbose, std::ostream& out, bool interactive);
  void update(int step, const Logs& logs);   // after `step` steps (1-based)
  void finish(const Logs& logs);             // the final line, then a newline

  // The pieces, public so tests can check them without a clock.
  static std::string bar(int step, int total);                  // "  12/1563 [>....]"
  static std::string format_logs(const Logs& logs);              // " - loss: 0.1234 - accuracy: 0.9"
  static std::string format_per_step(double seconds_per_step);  // "2ms/step"
  static std::string format_eta(double seconds);                 // "ETA: 1:05"
  static bool stdout_is_terminal();

 private:
  double elapsed() const;
  int total_, verbose_;
  std::ostream& out_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_;
  double last_draw_ = -1.0;
  size_t last_width_ = 0;
};

// Keras prints metric values as %.4f, or %.4e when |value| <= 1e-3 (0 prints 0.0000e+00).
std::string format_metric(float value);

}  // namespace nn
