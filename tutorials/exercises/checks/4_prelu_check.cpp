// Checks for exercise 4 (PReLU). Run with `make exercise N=4`.
#include "4_prelu.h"
#include "exercise_check.h"

int main() {
  std::printf("Exercise 4: the PReLU layer\n");
  exercise::check("build creates one slope per feature, starting at 0 (summary: 3 params)", [] {
    PReLU layer;
    layer.build_for({5, 3});
    if (layer.count_params() != 3) return "expected 3 parameters, got " + std::to_string(layer.count_params());
    for (float a : layer.params()[0]->value)
      if (a != 0.0f) return std::string("alpha should start at 0");
    return std::string();
  });
  exercise::check("forward by hand: alpha = (0.5, 2); x = (3, -1), (-2, 4) -> (3, -2), (-1, 4)", [] {
    PReLU layer;
    layer.build_for({2});
    layer.params()[0]->value = nn::Tensor({2}, {0.5f, 2.0f});
    nn::Tensor x({2, 2}, {3, -1, -2, 4}), y;
    layer.forward(x, y, false);
    const float want[4] = {3, -2, -1, 4};
    for (int i = 0; i < 4; ++i) {
      std::string e = exercise::expect_near(("y[" + std::to_string(i) + "]").c_str(), y[i], want[i]);
      if (!e.empty()) return e;
    }
    return std::string();
  });
  exercise::check("backward (dx and dalpha) agrees with finite differences, shape (3, 2, 5)", [] {
    PReLU layer;
    layer.build_for({2, 5});
    nn::Rng rng(3);
    for (float& a : layer.params()[0]->value) a = rng.uniform(-0.5f, 0.8f);
    nn::Tensor x = gradcheck::random_tensor({3, 2, 5}, rng, 2.0f);
    for (float& v : x) v += v < 0 ? -0.1f : 0.1f;  // stay clear of the kink at 0
    return exercise::gradients_match(gradcheck::layer_report(layer, x, 4));
  });
  exercise::check("backward adds into alpha's gradient (call it twice: twice the gradient)", [] {
    PReLU layer;
    layer.build_for({2});
    layer.params()[0]->value = nn::Tensor({2}, {0.1f, 0.2f});
    nn::Tensor x({1, 2}, {-1.0f, -2.0f}), y, dy({1, 2}, {1.0f, 1.0f}), dx;
    layer.forward(x, y, true);
    layer.backward(dy, dx);
    layer.backward(dy, dx);
    return exercise::expect_near("alpha grad[1]", layer.params()[0]->grad[1], -4.0);
  });
  return exercise::finish("your PReLU layer");
}
