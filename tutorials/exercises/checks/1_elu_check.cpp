// Checks for exercise 1 (ELU). Run with `make exercise N=1`.
#include "1_elu.h"
#include "exercise_check.h"

int main() {
  std::printf("Exercise 1: the ELU layer\n");
  exercise::check("forward by hand: elu(2) = 2, elu(-1) = e^-1 - 1 = -0.632121, elu(0) = 0", [] {
    ELU elu;
    elu.build_for({3});
    nn::Tensor x({1, 3}, {2.0f, -1.0f, 0.0f}), y;
    elu.forward(x, y, false);
    if (y.shape() != x.shape()) return std::string("y should have the shape of x, got ") + nn::shape_str(y.shape());
    std::string e = exercise::expect_near("elu(2)", y[0], 2.0);
    if (e.empty()) e = exercise::expect_near("elu(-1)", y[1], -0.632121);
    if (e.empty()) e = exercise::expect_near("elu(0)", y[2], 0.0);
    return e;
  });
  exercise::check("alpha scales the negative side: ELU(0.5) of -2 = 0.5 (e^-2 - 1) = -0.432332", [] {
    ELU elu(0.5f);
    elu.build_for({1});
    nn::Tensor x({1, 1}, {-2.0f}), y;
    elu.forward(x, y, false);
    return exercise::expect_near("elu(-2)", y[0], -0.432332);
  });
  exercise::check("backward agrees with finite differences (shape (4, 7))", [] {
    ELU elu(1.3f);
    elu.build_for({7});
    nn::Rng rng(1);
    nn::Tensor x = gradcheck::random_tensor({4, 7}, rng, 2.0f);
    for (float& v : x) v += v < 0 ? -0.1f : 0.1f;  // stay clear of the kink at 0
    return exercise::gradients_match(gradcheck::layer_report(elu, x, 2));
  });
  exercise::check("backward overwrites dx: a reused dx buffer gives the same answer as a fresh one", [] {
    ELU elu(1.3f);
    elu.build_for({7});
    nn::Rng rng(6);
    return contract::dx_overwritten(elu, gradcheck::random_tensor({4, 7}, rng, 2.0f));
  });
  exercise::check("a model with your layer learns (loss halves on a toy problem)", [] {
    return exercise::loss_halves([] {
      nn::set_seed(4);
      nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16), ELU(), nn::layers::Dense(1, "sigmoid")});
      model.compile(nn::losses::BinaryCrossentropy(), nn::optimizers::Adam(0.05f));
      nn::Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
      return model.fit(x, y, {.batch_size = 4, .epochs = 200, .verbose = 0});
    });
  });
  return exercise::finish("your ELU layer");
}
