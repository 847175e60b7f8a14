// Checks for exercise 6 (BatchNormalization's backward). Run with `make exercise N=6`.
#include "6_batch_norm_backward.h"
#include "exercise_check.h"
#include "reference/batch_norm.h"  // the library's plain loops: what yours is compared with

namespace {

// A BatchNorm built for `x`, with varied gamma and beta, and a dy for it.
struct Setup {
  BatchNorm layer;
  nn::Tensor x, dy;
  explicit Setup(const nn::Shape& shape, uint64_t seed = 3) {
    layer.build_for(nn::Shape(shape.begin() + 1, shape.end()));
    nn::Rng rng(seed);
    for (float& g : layer.params()[0]->value) g = rng.uniform(0.5f, 2.0f);
    for (float& b : layer.params()[1]->value) b = rng.uniform(-0.5f, 0.5f);
    x = gradcheck::random_tensor(shape, rng, 2.0f);
    dy = gradcheck::random_tensor(shape, rng, 1.0f);
  }
};

float max_difference(const nn::Tensor& a, const std::vector<float>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// dx the way a typical mistake computes it (all flags true: the right one). `m` is the
// count the means divide by. x̂, s and γ are the layer's.
std::vector<float> dx_variant(const nn::Tensor& dy, const nn::Tensor& x, const std::vector<float>& gamma, double m,
                              bool mean_term, bool xhat_term) {
  const size_t c = gamma.size(), rows = x.size() / c;
  std::vector<double> mean(c), var(c), s(c), sum_g(c), sum_gx(c);
  for (size_t i = 0; i < x.size(); ++i) mean[i % c] += x[i] / double(rows);
  for (size_t i = 0; i < x.size(); ++i) var[i % c] += (x[i] - mean[i % c]) * (x[i] - mean[i % c]) / double(rows);
  for (size_t k = 0; k < c; ++k) s[k] = 1.0 / std::sqrt(var[k] + 1e-3);
  std::vector<double> xhat(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    xhat[i] = (x[i] - mean[i % c]) * s[i % c];
    sum_g[i % c] += dy[i];
    sum_gx[i % c] += dy[i] * xhat[i];
  }
  std::vector<float> dx(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t k = i % c;
    double v = dy[i];
    if (mean_term) v -= sum_g[k] / m;
    if (xhat_term) v -= xhat[i] * sum_gx[k] / m;
    dx[i] = static_cast<float>(s[k] * gamma[k] * v);
  }
  return dx;
}

// Your dx, dγ and dβ against the library's plain path (src/reference/batch_norm.cpp), on
// an input of `shape`; when dx is wrong, which typical mistake it matches.
std::string matches_reference(const nn::Shape& shape) {
  Setup s(shape);
  const int c = shape.back(), m = static_cast<int>(s.x.size() / c);
  nn::Param& gamma = *s.layer.params()[0];
  nn::Param& beta = *s.layer.params()[1];
  nn::Tensor y, dx;
  for (nn::Param* p : s.layer.params()) p->grad.fill(0.0f);
  s.layer.set_input_gradient_needed(true);
  s.layer.forward(s.x, y, true);
  s.layer.backward(s.dy, dx);

  std::vector<float> mean(c), variance(c), want_dgamma(c), want_dbeta(c), want_dx(s.x.size());
  nn::ref::batch_norm_statistics(s.x.data(), m, c, mean.data(), variance.data());
  nn::ref::batch_norm_param_grads(s.dy.data(), s.x.data(), mean.data(), variance.data(), 1e-3f, want_dgamma.data(),
                                  want_dbeta.data(), m, c);
  nn::ref::batch_norm_input_grad_training(s.dy.data(), s.x.data(), mean.data(), variance.data(), gamma.value.data(),
                                          1e-3f, want_dx.data(), m, c);
  const std::string where = " (input " + nn::shape_str(shape) + ": m = " + std::to_string(m) + " values per channel)";
  if (max_difference(beta.grad, want_dbeta) > 1e-4f)
    return "dβ differs from the library's" + where + ": dβ = Σ dy over the channel's m values, added into beta's grad";
  if (max_difference(gamma.grad, want_dgamma) > 1e-4f) {
    std::vector<float> with_x(c, 0.0f);  // Σ dy·x: the mistake of using x for x̂
    for (size_t i = 0; i < s.x.size(); ++i) with_x[i % c] += s.dy[i] * s.x[i];
    if (max_difference(gamma.grad, with_x) < 1e-3f)
      return "dγ differs from the library's" + where + ": dγ = Σ dy · x̂, the normalised x (xhat_), not Σ dy · x";
    return "dγ differs from the library's" + where + ": dγ = Σ dy · x̂ over the channel's m values";
  }
  if (dx.shape() != s.x.shape())
    return "dx should have x's shape " + nn::shape_str(s.x.shape()) + ", got " + nn::shape_str(dx.shape());
  const float worst = max_difference(dx, want_dx);
  if (worst <= 1e-4f) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf, "dx differs from the library's by up to %.5f", worst);
  std::string e = buf + where;
  const std::vector<float> g(gamma.value.begin(), gamma.value.end());
  if (max_difference(dx, dx_variant(s.dy, s.x, g, m, false, false)) < 1e-4f)
    return e + "\n        that is the inference formula dx = s·γ·dy: in training μ and σ² were computed from this "
               "batch and move with every x, which adds - mean(dx̂) - x̂·mean(dx̂·x̂)";
  if (max_difference(dx, dx_variant(s.dy, s.x, g, m, true, false)) < 1e-4f)
    return e + "\n        the term - x̂ · mean(dx̂ · x̂) is missing (the path through σ²)";
  if (max_difference(dx, dx_variant(s.dy, s.x, g, m, false, true)) < 1e-4f)
    return e + "\n        the term - mean(dx̂) is missing (the path through μ)";
  if (shape.size() > 2 && max_difference(dx, dx_variant(s.dy, s.x, g, shape[0], true, true)) < 1e-4f)
    return e + "\n        your means divide by N, the batch size: a channel's mean is over all its m = N·H·W "
               "values (m = dy.size() / C)";
  return e;
}

}  // namespace

int main() {
  std::printf("Exercise 6: BatchNormalization's backward pass\n");
  exercise::check("by hand: one channel, x = (1, 2, 6), γ = 2, β = 0.5, dy = (1, 0.5, -0.5)", [] {
    // μ = 3, σ² = 14/3, s = 1/sqrt(σ² + 0.001) = 0.4628605, x̂ = (-0.925721, -0.462860, 1.388581)
    // dβ = Σ dy = 1;  dγ = Σ dy·x̂ = -1.851442
    // dx = s·γ·(dy - 1/3 - x̂·(-0.617147)) = (0.088277, -0.110148, 0.021871); Σ dx = 0
    BatchNorm layer;
    layer.build_for({1});
    layer.params()[0]->value[0] = 2.0f;
    layer.params()[1]->value[0] = 0.5f;
    nn::Tensor x({3, 1}, {1, 2, 6}), y, dx;
    layer.forward(x, y, true);
    layer.backward(nn::Tensor({3, 1}, {1.0f, 0.5f, -0.5f}), dx);
    std::string e = exercise::expect_near("dβ", layer.params()[1]->grad[0], 1.0);
    if (!e.empty()) return e + "\n        dβ = Σ dy (β is added to every y of the channel)";
    e = exercise::expect_near("dγ", layer.params()[0]->grad[0], -1.851442);
    if (!e.empty()) return e + "\n        dγ = Σ dy · x̂ (γ multiplies x̂)";
    if (dx.shape() != x.shape()) return "dx should have x's shape (3, 1), got " + nn::shape_str(dx.shape());
    const double want[3] = {0.088277, -0.110148, 0.021871};
    for (int i = 0; i < 3; ++i) {
      e = exercise::expect_near(("dx[" + std::to_string(i) + "]").c_str(), dx[i], want[i]);
      if (e.empty()) continue;
      if (std::abs(dx[0] - 0.925721f) < 1e-4f)
        return e + "\n        that is s·γ·dy, the inference formula: in training μ and σ² depend on x too";
      if (std::abs(dx[0] - 0.617147f) < 1e-4f)
        return e + "\n        that is s·γ·(dy - mean(dy)): the term - x̂ · mean(dx̂ · x̂) is missing (the path through σ²)";
      return e + "\n        dx = s · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ = γ · dy; its entries "
                 "add up to 0 (moving every x by the same amount changes no y)";
    }
    return std::string();
  });
  exercise::check("dx, dγ, dβ agree with the library's reference (after Dense: input (6, 3))", [] {
    return matches_reference({6, 3});
  });
  exercise::check("dx, dγ, dβ agree with the library's reference (after Conv2D: input (2, 3, 3, 4))", [] {
    return matches_reference({2, 3, 3, 4});
  });
  exercise::check("backward agrees with finite differences (input (5, 3), training mode)", [] {
    Setup s({5, 3}, 7);
    return exercise::gradients_match(gradcheck::layer_report(s.layer, s.x, 2, true));
  });
  exercise::check("backward agrees with finite differences (input (2, 2, 3, 2), training mode)", [] {
    Setup s({2, 2, 3, 2}, 8);
    return exercise::gradients_match(gradcheck::layer_report(s.layer, s.x, 4, true));
  });
  exercise::check("backward adds into γ's and β's gradients (call it twice: twice the gradient)", [] {
    Setup s({6, 3});
    return contract::grads_added(s.layer, s.x, true, 1e-5);
  });
  exercise::check("backward overwrites dx: a reused dx buffer gives the same answer as a fresh one", [] {
    Setup s({6, 3});
    return contract::dx_overwritten(s.layer, s.x, true);
  });
  exercise::check("as the first layer after Input (no dx wanted) γ's and β's gradients are the same", [] {
    Setup s({6, 3});
    return contract::grads_without_dx(s.layer, s.x, true);
  });
  exercise::check("a model with your layer learns (Dense -> BatchNorm -> relu: loss halves)", [] {
    return exercise::loss_halves([] {
      nn::set_seed(4);
      nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16), BatchNorm(), nn::layers::Activation("relu"),
                            nn::layers::Dense(1, "sigmoid")});
      model.compile(nn::losses::BinaryCrossentropy(), nn::optimizers::Adam(0.05f));
      nn::Tensor x({8, 2}, {0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1}), y({8, 1}, {0, 1, 1, 0, 0, 1, 1, 0});
      return model.fit(x, y, {.batch_size = 8, .epochs = 200, .verbose = 0});
    });
  });
  return exercise::finish("your BatchNorm backward");
}
