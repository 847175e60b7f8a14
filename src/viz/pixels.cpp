#include "viz/pixels.h"

#include <cmath>

#include "tensor/error.h"

namespace nn::viz {

Image8 to_image8(const Tensor& image, float lo, float hi) {
  const Shape& s = image.shape();
  Image8 out;
  if (s.size() == 2) {
    out.height = s[0], out.width = s[1], out.channels = 1;
  } else if (s.size() == 3) {
    out.height = s[0], out.width = s[1], out.channels = s[2];
  } else if (s.size() == 4 && s[0] == 1) {
    out.height = s[1], out.width = s[2], out.channels = s[3];
  } else {
    throw ShapeError("an image must have shape (H, W), (H, W, C) or (1, H, W, C), got " + shape_str(s) +
                     "; to show image i of a batch, pass batch.slice_rows(i, i + 1)");
  }
  if (out.channels < 1 || out.channels > 4)
    throw ShapeError("an image needs 1 (gray), 2, 3 (RGB) or 4 (RGBA) channels, got shape " + shape_str(s));
  if (out.height < 1 || out.width < 1) throw ShapeError("an image must be at least 1x1 pixel, got shape " + shape_str(s));
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    throw ValueError("the value range of an image must have lo < hi, got lo = " + std::to_string(lo) +
                     ", hi = " + std::to_string(hi) + "; use 0, 255 for raw pixels or 0, 1 for scaled ones");

  out.pixels.resize(image.size());
  const float scale = 255.0f / (hi - lo);
  for (size_t i = 0; i < image.size(); ++i) {
    float v = (image[i] - lo) * scale;
    // Written so that NaN fails every comparison and ends up 0.
    out.pixels[i] = v >= 255.0f ? 255 : v > 0.0f ? static_cast<uint8_t>(v + 0.5f) : 0;
  }
  return out;
}

}  // namespace nn::viz
