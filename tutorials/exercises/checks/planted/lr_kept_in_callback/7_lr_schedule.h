// Planted bug, for make test: exercise 7_lr_schedule with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/7_lr_schedule.h.
// The mistake: the new rate is kept in the callback and never given to the optimizer, so
// training goes on at the rate the optimizer was made with.
// expect-hint: set model.optimizer().learning_rate
// Exercise 7 — reference solution: a learning-rate schedule as a callback (Keras's
// LearningRateScheduler) and step decay.
//   before epoch e (0-based): optimizer.learning_rate = schedule(e, optimizer.learning_rate)
//   step_decay: initial · drop^floor(e / epochs_per_drop)
#pragma once
#include <cmath>
#include <functional>
#include <string>

#include "nn.h"

// schedule(epoch, lr): the learning rate for `epoch` (0-based), given the current rate.
using Schedule = std::function<float(int epoch, float lr)>;

// initial · drop^floor(epoch / epochs_per_drop), whatever the current rate
inline Schedule step_decay(float initial, float drop, int epochs_per_drop) {
  if (epochs_per_drop < 1)
    throw nn::ValueError("step_decay: epochs_per_drop must be >= 1, got " + std::to_string(epochs_per_drop));
  return [=](int epoch, float) {
    const int drops = epoch / epochs_per_drop;  // integer division: the floor, for epoch >= 0
    return initial * std::pow(drop, static_cast<float>(drops));
  };
}

class LearningRateScheduler : public nn::Callback {
 public:
  explicit LearningRateScheduler(Schedule schedule) : schedule_(std::move(schedule)) {
    if (!schedule_) throw nn::ValueError("LearningRateScheduler needs a schedule function");
  }

  // fit calls this before epoch `epoch` (0-based): the whole epoch trains with the new rate.
  void on_epoch_begin(int epoch, nn::Model& model, int& /*batch_size*/) override {
    nn::optimizers::Optimizer& optimizer = model.optimizer();
    const float lr = schedule_(epoch, optimizer.learning_rate);
    if (!(lr > 0.0f) || !std::isfinite(lr))
      throw nn::ValueError("LearningRateScheduler: the schedule returned " + std::to_string(lr) + " for epoch " +
                           std::to_string(epoch) + " (counted from 0); a learning rate must be a positive number");
    rate_ = lr;  // remembered here, never handed to the optimizer
  }
  float rate_ = 0;

 private:
  Schedule schedule_;
};
