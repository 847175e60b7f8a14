#include "kernels/max_pool.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "kernels/thread_pool.h"

namespace nn {

void max_pool_forward_fast(const float* x, float* y, int32_t* argmax, int n, const PoolShape& s) {
  const int c = s.channels;
  const size_t image = static_cast<size_t>(s.in_h) * s.in_w * c;
  const size_t out_image = static_cast<size_t>(s.out_h) * s.out_w * c;
  parallel_for(static_cast<size_t>(n), 1, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      const float* img = x + i * image;
      float* out = y + i * out_image;
      int32_t* arg = argmax + i * out_image;
      for (int oy = 0; oy < s.out_h; ++oy) {
        for (int ox = 0; ox < s.out_w; ++ox, out += c, arg += c) {
          // Scan the window in row-major order, all channels at once (they are contiguous),
          // replacing the best only on a strictly larger value: ties keep the first.
          std::fill(out, out + c, -std::numeric_limits<float>::infinity());
          std::fill(arg, arg + c, -1);
          for (int iy = std::max(0, oy * s.stride - s.pad_top); iy < std::min(s.in_h, oy * s.stride - s.pad_top + s.pool);
               ++iy) {
            for (int ix = std::max(0, ox * s.stride - s.pad_left);
                 ix < std::min(s.in_w, ox * s.stride - s.pad_left + s.pool); ++ix) {
              const int32_t base = (iy * s.in_w + ix) * c;
              const float* px = img + base;
              for (int j = 0; j < c; ++j) {
                if (px[j] > out[j] || arg[j] < 0) {  // arg < 0: the first value (even NaN) starts the scan
                  out[j] = px[j];
                  arg[j] = base + j;
                }
              }
            }
          }
        }
      }
    }
  });
}

void max_pool_backward_fast(const float* dy, const int32_t* argmax, float* dx, int n, const PoolShape& s) {
  const size_t image = static_cast<size_t>(s.in_h) * s.in_w * s.channels;
  const size_t out_image = static_cast<size_t>(s.out_h) * s.out_w * s.channels;
  // Each image's dx is written by one task only, in output order: reproducible.
  parallel_for(static_cast<size_t>(n), 1, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      float* img = dx + i * image;
      std::fill(img, img + image, 0.0f);
      const float* d = dy + i * out_image;
      const int32_t* arg = argmax + i * out_image;
      for (size_t o = 0; o < out_image; ++o) img[arg[o]] += d[o];
    }
  });
}

}  // namespace nn
