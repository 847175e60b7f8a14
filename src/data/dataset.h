// The two containers every data function returns.
//
// A data set is images (or feature rows) x plus one class id per row in y. Loaders return
// exactly four tensors in a Split so that C++17 structured bindings read like the book's
// Python:   auto [x_train, y_train, x_test, y_test] = nn::data::load_cifar10();
#pragma once
#include "tensor/tensor.h"

namespace nn::data {

// x: (N, H, W, C) images with float values 0..255 (or (N, D) feature rows); y: (N) class ids.
struct Dataset {
  Tensor x;
  Tensor y;
};

// The usual train/test pair, in the order Keras's load_data() returns them.
struct Split {
  Tensor x_train, y_train, x_test, y_test;
};

}  // namespace nn::data
