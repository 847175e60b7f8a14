#include "data/preprocessing.h"

#include <cmath>
#include <cstring>
#include <string>

namespace nn::data {

Tensor to_categorical(const Tensor& labels, int num_classes) {
  if (num_classes < 1) throw Error("to_categorical: num_classes must be >= 1, got " + std::to_string(num_classes));
  if (labels.rank() != 1)
    throw ShapeError("to_categorical: expected labels of shape (N,) holding class ids, got " +
                     shape_str(labels.shape()));
  const int n = labels.dim(0);
  Tensor out({n, num_classes});
  for (int i = 0; i < n; ++i) {
    float v = labels[i];
    if (!(v >= 0 && v < static_cast<float>(num_classes)) || v != std::floor(v))
      throw Error("to_categorical: label " + std::to_string(i) + " is " + std::to_string(v) +
                  ", expected a whole number in 0.." + std::to_string(num_classes - 1));
    out[static_cast<size_t>(i) * num_classes + static_cast<size_t>(v)] = 1.0f;
  }
  return out;
}

void gather_rows(const Tensor& src, const std::vector<int>& order, size_t begin, size_t count, Tensor& out) {
  if (begin + count > order.size())
    throw Error("gather_rows: rows " + std::to_string(begin) + ".." + std::to_string(begin + count) +
                " are past the end of an order of " + std::to_string(order.size()));
  Shape shape = src.shape();
  shape[0] = static_cast<int>(count);
  if (out.shape() != shape) out.resize(shape);
  const size_t row = src.row_size();
  for (size_t r = 0; r < count; ++r) {
    const int i = order[begin + r];
    if (i < 0 || i >= src.dim(0))
      throw Error("gather_rows: index " + std::to_string(i) + " is out of range for " + shape_str(src.shape()));
    std::memcpy(out.data() + r * row, src.data() + static_cast<size_t>(i) * row, row * sizeof(float));
  }
}

}  // namespace nn::data
