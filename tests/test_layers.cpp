#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.h"
#include "nn.h"

using nn::Shape;
using nn::Tensor;
namespace L = nn::layers;

TEST_CASE("Dense forward by hand: z = x·W + b, then relu") {
  L::Dense dense(3, "relu");
  dense.build_for({2});
  // W = [[1, -1, 0.5], [2, 0, -1]] stored (inputs, units); b = [0.5, 1, 0]
  dense.kernel().value = Tensor({2, 3}, {1, -1, 0.5f, 2, 0, -1});
  dense.bias().value = Tensor({3}, {0.5f, 1, 0});
  Tensor x({1, 2}, {1, 2}), y;
  dense.forward(x, y, false);
  // z = [1·1 + 2·2 + 0.5, 1·(-1) + 2·0 + 1, 1·0.5 + 2·(-1) + 0] = [5.5, 0, -1.5]; relu -> [5.5, 0, 0]
  CHECK(y.shape() == Shape{1, 3});
  CHECK(y[0] == doctest::Approx(5.5));
  CHECK(y[1] == 0.0f);
  CHECK(y[2] == 0.0f);
}

TEST_CASE("Dense initialises glorot_uniform kernels and zero biases") {
  nn::set_seed(1);
  L::Dense dense(200, "linear");
  dense.build_for({3072});
  const float limit = std::sqrt(6.0f / (3072 + 200));
  double sum = 0, sum2 = 0;
  for (float w : dense.kernel().value) {
    REQUIRE(std::abs(w) <= limit);
    sum += w;
    sum2 += double(w) * w;
  }
  const double n = dense.kernel().value.size();
  CHECK(std::abs(sum / n) < 0.01 * limit);
  // U(-l, l) has variance l²/3.
  CHECK(sum2 / n == doctest::Approx(limit * limit / 3.0).epsilon(0.02));
  for (float b : dense.bias().value) REQUIRE(b == 0.0f);
}

TEST_CASE("Dense gradients match finite differences, every activation") {
  nn::Rng rng(11);
  for (std::string act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"}) {
    CAPTURE(act);
    nn::set_seed(5);
    L::Dense dense(7, act);  // 7 and 5: not multiples of any SIMD width
    dense.build_for({5});
    for (float& b : dense.bias().value) b = rng.uniform(-0.5f, 0.5f);
    gradcheck::check_layer(dense, gradcheck::random_tensor({3, 5}, rng), 21);
  }
}

TEST_CASE("Dense adds into its parameter gradients (accumulation)") {
  nn::set_seed(3);
  L::Dense dense(4);
  dense.build_for({3});
  nn::Rng rng(2);
  Tensor x = gradcheck::random_tensor({2, 3}, rng), y, dy = gradcheck::random_tensor({2, 4}, rng), dx;
  dense.forward(x, y, true);
  dense.backward(dy, dx);
  Tensor once = dense.kernel().grad;
  dense.backward(dy, dx);
  for (size_t i = 0; i < once.size(); ++i) CHECK(dense.kernel().grad[i] == doctest::Approx(2 * once[i]));
}

TEST_CASE("Dense rejects inputs that are not vectors, naming the fix") {
  L::Dense dense(4);
  CHECK_THROWS_WITH_AS(dense.build_for({28, 28, 1}), doctest::Contains("Flatten"), nn::ShapeError);
  CHECK_THROWS_AS(L::Dense(0), nn::ValueError);
  CHECK_THROWS_AS(L::Dense(3, "relux"), nn::ValueError);
}

TEST_CASE("activation functions by hand") {
  auto run = [](const char* name, std::vector<float> in) {
    L::Activation act(name);
    act.build_for({static_cast<int>(in.size())});
    Tensor x({1, static_cast<int>(in.size())}, in), y;
    act.forward(x, y, false);
    return std::vector<float>(y.begin(), y.end());
  };
  CHECK(run("relu", {-1, 0, 2}) == std::vector<float>{0, 0, 2});
  auto leaky = run("leaky_relu", {-2, 3});
  CHECK(leaky[0] == doctest::Approx(-0.6));  // alpha 0.3 · -2
  CHECK(leaky[1] == 3.0f);
  CHECK(run("sigmoid", {0})[0] == doctest::Approx(0.5));
  CHECK(run("sigmoid", {2})[0] == doctest::Approx(1 / (1 + std::exp(-2.0))));
  CHECK(run("tanh", {0.5f})[0] == doctest::Approx(std::tanh(0.5)));
  CHECK(run("linear", {-3.5f})[0] == -3.5f);
  // softmax([1, 2, 3]) = e^i / (e + e² + e³) = [0.0900306, 0.2447285, 0.6652410]
  auto sm = run("softmax", {1, 2, 3});
  CHECK(sm[0] == doctest::Approx(0.0900306));
  CHECK(sm[1] == doctest::Approx(0.2447285));
  CHECK(sm[2] == doctest::Approx(0.6652410));
  // Subtracting the row max keeps huge logits finite.
  auto big = run("softmax", {1000, 1000});
  CHECK(big[0] == doctest::Approx(0.5));
}

TEST_CASE("Activation layer gradients match finite differences (softmax's own Jacobian too)") {
  nn::Rng rng(12);
  for (std::string act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"}) {
    CAPTURE(act);
    L::Activation layer(act);
    layer.build_for({9});
    // Keep inputs away from relu's kink at 0, where a finite difference straddles two slopes.
    Tensor x = gradcheck::random_tensor({4, 9}, rng, 2.0f);
    for (float& v : x) v += v < 0 ? -0.1f : 0.1f;
    gradcheck::check_layer(layer, x, 22);
  }
}

TEST_CASE("Flatten reshapes and passes gradients straight through") {
  L::Flatten flat;
  CHECK(flat.build_for({2, 3, 2}) == Shape{12});
  nn::Rng rng(13);
  Tensor x = gradcheck::random_tensor({2, 2, 3, 2}, rng), y;
  flat.forward(x, y, false);
  CHECK(y.shape() == Shape{2, 12});
  CHECK(y[17] == x[17]);
  gradcheck::check_layer(flat, x, 23);
}

TEST_CASE("a layer checks the shape of what it is given") {
  L::Dense dense(4);
  dense.build_for({3});
  Tensor wrong({2, 5}), y;
  CHECK_THROWS_WITH_AS(dense.forward(wrong, y, false), doctest::Contains("(None, 3)"), nn::ShapeError);
}

TEST_CASE("buffers are reused: a smaller batch uses a prefix, no new allocation") {
  nn::set_seed(4);
  L::Dense dense(6, "relu");
  dense.build_for({5});
  nn::Rng rng(14);
  Tensor big = gradcheck::random_tensor({32, 5}, rng), small = gradcheck::random_tensor({7, 5}, rng), y;
  dense.forward(big, y, true);
  const float* storage = y.data();
  dense.forward(small, y, true);
  CHECK(y.data() == storage);
  CHECK(y.shape() == Shape{7, 6});
}
