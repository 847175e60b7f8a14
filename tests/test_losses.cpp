#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.h"
#include "nn.h"

using nn::Tensor;
namespace losses = nn::losses;

TEST_CASE("MSE by hand: mean over every element") {
  // ((0.5 - 0)² + (1 - 1)² + (0 - 2)² + (3 - 1)²) / 4 = (0.25 + 0 + 4 + 4) / 4 = 2.0625
  Tensor p({2, 2}, {0.5f, 1, 0, 3}), t({2, 2}, {0, 1, 2, 1});
  CHECK(losses::MeanSquaredError().value(p, t) == doctest::Approx(2.0625));
}

TEST_CASE("categorical cross-entropy by hand: sum over classes, mean over the batch") {
  // row 1: -log 0.7 = 0.3566749; row 2: -log 0.1 = 2.3025851; mean = 1.3296300
  Tensor p({2, 3}, {0.2f, 0.7f, 0.1f, 0.1f, 0.3f, 0.6f}), t({2, 3}, {0, 1, 0, 1, 0, 0});
  CHECK(losses::CategoricalCrossentropy().value(p, t) == doctest::Approx(1.3296300));
  // A probability of exactly 0 is clipped to 1e-7: -log(1e-7) = 16.118
  Tensor zero({1, 2}, {0, 1}), first({1, 2}, {1, 0});
  CHECK(losses::CategoricalCrossentropy().value(zero, first) == doctest::Approx(16.118).epsilon(1e-3));
}

TEST_CASE("binary cross-entropy by hand: mean over every element") {
  // -(log 0.8 + log(1 - 0.4)) / 2 = (0.2231436 + 0.5108256) / 2 = 0.3669846
  Tensor p({1, 2}, {0.8f, 0.4f}), t({1, 2}, {1, 0});
  CHECK(losses::BinaryCrossentropy().value(p, t) == doctest::Approx(0.3669846));
}

TEST_CASE("loss gradients match finite differences") {
  nn::Rng rng(31);
  // Shapes (3, 5): not a multiple of any SIMD width. Probabilities kept inside (0.05, 0.95).
  Tensor p({3, 5}), onehot({3, 5}), bits({3, 5}), reals({3, 5});
  for (float& v : p) v = rng.uniform(0.05f, 0.95f);
  for (int i = 0; i < 3; ++i) onehot[i * 5 + (i * 2) % 5] = 1;
  for (float& v : bits) v = rng.uniform() < 0.5f ? 1.0f : 0.0f;
  for (float& v : reals) v = rng.uniform(-2, 2);
  gradcheck::check_loss(losses::MeanSquaredError(), p, reals);
  gradcheck::check_loss(losses::CategoricalCrossentropy(), p, onehot);
  gradcheck::check_loss(losses::BinaryCrossentropy(), p, bits);
}

// d loss(activation(z)) / dz, numerically, for the routes from the logits. The value from
// the logits must agree with the value from the probabilities where nothing is clipped,
// and its gradient with finite differences of it.
static void check_fused(const losses::Loss& loss, nn::ActivationKind act, const Tensor& z_in, const Tensor& y) {
  REQUIRE(loss.computes_from_logits(act));
  const size_t rows = z_in.dim(0), cols = z_in.dim(1);
  Tensor p(z_in.shape()), dz;
  nn::activation_forward(act, z_in.data(), p.data(), rows, cols);
  CHECK(loss.value_from_logits(z_in, y) == doctest::Approx(loss.value(p, y)).epsilon(1e-5));
  loss.gradient_from_logits(z_in, y, dz);
  Tensor z = z_in;
  for (size_t i = 0; i < z.size(); ++i) {
    const float saved = z[i];
    z[i] = saved + 1e-2f;
    const double up = loss.value_from_logits(z, y);
    z[i] = saved - 1e-2f;
    const double down = loss.value_from_logits(z, y);
    z[i] = saved;
    const double numeric = (up - down) / 2e-2;
    INFO(loss.name(), " fused dL/dz[", i, "]: analytic ", dz[i], " numeric ", numeric);
    CHECK(gradcheck::close(dz[i], numeric));
  }
}

TEST_CASE("fused softmax + cross-entropy and sigmoid + binary cross-entropy gradients (p - y)") {
  nn::Rng rng(32);
  Tensor z = gradcheck::random_tensor({4, 6}, rng, 3.0f), onehot({4, 6}), bits({4, 6});
  for (int i = 0; i < 4; ++i) onehot[i * 6 + i] = 1;
  for (float& v : bits) v = rng.uniform() < 0.5f ? 1.0f : 0.0f;
  check_fused(losses::CategoricalCrossentropy(), nn::ActivationKind::softmax, z, onehot);
  check_fused(losses::BinaryCrossentropy(), nn::ActivationKind::sigmoid, z, bits);
  CHECK_FALSE(losses::MeanSquaredError().computes_from_logits(nn::ActivationKind::softmax));
}

TEST_CASE("losses reject mismatched shapes and suggest to_categorical for class ids") {
  Tensor p({4, 10}), ids({4});
  CHECK_THROWS_WITH_AS(losses::CategoricalCrossentropy().value(p, ids), doctest::Contains("to_categorical"),
                       nn::ShapeError);
}
