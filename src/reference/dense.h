// The plain path of Dense (layers/dense.h): its four formulas as loops.
//
// Like everything in src/reference/, these are written straight from the maths: plain
// loops, one idea per function, one thread, sums in double (so their own rounding is
// negligible next to the fast path's, which makes them fair oracles in the tests).
// Legend: N batch, D inputs, K units.
#pragma once

namespace nn::ref {

// z[n][k] = b[k] + Σ_d x[n][d] · W[d][k]         x: (N, D)  W: (D, K)  b: (K)  z: (N, K)
void dense_forward(const float* x, const float* w, const float* b, float* z, int n, int d, int k);

// dW[d][k] += Σ_n x[n][d] · dz[n][k]             x: (N, D)  dz: (N, K)  dW: (D, K)
void dense_weight_grad(const float* x, const float* dz, float* dw, int n, int d, int k);

// db[k] += Σ_n dz[n][k]                          dz: (N, K)  db: (K)
void dense_bias_grad(const float* dz, float* db, int n, int k);

// dx[n][d] = Σ_k dz[n][k] · W[d][k]              dz: (N, K)  W: (D, K)  dx: (N, D)
void dense_input_grad(const float* dz, const float* w, float* dx, int n, int d, int k);

}  // namespace nn::ref
