#include "reference/max_pool.h"

#include <cstddef>
#include <vector>

namespace nn::ref {

void max_pool_forward(const float* x, float* y, int32_t* argmax, int n, const PoolShape& s) {
  const size_t image = static_cast<size_t>(s.in_h) * s.in_w * s.channels;
  for (int i = 0; i < n; ++i)
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox)
        for (int c = 0; c < s.channels; ++c) {
          bool first = true;
          float best = 0;
          int32_t where = -1;
          for (int iy = oy * s.stride - s.pad_top; iy < oy * s.stride - s.pad_top + s.pool; ++iy)
            for (int ix = ox * s.stride - s.pad_left; ix < ox * s.stride - s.pad_left + s.pool; ++ix) {
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;  // outside: skipped
              const int32_t at = (iy * s.in_w + ix) * s.channels + c;
              const float v = x[i * image + at];
              if (first || v > best) {
                best = v;
                where = at;
                first = false;
              }
            }
          const size_t o = ((static_cast<size_t>(i) * s.out_h + oy) * s.out_w + ox) * s.channels + c;
          y[o] = best;
          argmax[o] = where;
        }
}

void max_pool_backward(const float* dy, const int32_t* argmax, float* dx, int n, const PoolShape& s) {
  const size_t image = static_cast<size_t>(s.in_h) * s.in_w * s.channels;
  const size_t outputs = static_cast<size_t>(s.out_h) * s.out_w * s.channels;
  std::vector<double> sum(image);
  for (int i = 0; i < n; ++i) {
    sum.assign(image, 0.0);
    for (size_t o = 0; o < outputs; ++o) sum[argmax[i * outputs + o]] += dy[i * outputs + o];
    for (size_t j = 0; j < image; ++j) dx[i * image + j] = static_cast<float>(sum[j]);
  }
}

}  // namespace nn::ref
