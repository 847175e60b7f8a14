// Preparing data for training: one-hot labels and gathering a batch by index.
#pragma once
#include <cstddef>
#include <vector>

#include "tensor/tensor.h"

namespace nn::data {

// labels: (N) class ids 0..num_classes-1  ->  (N, num_classes) one-hot rows.
// A label that is not a whole number in range is an nn::Error naming its index.
Tensor to_categorical(const Tensor& labels, int num_classes);

// Copies rows order[begin .. begin+count) of src (N, ...) into out (count, ...), resizing
// out only if its capacity is too small. This is how fit() builds a shuffled batch without
// ever copying the whole data set.
void gather_rows(const Tensor& src, const std::vector<int>& order, size_t begin, size_t count, Tensor& out);

}  // namespace nn::data
