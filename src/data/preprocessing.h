// Preparing data for training: one-hot labels, a train/validation split, and gathering a
// batch by index.
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

// Where Keras's `validation_split` cuts n samples: rows [0, result) train, rows [result, n)
// validate. Keras takes the LAST fraction, before any shuffling, so the split is the same
// every epoch and the validation rows are never trained on:
//   split_at = floor(n · (1 - validation_split)).
// validation_split must be in (0, 1) and leave at least one row on each side, else an
// nn::ValueError (Keras raises the same).
int validation_split_index(int n, float validation_split);

// x (N, ...) and y (N, ...) → the first rows for training and the last `validation_split`
// fraction for validation (copies). fit() needs only validation_split_index and row ranges;
// this is for looking at the two parts, or evaluating on them.
struct TrainValidation {
  Tensor x_train, y_train, x_val, y_val;
};
TrainValidation train_validation_split(const Tensor& x, const Tensor& y, float validation_split);

}  // namespace nn::data
