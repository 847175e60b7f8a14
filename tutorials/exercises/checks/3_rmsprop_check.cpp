// Checks for exercise 3 (RMSprop). Run with `make exercise N=3`.
#include "3_rmsprop.h"
#include "exercise_check.h"

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
  exercise::check("each parameter keeps its own running average", [] {
    RMSprop opt(0.01f);
    nn::Param a{"a", nn::Tensor({2}, {1.0f, 1.0f}), nn::Tensor({2}, {0.5f, 0.5f}), true};
    nn::Param b{"b", nn::Tensor({3}, {1.0f, 1.0f, 1.0f}), nn::Tensor({3}, {5.0f, 5.0f, 5.0f}), true};
    opt.step({&a, &b});
    // Both move by lr / sqrt(0.1) = 0.0316228 whatever the gradient size: that is the point.
    std::string e = exercise::expect_near("a after one step", a.value[1], 0.9683772, 1e-5);
    return e.empty() ? exercise::expect_near("b after one step", b.value[2], 0.9683772, 1e-5) : e;
  });
  exercise::check("it trains a model (loss falls by half on a toy problem)", [] {
    nn::set_seed(4);
    nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16, "tanh"), nn::layers::Dense(1, "sigmoid")});
    model.compile(nn::losses::BinaryCrossentropy(), RMSprop(0.01f));
    nn::Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
    auto h = model.fit(x, y, {.batch_size = 4, .epochs = 300, .verbose = 0});
    if (h["loss"].back() < 0.5f * h["loss"].front()) return std::string();
    return "the loss went from " + std::to_string(h["loss"].front()) + " only to " + std::to_string(h["loss"].back());
  });
  return exercise::finish("your RMSprop");
}
