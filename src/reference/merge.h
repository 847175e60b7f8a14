// The plain path of Add and Concatenate (layers/add.h, layers/concatenate.h), written
// straight from the formulas, one number at a time.
//
// Legend: N batch; for Concatenate each input i is viewed as (outer, A_i, inner): outer the
// product of the dims before the axis (batch included), A_i its length along the axis,
// inner the product of the dims after it. The output is (outer, Σ A_i, inner).
#pragma once
#include <cstddef>
#include <vector>

namespace nn::ref {

// y[j] = Σ_i xs[i][j]                                   xs[i], y: (n numbers)
void add_forward(const std::vector<const float*>& xs, float* y, size_t n);

// y[o][off_i + a][k] = xs[i][o][a][k], off_i = Σ_{m < i} A_m     xs[i]: (outer, A_i, inner)
void concatenate_forward(const std::vector<const float*>& xs, const std::vector<size_t>& lengths, float* y,
                         size_t outer, size_t inner);

// dxs[i][o][a][k] = dy[o][off_i + a][k]: each input gets its own slice of dy back
void concatenate_backward(const float* dy, const std::vector<float*>& dxs, const std::vector<size_t>& lengths,
                          size_t outer, size_t inner);

}  // namespace nn::ref
