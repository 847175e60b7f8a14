// UpSampling2D — the layer: shapes and calls. The maths is in upsampling.h; the plain loops
// in reference/upsampling.cpp (reference mode), the fast path in kernels/upsampling.cpp.
#include "layers/upsampling.h"

#include "reference/mode.h"
#include "reference/upsampling.h"
#include "tensor/error.h"

namespace nn::layers {

UpSampling2D::UpSampling2D(std::array<int, 2> size) : LayerBase("up_sampling2d") {
  if (size[0] < 1 || size[1] < 1)
    throw ValueError("UpSampling2D: the size must be >= 1 in both directions, got (" + std::to_string(size[0]) +
                     ", " + std::to_string(size[1]) + ")");
  shape_.rows = size[0];
  shape_.cols = size[1];
}

Shape UpSampling2D::build(const Shape& in) {
  if (in.size() != 3)
    throw ShapeError("UpSampling2D expects each sample to be an image (H, W, C), got " + shape_str(in) +
                     "; put a Reshape before it to make a vector into an image, e.g. Reshape({4, 4, 128})");
  shape_.in_h = in[0];
  shape_.in_w = in[1];
  shape_.channels = in[2];
  return {in[0] * shape_.rows, in[1] * shape_.cols, in[2]};
}

void UpSampling2D::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0);
  y.resize({n, output_shape()[0], output_shape()[1], output_shape()[2]});
  if (reference_mode())
    ref::upsample_forward(x.data(), y.data(), n, shape_);
  else
    upsample_forward_fast(x.data(), y.data(), n, shape_);
}

void UpSampling2D::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  const int n = dy.dim(0);
  dx.resize({n, shape_.in_h, shape_.in_w, shape_.channels});
  if (reference_mode())
    ref::upsample_backward(dy.data(), dx.data(), n, shape_);
  else
    upsample_backward_fast(dy.data(), dx.data(), n, shape_);
}

Config UpSampling2D::get_config() const { return Config().set("size", Shape{shape_.rows, shape_.cols}); }

UpSampling2D UpSampling2D::from_config(const Config& config) {
  const Shape size = config.get_shape("size");
  if (size.size() != 2)
    throw ValueError("UpSampling2D: \"size\" must be two numbers [rows, cols], got " + shape_str(size));
  return UpSampling2D(std::array<int, 2>{size[0], size[1]});
}

}  // namespace nn::layers
