#include "layers/add.h"

#include <algorithm>

#include "reference/merge.h"
#include "reference/mode.h"
#include "tensor/error.h"

namespace nn::layers {

Shape Add::build_inputs(const std::vector<Shape>& in) {
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i] != in[0])
      throw ShapeError("Add needs inputs of one shape, got " + shape_str(in[0]) + " and " + shape_str(in[i]) +
                       " (input " + std::to_string(i) + "); Reshape one, or use Concatenate to join them");
  return in[0];
}

void Add::forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool) {
  check_inputs(xs);
  y.resize(xs[0]->shape());
  if (reference_mode()) {
    std::vector<const float*> data;
    for (const Tensor* x : xs) data.push_back(x->data());
    ref::add_forward(data, y.data(), y.size());
    return;
  }
  // y = x_1, then y += x_i: each pass streams through memory once (and rounds as the
  // reference's left-to-right sum does).
  std::copy(xs[0]->begin(), xs[0]->end(), y.begin());
  float* out = y.data();
  for (size_t i = 1; i < xs.size(); ++i) {
    const float* x = xs[i]->data();
    for (size_t j = 0, n = y.size(); j < n; ++j) out[j] += x[j];
  }
}

void Add::backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs) {
  if (!input_gradient_needed()) return;
  for (Tensor* dx : dxs) {
    dx->resize(dy.shape());
    std::copy(dy.begin(), dy.end(), dx->begin());  // ∂(x_1 + ... + x_m)/∂x_i = 1
  }
}

}  // namespace nn::layers
