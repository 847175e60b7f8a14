// Exercise 7 — a learning-rate schedule, as a callback
//
// Tutorial 06 shows how much the learning rate decides: too small and training crawls, too
// large and the loss jumps about. A common remedy is to start large and take smaller steps
// as training settles. Tutorial 07 changes the batch size during training with a callback
// (BatchSizeScheduler in src/model/callbacks.cpp: fit calls its on_epoch_begin before every
// epoch). Here you write its twin for the learning rate, Keras's LearningRateScheduler:
//     before each epoch (epoch = 0, 1, 2, ...: counted from 0, as in Keras and fit)
//         lr = schedule(epoch, the current rate)        the current rate is
//         model.optimizer().learning_rate = lr          model.optimizer().learning_rate
//     and every training step of that epoch uses lr.
// and the classic schedule to give it, step decay, which divides the rate every few epochs:
//     step_decay(initial, drop, epochs_per_drop)(epoch, lr) = initial · drop^floor(epoch / epochs_per_drop)
// e.g. step_decay(0.1, 0.5, 2) gives 0.1, 0.1, 0.05, 0.05, 0.025, ... It ignores lr; a
// schedule like [](int, float lr) { return lr * 0.9f; } uses it (10% smaller every epoch).
//
// Your task: step_decay (epochs_per_drop < 1 is an nn::ValueError) and on_epoch_begin. A
// schedule that returns something other than a positive finite number is an nn::ValueError
// that names the epoch (the optimizer's constructor refuses such a rate too:
// src/optimizers/optimizer.cpp). Use it like any callback:
//     model.fit(x, y, {.epochs = 10,
//                      .callbacks = {std::make_shared<LearningRateScheduler>(step_decay(0.01f, 0.5f, 3))}});
// Then run
//     make exercise N=7
// The mistakes the checks look for: epochs counted from 1; a rate kept in the callback that
// never reaches the optimizer; a rate set too late (in on_epoch_end the epoch is already
// trained); step decay without the floor (a rate that falls every epoch, not in steps); the
// first rate given to the schedule every time instead of the current one.
#pragma once
#include <cmath>
#include <functional>
#include <string>

#include "nn.h"

// schedule(epoch, lr): the learning rate for `epoch` (0-based), given the current rate.
using Schedule = std::function<float(int epoch, float lr)>;

// initial · drop^floor(epoch / epochs_per_drop), whatever the current rate
inline Schedule step_decay(float initial, float drop, int epochs_per_drop) {
  (void)initial;
  (void)drop;
  (void)epochs_per_drop;
  throw nn::Error("not implemented yet: step_decay (return a lambda [=](int epoch, float) { ... })");
}

class LearningRateScheduler : public nn::Callback {
 public:
  explicit LearningRateScheduler(Schedule schedule) : schedule_(std::move(schedule)) {
    if (!schedule_) throw nn::ValueError("LearningRateScheduler needs a schedule function");
  }

  // fit calls this before epoch `epoch` (0-based). model.optimizer() is the optimizer fit
  // steps with; batch_size is BatchSizeScheduler's business, leave it alone.
  void on_epoch_begin(int epoch, nn::Model& model, int& /*batch_size*/) override {
    (void)epoch;
    (void)model;
    throw nn::Error("not implemented yet: LearningRateScheduler::on_epoch_begin");
  }

 private:
  Schedule schedule_;
};
