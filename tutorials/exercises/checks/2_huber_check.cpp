// Checks for exercise 2 (Huber loss). Run with `make exercise N=2`.
#include "2_huber.h"
#include "exercise_check.h"

int main() {
  std::printf("Exercise 2: the Huber loss\n");
  exercise::check("value by hand: errors 0.5 and 3 with delta 1 -> (0.125 + 2.5) / 2 = 1.3125", [] {
    nn::Tensor p({1, 2}, {1.5f, 3.0f}), t({1, 2}, {1.0f, 0.0f});
    return exercise::expect_near("Huber().value", Huber().value(p, t), 1.3125);
  });
  exercise::check("delta changes where the square turns into a line: delta 2, error 3 -> 2 (3 - 1) = 4", [] {
    nn::Tensor p({1, 1}, {3.0f}), t({1, 1}, {0.0f});
    return exercise::expect_near("Huber(2).value", Huber(2.0f).value(p, t), 4.0);
  });
  exercise::check("gradient agrees with finite differences (shape (3, 5), errors inside and outside delta)", [] {
    nn::Rng rng(5);
    nn::Tensor p = gradcheck::random_tensor({3, 5}, rng, 3.0f), t = gradcheck::random_tensor({3, 5}, rng, 0.5f);
    for (size_t i = 0; i < p.size(); ++i)  // keep |error| away from delta, where the slope changes
      if (std::abs(std::abs(p[i] - t[i]) - 1.0f) < 0.05f) p[i] += 0.2f;
    return exercise::gradients_match(gradcheck::loss_report(Huber(), p, t));
  });
  exercise::check("an outlier pulls far less than with MSE", [] {
    nn::Tensor p({1, 1}, {10.0f}), t({1, 1}, {0.0f}), g_huber, g_mse;
    Huber().gradient(p, t, g_huber);
    nn::losses::MeanSquaredError().gradient(p, t, g_mse);
    if (g_huber.size() != 1) return std::string("gradient should have shape (1, 1)");
    std::string e = exercise::expect_near("Huber gradient at error 10", g_huber[0], 1.0);
    return e.empty() && !(g_mse[0] > 10 * g_huber[0]) ? std::string("MSE's gradient should be 20 times larger") : e;
  });
  return exercise::finish("your Huber loss");
}
