#include "tensor/shape.h"

#include <limits>

#include "tensor/error.h"

namespace nn {

size_t shape_size(const Shape& shape) {
  size_t n = 1;
  for (int d : shape) {
    if (d < 0) throw ShapeError("shape " + shape_str(shape) + " has a negative dimension; every dimension must be >= 0");
    // Guard before multiplying: a corrupt header could promise 2^31 × 2^31 elements.
    if (d != 0 && n > std::numeric_limits<size_t>::max() / sizeof(float) / static_cast<size_t>(d))
      throw ShapeError("shape " + shape_str(shape) + " is too large to allocate");
    n *= static_cast<size_t>(d);
  }
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::string batch_shape_str(const Shape& sample_shape, const std::string& batch) {
  std::string s = "(" + batch;
  for (int d : sample_shape) s += ", " + std::to_string(d);
  return s + ")";
}

}  // namespace nn
