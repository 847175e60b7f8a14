// Checks for exercise 8 (SGD with Nesterov momentum). Run with `make exercise N=8`.
#include <cmath>

#include "8_sgd_nesterov.h"
#include "exercise_check.h"

namespace {

// Keras's SGD(momentum, nesterov=True) for one number, in double: what the checks compare
// with. Each kind is also a way to get it wrong, so that a mismatch can be named.
enum class Rule { keras, plain_momentum, velocity_forgotten, pytorch };
struct Simulated {
  Rule rule;
  double momentum, v = 0, theta = 1.0;
  void step(double g, double lr) {
    switch (rule) {
      case Rule::keras:  // v ← μ·v - lr·g;  θ ← θ + μ·v - lr·g
        v = momentum * v - lr * g;
        theta += momentum * v - lr * g;
        break;
      case Rule::plain_momentum:  // θ ← θ + v
        v = momentum * v - lr * g;
        theta += v;
        break;
      case Rule::velocity_forgotten:  // v back to 0 before every step
        v = -lr * g;
        theta += momentum * v - lr * g;
        break;
      case Rule::pytorch:  // buf ← μ·buf + g;  θ ← θ - lr·(g + μ·buf)
        v = momentum * v + g;
        theta -= lr * (g + momentum * v);
        break;
    }
  }
};

// Why θ went wrong, when it matches a typical mistake's trajectory.
std::string name_the_mistake(const std::vector<float>& gradients, const std::vector<float>& rates, double momentum,
                             double got) {
  const std::pair<Rule, const char*> mistakes[] = {
      {Rule::plain_momentum,
       "that is plain momentum (θ += v): Nesterov looks ahead, θ += momentum · v - lr · g, with v already updated"},
      {Rule::velocity_forgotten,
       "the velocity must be kept between steps: every step here starts from v = 0. Take it from "
       "slot_state(velocity_, slot, n), not from a local variable"},
      {Rule::pytorch,
       "that is PyTorch's form (buf ← momentum·buf + g; θ -= lr·(g + momentum·buf)): it agrees with Keras only "
       "while lr stays the same. Keras keeps lr inside the velocity: v ← momentum·v - lr·g"},
  };
  for (const auto& [rule, hint] : mistakes) {
    Simulated s{rule, momentum};
    for (size_t i = 0; i < gradients.size(); ++i) s.step(gradients[i], rates[i]);
    if (std::abs(s.theta - got) <= 1e-5 * std::max(1.0, std::abs(got))) return std::string("\n        ") + hint;
  }
  return "";
}

// Runs your optimizer on one parameter for the given gradients (rates[i]: the learning rate
// of step i, set before it) and compares θ after every step with Keras's rule.
std::string follows_keras(const std::vector<float>& gradients, const std::vector<float>& rates, float momentum,
                          const std::string& hint = "") {
  SGDNesterov opt(rates[0], momentum);
  Simulated keras{Rule::keras, momentum};
  nn::Param p{"w", nn::Tensor({1}, {1.0f}), nn::Tensor({1}), true};
  for (size_t i = 0; i < gradients.size(); ++i) {
    opt.learning_rate = rates[i];
    p.grad[0] = gradients[i];
    opt.step({&p});
    keras.step(gradients[i], rates[i]);
    char what[120];
    std::snprintf(what, sizeof what, "θ after step %zu (gradient %g, lr %g)", i + 1, gradients[i], rates[i]);
    const std::string e = exercise::expect_near(what, p.value[0], keras.theta, 1e-5);
    if (e.empty()) continue;
    const std::vector<float> g(gradients.begin(), gradients.begin() + i + 1), r(rates.begin(), rates.begin() + i + 1);
    const std::string named = name_the_mistake(g, r, momentum, p.value[0]);
    return e + (named.empty() ? (hint.empty() ? "" : "\n        " + hint) : named);
  }
  return "";
}

}  // namespace

int main() {
  std::printf("Exercise 8: SGD with Nesterov momentum\n");
  exercise::check("two steps by hand (θ = 1, g = 0.5, lr 0.1, momentum 0.9): 0.905, then 0.7695", [] {
    // step 1: v = -0.05;                 θ += 0.9 · (-0.05) - 0.05  = -0.095  -> 0.905
    // step 2: v = 0.9 · (-0.05) - 0.05 = -0.095;  θ += 0.9 · (-0.095) - 0.05 = -0.1355 -> 0.7695
    // (plain momentum: 0.95, 0.855)
    return follows_keras({0.5f, 0.5f}, {0.1f, 0.1f}, 0.9f);
  });
  exercise::check("Keras's rule, step by step, with negative gradients and turns (lr 0.05, momentum 0.8)", [] {
    return follows_keras({0.5f, -1.0f, 0.25f, 2.0f, -0.1f, -0.1f}, std::vector<float>(6, 0.05f), 0.8f,
                         "each step: v ← momentum·v - lr·g, then θ += momentum·v - lr·g, with g as it is (its "
                         "sign too)");
  });
  exercise::check("momentum 0 is plain SGD: θ -= lr · g", [] {
    return follows_keras({0.5f, -2.0f, 1.0f}, {0.1f, 0.1f, 0.1f}, 0.0f, "with momentum 0, θ += 0·v - lr·g");
  });
  exercise::check("a learning rate changed between steps (as a schedule does) is used at once", [] {
    return follows_keras({0.5f, 0.5f, 0.5f, 0.5f}, {0.1f, 0.1f, 0.01f, 0.01f}, 0.9f,
                         "read learning_rate at every step, in update(): a schedule (exercise 7) changes it "
                         "between epochs, so a copy taken once goes stale");
  });
  exercise::check("each parameter keeps its own velocity", [] {
    SGDNesterov opt(0.1f, 0.9f);
    nn::Param a{"a", nn::Tensor({2}, {1.0f, 1.0f}), nn::Tensor({2}), true};
    nn::Param b{"b", nn::Tensor({2}, {1.0f, 1.0f}), nn::Tensor({2}), true};
    Simulated ka{Rule::keras, 0.9}, kb{Rule::keras, 0.9};
    for (int step = 0; step < 3; ++step) {
      a.grad.fill(0.5f);
      b.grad.fill(-1.0f);
      opt.step({&a, &b});
      ka.step(0.5, 0.1);
      kb.step(-1.0, 0.1);
    }
    std::string e = exercise::expect_near("a after 3 steps", a.value[1], ka.theta, 1e-5);
    if (e.empty()) e = exercise::expect_near("b after 3 steps", b.value[0], kb.theta, 1e-5);
    if (e.empty()) return e;
    return e + "\n        each parameter tensor needs its own velocity: take it from slot_state(velocity_, slot, n), "
               "whose slot numbers the parameters";
  });
  exercise::check("it trains a model (loss falls by half on a toy problem)", [] {
    return exercise::loss_halves([] {
      nn::set_seed(4);
      nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16, "tanh"), nn::layers::Dense(1, "sigmoid")});
      model.compile(nn::losses::BinaryCrossentropy(), SGDNesterov(0.1f, 0.9f));
      nn::Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
      return model.fit(x, y, {.batch_size = 4, .epochs = 300, .verbose = 0});
    }, "optimizer");
  });
  return exercise::finish("your SGD with Nesterov momentum");
}
