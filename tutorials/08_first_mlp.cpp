// 08 — Your first model (stand-in)
//
// The library's layers and model API are still being built. Until they land, this program
// trains the simplest model there is — logistic regression, one weight per input plus a
// bias — by gradient descent on a synthetic two-class problem, using only nn::Tensor and
// nn::Rng. It is real training: the loss printed each epoch goes down and the accuracy up.
//
// Expected output: loss falls from ~0.69 to below 0.3 and accuracy rises above 90%.
#include <cmath>
#include <cstdio>

#include "nn.h"

int main() {
  nn::set_seed(42);
  nn::Rng& rng = nn::global_rng();
  const int n = 2000, d = 2;
  // Two clouds of points: class 1 centred at (1, 1), class 0 at (-1, -1).
  nn::Tensor x({n, d}), y({n});
  for (int i = 0; i < n; ++i) {
    y[i] = static_cast<float>(i % 2);
    float centre = y[i] ? 1.0f : -1.0f;
    for (int j = 0; j < d; ++j) x[i * d + j] = rng.normal(centre, 1.0f);
  }
  std::printf("[1] data: %d points in %d dimensions, two classes\n", n, d);
  nn::Tensor w({d});
  float b = 0, lr = 0.5f;
  std::printf("[2] training logistic regression p = sigmoid(x.w + b) by gradient descent\n");
  for (int epoch = 1; epoch <= 10; ++epoch) {
    nn::Tensor grad_w({d});
    float grad_b = 0, loss = 0;
    int correct = 0;
    for (int i = 0; i < n; ++i) {
      float z = b;
      for (int j = 0; j < d; ++j) z += x[i * d + j] * w[j];
      float p = 1.0f / (1.0f + std::exp(-z));
      loss += -(y[i] * std::log(p + 1e-7f) + (1 - y[i]) * std::log(1 - p + 1e-7f));
      correct += (p > 0.5f) == (y[i] > 0.5f);
      for (int j = 0; j < d; ++j) grad_w[j] += (p - y[i]) * x[i * d + j] / n;
      grad_b += (p - y[i]) / n;
    }
    for (int j = 0; j < d; ++j) w[j] -= lr * grad_w[j];
    b -= lr * grad_b;
    std::printf("epoch %2d  loss %.4f  accuracy %.3f\n", epoch, loss / n, correct / double(n));
  }
  return 0;
}
