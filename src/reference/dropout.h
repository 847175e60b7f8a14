// The plain path of Dropout (layers/dropout.h): applying a mask, both ways.
//
// The mask itself is not drawn here: Dropout::forward draws it with the same code and the
// same generator in both modes, so a run in reference mode drops the same numbers.
// Legend: n = every number of the batch (N × the sample's size), one mask value each.
#pragma once
#include <cstddef>

namespace nn::ref {

// y[i] = x[i] · mask[i]                           x, mask, y: (n)
void dropout_forward(const float* x, const float* mask, float* y, size_t n);

// dx[i] = dy[i] · mask[i]                         dy, mask, dx: (n)
void dropout_backward(const float* dy, const float* mask, float* dx, size_t n);

}  // namespace nn::ref
