#include "layers/activations.h"

#include "kernels/activations.h"
#include "reference/activations.h"
#include "reference/mode.h"
#include "tensor/error.h"

namespace nn {

ActivationKind activation_from_name(const std::string& name) {
  if (name == "linear" || name.empty()) return ActivationKind::linear;
  if (name == "relu") return ActivationKind::relu;
  if (name == "sigmoid") return ActivationKind::sigmoid;
  if (name == "tanh") return ActivationKind::tanh;
  if (name == "softmax") return ActivationKind::softmax;
  if (name == "leaky_relu") return ActivationKind::leaky_relu;
  throw ValueError("unknown activation \"" + name + "\"; expected one of: linear relu sigmoid tanh softmax leaky_relu");
}

std::string activation_name(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::linear: return "linear";
    case ActivationKind::relu: return "relu";
    case ActivationKind::sigmoid: return "sigmoid";
    case ActivationKind::tanh: return "tanh";
    case ActivationKind::softmax: return "softmax";
    case ActivationKind::leaky_relu: return "leaky_relu";
  }
  return "linear";
}

void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols, float alpha) {
  if (reference_mode()) return ref::activation_forward(kind, z, y, rows, cols, alpha);
  activation_forward_fast(kind, z, y, rows, cols, alpha);  // kernels/activations.h
}

void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha) {
  if (reference_mode()) return ref::activation_backward(kind, y, dy, dz, rows, cols, alpha);
  activation_backward_fast(kind, y, dy, dz, rows, cols, alpha);
}

}  // namespace nn
