#include "kernels/im2col.h"

#include <algorithm>
#include <cstring>

#include "kernels/float_runs.h"

namespace nn {

void pad_image(const ConvShape& shape, const float* img, float* padded) {
  const int in_h = shape.in_h, padded_h = shape.padded_h();
  const size_t c = shape.channels, row = static_cast<size_t>(shape.padded_w()) * c;
  const size_t before = shape.pad_left * c, inside = shape.in_w * c;
  for (int py = 0; py < padded_h; ++py, padded += row) {
    const int iy = py - shape.pad_top;
    if (iy < 0 || iy >= in_h) {
      std::fill(padded, padded + row, 0.0f);
      continue;
    }
    std::fill(padded, padded + before, 0.0f);
    std::memcpy(padded + before, img + iy * inside, inside * sizeof(float));
    std::fill(padded + before + inside, padded + row, 0.0f);
  }
}

void unpad_image(const ConvShape& shape, const float* padded, float* img) {
  const size_t row = static_cast<size_t>(shape.padded_w()) * shape.channels;
  const size_t inside = static_cast<size_t>(shape.in_w) * shape.channels;
  const size_t before = static_cast<size_t>(shape.pad_left) * shape.channels;
  for (int iy = 0; iy < shape.in_h; ++iy)
    std::memcpy(img + iy * inside, padded + (iy + shape.pad_top) * row + before, inside * sizeof(float));
}

void im2col_image(const ConvShape& shape, const float* padded, float* cols) {
  const int k = shape.kernel, run = shape.run(), stride = shape.stride, c = shape.channels;
  const int out_h = shape.out_h, out_w = shape.out_w;
  const size_t row = static_cast<size_t>(shape.padded_w()) * c;
  for (int oy = 0; oy < out_h; ++oy) {
    for (int ox = 0; ox < out_w; ++ox) {
      const float* window = padded + static_cast<size_t>(oy) * stride * row + static_cast<size_t>(ox) * stride * c;
      for (int ky = 0; ky < k; ++ky, cols += run) copy_floats(cols, window + ky * row, run);
    }
  }
}

void col2im_image(const ConvShape& shape, const float* dcols, float* padded) {
  const int k = shape.kernel, run = shape.run(), stride = shape.stride, c = shape.channels;
  const int out_h = shape.out_h, out_w = shape.out_w;
  const size_t row = static_cast<size_t>(shape.padded_w()) * c;
  std::fill(padded, padded + shape.padded_h() * row, 0.0f);
  for (int oy = 0; oy < out_h; ++oy) {
    for (int ox = 0; ox < out_w; ++ox) {
      float* window = padded + static_cast<size_t>(oy) * stride * row + static_cast<size_t>(ox) * stride * c;
      for (int ky = 0; ky < k; ++ky, dcols += run) add_into(window + ky * row, dcols, run);
    }
  }
}

}  // namespace nn
