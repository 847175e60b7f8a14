// UpSampling2D — makes an image larger by repeating each pixel: with size (sh, sw) every
// input pixel becomes an sh×sw block of copies (nearest neighbour, Keras's default
// interpolation). Channels-last, as Keras: (N, H, W, C) -> (N, H·sh, W·sw, C). No weights.
//
//   forward   y[n, i, j, c] = x[n, ⌊i / sh⌋, ⌊j / sw⌋, c]
//   backward  dx[n, a, b, c] = Σ_{u < sh, v < sw} dy[n, a·sh + u, b·sw + v, c]
//             (each input number was copied into sh·sw places, so its gradient is the sum
//             of the gradients of all its copies)
//
// How it runs: reference mode takes the plain loops of reference/upsampling.h; the fast
// path (kernels/upsampling.h) copies whole rows. A decoder can use it, followed by a
// Conv2D, where another uses a strided Conv2DTranspose to grow the image.
#pragma once
#include <array>

#include "kernels/upsampling.h"
#include "layers/layer.h"

namespace nn::layers {

class UpSampling2D : public LayerBase<UpSampling2D> {
 public:
  // UpSampling2D(2): twice as tall and twice as wide; UpSampling2D({2, 3}): rows ×2, columns ×3.
  explicit UpSampling2D(int size = 2) : UpSampling2D(std::array<int, 2>{size, size}) {}
  explicit UpSampling2D(std::array<int, 2> size);

  Shape build(const Shape& in) override;                              // (H, W, C) -> (H·sh, W·sw, C)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, H, W, C) -> y: (N, H·sh, W·sw, C)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, H·sh, W·sw, C) -> dx: (N, H, W, C)
  std::string type() const override { return "UpSampling2D"; }
  Config get_config() const override;                      // {"size": [sh, sw]}
  static UpSampling2D from_config(const Config& config);  // for nn::load_model

  int rows() const { return shape_.rows; }
  int cols() const { return shape_.cols; }

 private:
  UpsampleShape shape_;  // factors from the constructor; H, W, C from build()
};

}  // namespace nn::layers
