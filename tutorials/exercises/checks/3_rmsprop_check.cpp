// Checks for exercise 3 (RMSprop). Run with `make exercise N=3`.
#include <cmath>

#include "3_rmsprop.h"
#include "exercise_check.h"

namespace {

// Keras's RMSprop for one number, in double: what every check below compares with.
//   v ← rho·v + (1 - rho)·g²      θ ← θ - lr·g / (√v + epsilon)
struct KerasRule {
  double lr, rho = 0.9, epsilon = 1e-7, v = 0;
  double step(double theta, double g) {
    v = rho * v + (1 - rho) * g * g;
    return theta - lr * g / (std::sqrt(v) + epsilon);
  }
};

// Runs your optimizer on one parameter for the given gradients, step by step, and compares
// θ after every step with Keras's rule. `hint` says what a mismatch usually means.
std::string follows_keras(const std::vector<float>& gradients, float lr, const std::string& hint) {
  RMSprop opt(lr);
  KerasRule keras{lr};
  nn::Param p{"w", nn::Tensor({1}, {1.0f}), nn::Tensor({1}), true};
  double want = 1.0;
  for (size_t i = 0; i < gradients.size(); ++i) {
    p.grad[0] = gradients[i];
    opt.step({&p});
    want = keras.step(want, gradients[i]);
    const std::string what = "θ after step " + std::to_string(i + 1) + " (gradient " + std::to_string(gradients[i]) + ")";
    const std::string e = exercise::expect_near(what.c_str(), p.value[0], want, 1e-5);
    if (!e.empty()) return e + "\n        " + hint;
  }
  return "";
}

}  // namespace

int main() {
  std::printf("Exercise 3: the RMSprop optimizer\n");
  exercise::check("two steps by hand (θ = 1, g = 0.5, lr 0.01)", [] {
    // step 1: v = 0.1 · 0.25 = 0.025,   θ = 1 - 0.01 · 0.5 / 0.1581139 = 0.9683772
    // step 2: v = 0.9 · 0.025 + 0.025 = 0.0475, θ -= 0.005 / 0.2179449 -> 0.9454356
    RMSprop opt(0.01f);
    nn::Param p{"w", nn::Tensor({1}, {1.0f}), nn::Tensor({1}, {0.5f}), true};
    opt.step({&p});
    std::string e = exercise::expect_near("θ after step 1", p.value[0], 0.9683772, 1e-5);
    if (!e.empty()) return e;
    p.grad[0] = 0.5f;
    opt.step({&p});
    return exercise::expect_near("θ after step 2", p.value[0], 0.9454356, 1e-5);
  });
  exercise::check("a negative gradient moves θ up (g = -0.5, -0.5, then 0.5)", [] {
    return follows_keras({-0.5f, -0.5f, 0.5f}, 0.01f,
                         "the step must keep the gradient's sign: θ -= lr · g / (√v + ε). Only v uses g² (which "
                         "forgets the sign); the step itself uses g");
  });
  exercise::check("tiny gradients (g = 1e-6) follow Keras's rule exactly: ε goes outside the square root", [] {
    // √v = 3.16e-7 here, so ε = 1e-7 matters: θ moves by lr · 1e-6 / (3.16e-7 + 1e-7) = 0.024
    return follows_keras({1e-6f, 1e-6f, 2e-6f}, 0.01f,
                         "epsilon belongs outside the square root: θ -= lr · g / (√v + ε), as Keras writes it. "
                         "With √(v + ε), tiny gradients hardly move θ at all");
  });
  exercise::check("each parameter keeps its own running average", [] {
    RMSprop opt(0.01f);
    nn::Param a{"a", nn::Tensor({2}, {1.0f, 1.0f}), nn::Tensor({2}, {0.5f, 0.5f}), true};
    nn::Param b{"b", nn::Tensor({3}, {1.0f, 1.0f, 1.0f}), nn::Tensor({3}, {5.0f, 5.0f, 5.0f}), true};
    opt.step({&a, &b});
    // Both move by lr / sqrt(0.1) = 0.0316228 whatever the gradient size: that is the point.
    std::string e = exercise::expect_near("a after one step", a.value[1], 0.9683772, 1e-5);
    if (e.empty()) e = exercise::expect_near("b after one step", b.value[2], 0.9683772, 1e-5);
    if (e.empty()) return e;
    return e + "\n        each parameter tensor needs its own v: take it from slot_state(v_, slot, n), whose slot "
               "numbers the parameters";
  });
  exercise::check("it trains a model (loss falls by half on a toy problem)", [] {
    return exercise::loss_halves([] {
      nn::set_seed(4);
      nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16, "tanh"), nn::layers::Dense(1, "sigmoid")});
      model.compile(nn::losses::BinaryCrossentropy(), RMSprop(0.01f));
      nn::Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
      return model.fit(x, y, {.batch_size = 4, .epochs = 300, .verbose = 0});
    }, "optimizer");
  });
  return exercise::finish("your RMSprop");
}
