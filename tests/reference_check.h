// Reference vs fast: run a layer once on its fast path and once in reference mode (the
// plain loops of src/reference/) on the same input and the same weights, and compare
// every output: y, dx and each parameter's gradient (and each non-trainable parameter
// forward changed, e.g. BatchNormalization's moving statistics). A layer that draws random
// numbers (Dropout) starts both runs from the same point of its stream, as the two modes
// promise to use the same random streams.
//
// The two paths add the same numbers in different orders (and the reference in double),
// so they agree to float rounding, not bit for bit: we accept
//   max |fast - ref| <= 1e-5 · max |ref|   per tensor,
// a bound a wrong index, a missing term or a lost factor breaks by orders of magnitude.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nn.h"

namespace refcheck {

// Reference mode on for one scope, then back to what it was.
struct ReferenceMode {
  bool before = nn::reference_mode();
  explicit ReferenceMode(bool on) { nn::set_reference_mode(on); }
  ~ReferenceMode() { nn::set_reference_mode(before); }
};

// Largest |a - b| over max(max |b|, floor); infinity when the shapes differ. The floor is
// for tensors that are all but zero by the maths, where both paths hold only rounding
// noise (a bias before BatchNormalization has a gradient of zero): pass the scale of the
// tensors around it.
inline double relative_difference(const nn::Tensor& a, const nn::Tensor& b, double floor = 1e-30) {
  if (a.shape() != b.shape()) return INFINITY;
  double diff = 0, scale = floor;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return diff / scale;
}

// Floors for a model's parameters, one per entry of model.params(), given the reference's
// tensors for them: a thousandth of the largest number in any of them; and for the bias of
// a layer right before a BatchNormalization, that largest number itself. Such a bias has a
// gradient of exactly zero by the maths (the normalisation subtracts the batch mean, so
// Σ dL/dx over a channel is 0), and what both paths hold there is rounding noise of sums
// over the whole batch: it can only be compared with the size of the other gradients.
inline std::vector<double> model_floors(nn::Model& model, const std::vector<nn::Tensor>& tensors) {
  double largest = 0;
  for (const nn::Tensor& t : tensors)
    for (float v : t) largest = std::max(largest, static_cast<double>(std::abs(v)));
  std::vector<double> floors;
  const auto& layers = model.layers();
  for (size_t l = 0; l < layers.size(); ++l) {
    const bool before_bn = l + 1 < layers.size() && layers[l + 1]->type() == "BatchNormalization";
    for (nn::Param* p : layers[l]->params()) floors.push_back(before_bn && p->name == "bias" ? largest : 1e-3 * largest);
  }
  return floors;
}

struct Outputs {
  nn::Tensor y, dx;
  std::vector<nn::Tensor> params;  // each param's grad (trainable) or value (non-trainable)
};

// One forward (with `training`) and one backward with dL/dy = r on `layer` (built), from
// parameter values `start`; the gradients start from zero.
inline Outputs run(nn::Layer& layer, const std::vector<nn::Tensor>& start, const nn::Tensor& x, const nn::Tensor& r,
                   bool training) {
  auto ps = layer.params();
  for (size_t i = 0; i < ps.size(); ++i) {
    ps[i]->value = start[i];
    ps[i]->grad.fill(0.0f);
  }
  Outputs out;
  layer.set_input_gradient_needed(true);
  layer.forward(x, out.y, training);
  layer.backward(r, out.dx);
  for (nn::Param* p : ps) out.params.push_back(p->trainable ? p->grad : p->value);
  return out;
}

// The largest relative difference between the fast path and reference mode over y, dx
// and every parameter, and which tensor it was in (for the failure message).
struct Comparison {
  double worst = 0;
  std::string where;
};

// Each path runs on its own clone of `layer`, so both start from the same weights and the
// same random generator (Dropout draws the same mask), and `layer` itself is left as it was.
inline Comparison compare_paths(const nn::Layer& layer, const nn::Tensor& x, uint64_t seed, bool training = true) {
  nn::Rng rng(seed);
  auto fast_layer = layer.clone(), ref_layer = layer.clone();
  std::vector<nn::Tensor> start;
  for (nn::Param* p : fast_layer->params()) start.push_back(p->value);
  nn::Shape y_shape{x.dim(0)};
  for (int d : layer.output_shape()) y_shape.push_back(d);
  nn::Tensor r(y_shape);
  for (float& v : r) v = rng.uniform(-1.0f, 1.0f);

  Outputs fast, ref;
  {
    ReferenceMode mode(false);
    fast = run(*fast_layer, start, x, r, training);
  }
  {
    ReferenceMode mode(true);
    ref = run(*ref_layer, start, x, r, training);
  }
  Comparison c;
  auto consider = [&](const nn::Tensor& a, const nn::Tensor& b, const std::string& what) {
    const double d = relative_difference(a, b);
    if (d >= c.worst) c = {d, what};
  };
  consider(fast.y, ref.y, "y");
  consider(fast.dx, ref.dx, "dx");
  auto ps = fast_layer->params();
  for (size_t i = 0; i < ps.size(); ++i) consider(fast.params[i], ref.params[i], ps[i]->name);
  return c;
}

constexpr double kTolerance = 1e-5;

}  // namespace refcheck
