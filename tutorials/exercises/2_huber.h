// Exercise 2 — the Huber loss
//
// Mean squared error punishes an outlier by the square of its error, so one bad label can
// dominate training. The Huber loss is quadratic near zero and linear far away:
//     e = y_pred - y_true
//     h(e) = 0.5 e²                    if |e| <= delta
//     h(e) = delta (|e| - 0.5 delta)   otherwise           (delta = 1 by default, as in Keras)
//     L = mean of h(e) over every element (the last axis, then the batch — like MSE)
// and its gradient dL/dy_pred = h'(e) / (N·K) with h'(e) = e inside, delta·sign(e) outside.
//
// Your task: fill in value() and gradient(). src/losses/mean_squared_error.cpp is the
// closest relative. Then run
//     make exercise N=2
#pragma once
#include <cmath>

#include "nn.h"

class Huber : public nn::losses::Loss {
 public:
  explicit Huber(float delta = 1.0f) : delta_(delta) {}
  std::string name() const override { return "huber"; }
  std::unique_ptr<nn::losses::Loss> clone() const override { return std::make_unique<Huber>(*this); }

  // y_pred, y_true: (N, K) -> L
  float value(const nn::Tensor& y_pred, const nn::Tensor& y_true) const override {
    (void)y_pred;
    (void)y_true;
    throw nn::Error("not implemented yet: Huber::value");
  }

  // y_pred, y_true: (N, K) -> grad: (N, K)
  void gradient(const nn::Tensor& y_pred, const nn::Tensor& y_true, nn::Tensor& grad) const override {
    (void)y_pred;
    (void)y_true;
    (void)grad;
    throw nn::Error("not implemented yet: Huber::gradient (resize grad to y_pred's shape first)");
  }

 private:
  float delta_;
};
