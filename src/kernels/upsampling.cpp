#include "kernels/upsampling.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "kernels/parallel.h"

namespace nn {

void upsample_forward_fast(const float* x, float* y, int n, const UpsampleShape& s) {
  const size_t c = s.channels, in_row = static_cast<size_t>(s.in_w) * c, out_row = in_row * s.cols;
  const size_t image = in_row * s.in_h, out_image = out_row * s.in_h * s.rows;
  // The images as the rows of an (n, out_image) block: split as a layer pass (parallel.h).
  for_row_chunks(static_cast<size_t>(n), out_image, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      const float* img = x + i * image;
      float* out = y + i * out_image;
      for (int iy = 0; iy < s.in_h; ++iy, img += in_row) {
        float* first = out;
        for (int ix = 0; ix < s.in_w; ++ix)  // one output row: each pixel sw times
          for (int v = 0; v < s.cols; ++v, out += c) std::memcpy(out, img + ix * c, c * sizeof(float));
        for (int u = 1; u < s.rows; ++u, out += out_row) std::memcpy(out, first, out_row * sizeof(float));
      }
    }
  });
}

void upsample_backward_fast(const float* dy, float* dx, int n, const UpsampleShape& s) {
  const size_t c = s.channels, in_row = static_cast<size_t>(s.in_w) * c, out_row = in_row * s.cols;
  const size_t image = in_row * s.in_h, out_image = out_row * s.in_h * s.rows;
  // The images as the rows of an (n, out_image) block: split as a layer pass (parallel.h).
  for_row_chunks(static_cast<size_t>(n), out_image, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      const float* grad = dy + i * out_image;
      float* img = dx + i * image;
      std::fill(img, img + image, 0.0f);
      for (int iy = 0; iy < s.in_h; ++iy, img += in_row)
        for (int u = 0; u < s.rows; ++u, grad += out_row)  // the block's rows, top to bottom
          for (int ix = 0; ix < s.in_w; ++ix)
            for (int v = 0; v < s.cols; ++v) {  // each row's pixels, left to right
              const float* g = grad + (static_cast<size_t>(ix) * s.cols + v) * c;
              float* d = img + ix * c;
              for (size_t j = 0; j < c; ++j) d[j] += g[j];
            }
    }
  });
}

}  // namespace nn
