#include "data/preprocessing.h"

#include <cmath>
#include <cstring>
#include <string>

#include "kernels/parallel.h"

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
  for (size_t r = 0; r < count; ++r) {  // every index first: a bad one leaves out untouched
    const int i = order[begin + r];
    if (i < 0 || i >= src.dim(0))
      throw Error("gather_rows: index " + std::to_string(i) + " is out of range for " + shape_str(src.shape()));
  }
  Shape shape = src.shape();
  shape[0] = static_cast<int>(count);
  if (out.shape() != shape) out.resize(shape);
  // The rows sit anywhere in a data set far larger than the caches, so copying them waits
  // on memory; two cores fetching at once get them about twice as fast (a batch of 32
  // CIFAR images is 393 KB). Each row is copied whole, so the split changes no number.
  const size_t row = src.row_size();
  for_row_chunks(count, row, [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r)
      std::memcpy(out.data() + r * row, src.data() + static_cast<size_t>(order[begin + r]) * row, row * sizeof(float));
  });
}

int validation_split_index(int n, float validation_split) {
  if (!(validation_split > 0.0f && validation_split < 1.0f))
    throw ValueError("validation_split must be between 0 and 1 (exclusive), got " + std::to_string(validation_split));
  // Same arithmetic as Keras, in double like Python's float: floor(n * (1 - split)). The
  // float 0.2f is 0.2000000030 as a double, which would make floor(10 * 0.79999…) = 7
  // where Python gets 8; rounding to 7 decimals first recovers the 0.2 the user wrote.
  const double split = std::round(static_cast<double>(validation_split) * 1e7) / 1e7;
  const int split_at = static_cast<int>(std::floor(n * (1.0 - split)));
  if (split_at <= 0 || split_at >= n)
    throw ValueError("the data has " + std::to_string(n) +
                     " samples, which is not enough to split into a training and a validation set with "
                     "validation_split=" + std::to_string(validation_split) +
                     "; use more data or a different fraction.");
  return split_at;
}

TrainValidation train_validation_split(const Tensor& x, const Tensor& y, float validation_split) {
  if (x.rank() < 1 || y.rank() < 1 || x.dim(0) != y.dim(0))
    throw ShapeError("train_validation_split: x " + shape_str(x.shape()) + " and y " + shape_str(y.shape()) +
                     " must have the same number of rows (the first dimension)");
  const int n = x.dim(0);
  const int split_at = validation_split_index(n, validation_split);
  return {x.slice_rows(0, split_at), y.slice_rows(0, split_at), x.slice_rows(split_at, n), y.slice_rows(split_at, n)};
}

}  // namespace nn::data
