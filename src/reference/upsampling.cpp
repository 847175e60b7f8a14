#include "reference/upsampling.h"

#include <cstddef>

namespace nn::ref {
namespace {

size_t at(int h, int w, int c, int n, int y, int x, int ch) {  // flat index into (N, h, w, c)
  return ((static_cast<size_t>(n) * h + y) * w + x) * c + ch;
}

}  // namespace

void upsample_forward(const float* x, float* y, int n, const UpsampleShape& s) {
  const int out_h = s.in_h * s.rows, out_w = s.in_w * s.cols, c = s.channels;
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < out_h; ++i)
      for (int j = 0; j < out_w; ++j)
        for (int ch = 0; ch < c; ++ch)
          y[at(out_h, out_w, c, k, i, j, ch)] = x[at(s.in_h, s.in_w, c, k, i / s.rows, j / s.cols, ch)];
}

void upsample_backward(const float* dy, float* dx, int n, const UpsampleShape& s) {
  const int out_h = s.in_h * s.rows, out_w = s.in_w * s.cols, c = s.channels;
  for (int k = 0; k < n; ++k)
    for (int a = 0; a < s.in_h; ++a)
      for (int b = 0; b < s.in_w; ++b)
        for (int ch = 0; ch < c; ++ch) {
          double sum = 0;
          for (int u = 0; u < s.rows; ++u)
            for (int v = 0; v < s.cols; ++v) sum += dy[at(out_h, out_w, c, k, a * s.rows + u, b * s.cols + v, ch)];
          dx[at(s.in_h, s.in_w, c, k, a, b, ch)] = static_cast<float>(sum);
        }
}

}  // namespace nn::ref
