// Checks for exercise 4 (PReLU). Run with `make exercise N=4`.
#include "4_prelu.h"
#include "exercise_check.h"

namespace {

// A PReLU built for (2, 5) inputs with varied slopes, and a batch for it that stays clear
// of the kink at 0 (where a finite-difference step would cross it).
struct Setup {
  PReLU layer;
  nn::Tensor x;
  Setup() {
    layer.build_for({2, 5});
    nn::Rng rng(3);
    for (float& a : layer.params()[0]->value) a = rng.uniform(-0.5f, 0.8f);
    x = gradcheck::random_tensor({3, 2, 5}, rng, 2.0f);
    for (float& v : x) v += v < 0 ? -0.1f : 0.1f;
  }
};

// Trains `model` for a few steps and says whether the PReLU's slopes moved.
std::string slopes_learn(nn::Sequential& model, nn::Param& alpha, const char* where) {
  model.compile(nn::losses::MeanSquaredError(), nn::optimizers::SGD(0.1f));
  nn::Rng rng(8);
  nn::Tensor x = gradcheck::random_tensor({16, 4}, rng, 1.0f), y = gradcheck::random_tensor({16, 1}, rng, 1.0f);
  const nn::Tensor before = alpha.value;
  try {
    for (int step = 0; step < 5; ++step) model.train_on_batch(x, y);
  } catch (const nn::Error& e) {
    return exercise::training_failed(std::string("training with PReLU ") + where + " failed: " + e.what());
  }
  for (size_t i = 0; i < before.size(); ++i)
    if (alpha.value[i] != before[i]) return "";
  return std::string("after 5 training steps with PReLU ") + where +
         " no slope has moved: alpha's gradient stayed 0. Compute it in every backward, also when "
         "input_gradient_needed() is false (the first layer after Input)";
}

}  // namespace

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
    Setup s;
    return exercise::gradients_match(gradcheck::layer_report(s.layer, s.x, 4));
  });
  exercise::check("backward adds into alpha's gradient (call it twice: twice the gradient)", [] {
    Setup s;
    return contract::grads_added(s.layer, s.x, true, 1e-5);
  });
  exercise::check("backward overwrites dx: a reused dx buffer gives the same answer as a fresh one", [] {
    Setup s;
    return contract::dx_overwritten(s.layer, s.x);
  });
  exercise::check("as the first layer after Input (no dx wanted) alpha's gradient is the same", [] {
    Setup s;
    return contract::grads_without_dx(s.layer, s.x);
  });
  exercise::check("in a model, the slopes learn: PReLU first after Input, and after a Dense layer", [] {
    nn::set_seed(5);
    PReLU first;
    nn::Sequential a({nn::layers::Input({4}), first, nn::layers::Dense(1)});
    std::string e = slopes_learn(a, *a.layers()[1]->params()[0], "first after Input");
    if (!e.empty()) return e;
    nn::Sequential b({nn::layers::Input({4}), nn::layers::Dense(8), PReLU(), nn::layers::Dense(1)});
    return slopes_learn(b, *b.layers()[2]->params()[0], "after a Dense layer");
  });
  return exercise::finish("your PReLU layer");
}
