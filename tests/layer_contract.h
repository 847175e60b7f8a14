// Checks of the layer contract (src/layers/layer.h) that the finite-difference gradient
// check cannot see, shared by the library's conformance test (tests/test_conformance.cpp)
// and the exercise checks (tutorials/exercises/checks/), so that a student's layer is held
// to the same rules as a built-in one and is told the same thing when it breaks one.
//
// Each returns "" when the layer keeps the rule, else a sentence naming the likely mistake.
//   dx_overwritten       backward writes dx, it never adds into it. The model reuses one dx
//                        buffer per layer, so a buffer full of the last batch's numbers
//                        must give the same dx as a fresh one. (The gradient check runs
//                        backward once on an empty dx, where += and = agree: it cannot tell.)
//   grads_added          backward ADDS into each trainable param's grad: a second backward
//                        doubles it (the optimizer zeroes grads after its step). Built-in
//                        layers double it bit for bit (tolerance 0); a layer that adds each
//                        term into the grad directly rounds a little differently the second
//                        time, so the exercises allow a relative 1e-5.
//   grads_without_dx     param grads are computed when the layer is the first after Input
//                        (input_gradient_needed() false, no dx wanted) exactly as otherwise;
//                        only the dx part may be skipped.
// The layer must be built; x is one batch for it.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gradcheck_core.h"
#include "nn.h"
#include "test_util.h"

namespace contract {

namespace detail {

using nn_test::same_bits;

inline bool close(const nn::Tensor& a, const nn::Tensor& b, double tolerance) {
  if (tolerance == 0) return same_bits(a, b);
  if (a.shape() != b.shape()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::abs(static_cast<double>(a[i]) - b[i]) > tolerance * std::max(1.0, std::abs(static_cast<double>(b[i]))))
      return false;
  return true;
}

// A dy for this layer's output: fixed pseudo-random numbers of y's shape.
inline nn::Tensor output_gradient(nn::Layer& layer, const nn::Tensor& x, bool training, uint64_t seed) {
  nn::Tensor y;
  layer.forward(x, y, training);
  nn::Rng rng(seed);
  return gradcheck::random_tensor(y.shape(), rng);
}

inline void zero_grads(nn::Layer& layer) {
  for (nn::Param* p : layer.params()) p->grad.fill(0.0f);
}

inline std::vector<nn::Tensor> grads(nn::Layer& layer) {
  std::vector<nn::Tensor> g;
  for (nn::Param* p : layer.params()) g.push_back(p->grad);
  return g;
}

}  // namespace detail

inline std::string dx_overwritten(nn::Layer& layer, const nn::Tensor& x, bool training = true) {
  const nn::Tensor dy = detail::output_gradient(layer, x, training, 4);
  nn::Tensor y, fresh, stale(x.shape());
  layer.set_input_gradient_needed(true);
  layer.forward(x, y, training);  // one forward, two backward passes (Dropout draws a new mask per forward)
  layer.backward(dy, fresh);
  stale.fill(1000.0f);  // what a reused buffer holds: the numbers of an earlier batch
  layer.backward(dy, stale);
  detail::zero_grads(layer);
  if (fresh.shape() != x.shape())
    return "dx should have x's shape " + nn::shape_str(x.shape()) + ", got " + nn::shape_str(fresh.shape()) +
           " (resize dx first)";
  if (detail::same_bits(fresh, stale)) return "";
  return "dx must be overwritten, not added to: backward got a dx buffer still holding the last batch's "
         "numbers (1000 everywhere) and its answer changed. The model reuses that buffer for every batch, "
         "so write dx[i] = ..., never dx[i] += ... (dx.resize keeps the old numbers when the shape is the same)";
}

inline std::string grads_added(nn::Layer& layer, const nn::Tensor& x, bool training = true, double tolerance = 0) {
  const nn::Tensor dy = detail::output_gradient(layer, x, training, 4);
  nn::Tensor y, dx;
  detail::zero_grads(layer);
  layer.forward(x, y, training);
  layer.backward(dy, dx);
  const std::vector<nn::Tensor> once = detail::grads(layer);
  layer.backward(dy, dx);
  const auto ps = layer.params();
  std::string problem;
  for (size_t i = 0; i < ps.size() && problem.empty(); ++i) {
    if (!ps[i]->trainable) continue;
    nn::Tensor twice = once[i];
    for (float& v : twice) v *= 2.0f;
    if (!detail::close(ps[i]->grad, twice, tolerance))
      problem = ps[i]->name + "'s gradient must be ADDED to (grad[i] += ...), not overwritten: after two backward "
                "calls it should be twice the gradient of one (the optimizer sets grads to zero after each step, "
                "and a layer used twice in a model adds both parts)";
  }
  detail::zero_grads(layer);
  return problem;
}

inline std::string grads_without_dx(nn::Layer& layer, const nn::Tensor& x, bool training = true) {
  const nn::Tensor dy = detail::output_gradient(layer, x, training, 4);
  nn::Tensor y, dx;
  detail::zero_grads(layer);
  layer.set_input_gradient_needed(true);
  layer.forward(x, y, training);
  layer.backward(dy, dx);
  const std::vector<nn::Tensor> with_dx = detail::grads(layer);
  detail::zero_grads(layer);
  layer.set_input_gradient_needed(false);
  nn::Tensor no_dx;
  layer.backward(dy, no_dx);
  layer.set_input_gradient_needed(true);
  const auto ps = layer.params();
  std::string problem;
  for (size_t i = 0; i < ps.size() && problem.empty(); ++i)
    if (ps[i]->trainable && !detail::same_bits(ps[i]->grad, with_dx[i]))
      problem = ps[i]->name + "'s gradient must not depend on whether dx is needed: as the first layer after "
                "Input (input_gradient_needed() is false) your backward computed a different one, so this "
                "parameter would never learn there. Only the dx part may be skipped: compute the parameter "
                "gradients first, then `if (!input_gradient_needed()) return;`";
  detail::zero_grads(layer);
  return problem;
}

}  // namespace contract
