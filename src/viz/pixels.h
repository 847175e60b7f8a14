// Turning a float image tensor into 8-bit pixels, the form every picture format wants.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace nn::viz {

// Rows top to bottom, pixels left to right, channels interleaved (R G B R G B ...).
struct Image8 {
  int height = 0;
  int width = 0;
  int channels = 0;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  std::vector<uint8_t> pixels;  // height * width * channels bytes
};

// image: (H, W), (H, W, C) or (1, H, W, C), C = 1, 2, 3 or 4, values in [lo, hi]
// (0..255 as the data loaders give, or 0..1 after scaling). lo maps to 0, hi to 255;
// values outside are clamped and NaN becomes 0, so a bad pixel can never break a file.
// Throws ShapeError for other shapes and ValueError when hi <= lo.
Image8 to_image8(const Tensor& image, float lo = 0.0f, float hi = 255.0f);

}  // namespace nn::viz
