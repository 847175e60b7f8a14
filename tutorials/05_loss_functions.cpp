// 05 — Loss functions: how wrong is a prediction?
//
// Training needs one number that says how bad the current predictions are, and that
// number must shrink exactly when predictions improve. The chapter uses three:
//   mean squared error        regression (predict a number):      mean of (y - p)²
//   categorical cross-entropy one class out of several (softmax): -Σ y·log p, per sample
//   binary cross-entropy      yes/no outputs (sigmoid):           -[y log p + (1-y) log(1-p)]
// We compute each by hand and with the library on the same predictions, then look at how
// each loss and its GRADIENT (what training follows) treat a wrong answer, and draw each loss
// against the probability given to the true answer (out/05_losses.svg).
//
// Where this lives in the library: src/losses/mean_squared_error.cpp,
// categorical_crossentropy.cpp, binary_crossentropy.cpp (each file opens with its formula;
// value() is the loss, gradient() its derivative with respect to the predictions).
//
// Expected output: hand and library values agree in every digit (MSE 0.077500, categorical
// cross-entropy 0.524911, binary cross-entropy 0.231018), then a table: at q = 0.01 (a
// confident wrong answer) MSE is 0.9801 with a gradient of -1.98, while cross-entropy is
// 4.6052 with a gradient of -100.00. MSE's gradient -2(1 - q) can never exceed 2; cross-
// entropy's -1/q grows without bound as the answer gets more confidently wrong.
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

  tutorial::section(args, 4, "How hard each loss punishes a wrong answer, and how hard it pulls");
  // Two classes, true class 0. The model gives it probability q (and 1 - q to the other):
  //   MSE = ((q - 1)² + (1 - q)²) / 2 = (1 - q)²     its slope in q: -2(1 - q)
  //   CE  = -log q                                   its slope in q: -1/q
  // Training moves q along the slope, so the slope says how hard a loss pulls a wrong
  // answer back. The library's gradient() gives dL/dp for both outputs; q moves both
  // (p = (q, 1 - q)), so dL/dq = dL/dp0 - dL/dp1.
  std::printf("  q = probability given to the true class\n");
  std::printf("      q      MSE   dMSE/dq = -2(1-q)   cross-entropy   dCE/dq = -1/q\n");
  std::vector<double> qs, mse, cce;
  Tensor g;
  for (int i = 1; i <= 99; ++i) {
    const float q = i / 100.0f;
    const Tensor p({1, 2}, {q, 1 - q}), y({1, 2}, {1, 0});
    qs.push_back(q);
    mse.push_back(nn::losses::MeanSquaredError().value(p, y));
    nn::losses::MeanSquaredError().gradient(p, y, g);
    const double mse_slope = g[0] - g[1];
    cce.push_back(nn::losses::CategoricalCrossentropy().value(p, y));
    nn::losses::CategoricalCrossentropy().gradient(p, y, g);
    const double cce_slope = g[0] - g[1];
    if (i == 1 || i == 10 || i == 50 || i == 90 || i == 99)
      std::printf("   %.2f   %.4f   %17.2f   %13.4f   %13.2f\n", q, mse.back(), mse_slope, cce.back(), cce_slope);
  }
  std::printf("  At q = 0.01 MSE says 0.98 (it can never pass 1) and pulls with -1.98 (never more than 2),\n"
              "  while cross-entropy says 4.6 and pulls with -100: the more confidently wrong the answer,\n"
              "  the harder it is pulled back, so it is fixed fast. MSE pulls hardest at q = 0 and even\n"
              "  then only with 2. That is why classifiers (softmax outputs) use cross-entropy, and\n"
              "  regressions use MSE.\n");
  nn::viz::LineChart chart("Loss against the probability of the true class");
  chart.x_label("probability given to the true class").y_label("loss");
  chart.add_series("categorical cross-entropy: -log q", qs, cce);
  chart.add_series("mean squared error", qs, mse);
  chart.save(tutorial::out_path(args, "05_losses.svg"));
  std::printf("  chart: %s\n", tutorial::out_path(args, "05_losses.svg").c_str());

  tutorial::section(args, 5, "Which loss when");
  std::printf("  a number (price, coordinate)        -> linear output + mean squared error\n"
              "  one class out of K (image classes)  -> softmax output + categorical cross-entropy\n"
              "  independent yes/no answers          -> sigmoid outputs + binary cross-entropy\n");
  return 0;
}
