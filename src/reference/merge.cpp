#include "reference/merge.h"

namespace nn::ref {

void add_forward(const std::vector<const float*>& xs, float* y, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    float sum = xs[0][j];
    for (size_t i = 1; i < xs.size(); ++i) sum += xs[i][j];  // in input order, as the fast path adds them
    y[j] = sum;
  }
}

namespace {
size_t total(const std::vector<size_t>& lengths) {
  size_t t = 0;
  for (size_t a : lengths) t += a;
  return t;
}
}  // namespace

void concatenate_forward(const std::vector<const float*>& xs, const std::vector<size_t>& lengths, float* y,
                         size_t outer, size_t inner) {
  const size_t out_len = total(lengths);
  size_t offset = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    for (size_t o = 0; o < outer; ++o)
      for (size_t a = 0; a < lengths[i]; ++a)
        for (size_t k = 0; k < inner; ++k)
          y[(o * out_len + offset + a) * inner + k] = xs[i][(o * lengths[i] + a) * inner + k];
    offset += lengths[i];
  }
}

void concatenate_backward(const float* dy, const std::vector<float*>& dxs, const std::vector<size_t>& lengths,
                          size_t outer, size_t inner) {
  const size_t out_len = total(lengths);
  size_t offset = 0;
  for (size_t i = 0; i < dxs.size(); ++i) {
    for (size_t o = 0; o < outer; ++o)
      for (size_t a = 0; a < lengths[i]; ++a)
        for (size_t k = 0; k < inner; ++k)
          dxs[i][(o * lengths[i] + a) * inner + k] = dy[(o * out_len + offset + a) * inner + k];
    offset += lengths[i];
  }
}

}  // namespace nn::ref
