// Conv2D — a small set of filters slid over the image: every output pixel of filter f is
// the weighted sum of a kh×kw patch of the input (all C channels) around that position.
// The same weights are used at every position, which is why a convolution finds a chimney
// wherever it is in the picture, with far fewer weights than a Dense layer.
//
//   forward   z[n,oy,ox,f] = b[f] + Σ_{ky,kx,c} x[n, oy·s + ky - pt, ox·s + kx - pl, c] · W[ky,kx,c,f]
//             y = act(z)                 (pixels outside the image count as 0: "same" padding)
//   As one matrix multiply (im2col): copy every patch into one row of a matrix,
//             cols: (N·Ho·Wo, kh·kw·C)   row (n, oy, ox) = the patch, in (ky, kx, c) order
//             z = cols · W + b           W viewed as (kh·kw·C, F), exactly how Keras stores it
//   backward  dz = act'(z) ⊙ dy          (from y, see layers/activations.h)
//             dW += colsᵀ · dz           (kh·kw·C, F)
//             db += Σ_{n,oy,ox} dz       (F)
//             dcols = dz · Wᵀ            (N·Ho·Wo, kh·kw·C): each patch's share of the error
//             dx = col2im(dcols)         add every patch row back where it was copied from
//
// How it runs: two paths, the same numbers (to float rounding).
//  * reference mode (reference/conv2d.h): the sums above as plain loops, one function per
//    formula. The one to step through in a debugger, and the oracle the tests hold the
//    fast path to.
//  * the fast path (kernels/conv2d_fast.h): the batch split over the thread pool, an image
//    per task forward and a group of images per task backward (each group's dW share in
//    its own partial, the partials added in group order, so any thread count gives the
//    same bits). Each task multiplies one of two ways, chosen by the shape: as written
//    above, the patches copied into a buffer (kernels/im2col.h) and multiplied with the
//    sgemm every Dense layer uses, for the first layer of an RGB network (kw·C < 32); or
//    the implicit GEMM (kernels/conv_gemm.h), which reads the patches straight out of the
//    image and adds dx straight back, with no patch buffer, for every other layer.
//
// Shapes (channels-last, NHWC as Keras): x (N, H, W, C), y (N, Ho, Wo, F); kernel
// (kh, kw, C, F); bias (F), absent with use_bias = false (then b = 0 above).
// Output size and padding: see layers/window.h.
// Initial kernel: glorot_uniform with Keras's convolution fans, fan_in = kh·kw·C and
// fan_out = kh·kw·F, U(-l, l), l = sqrt(6 / (fan_in + fan_out)); biases start at zero.
#pragma once
#include "kernels/conv2d_fast.h"
#include "kernels/conv_shape.h"
#include "layers/layer.h"

namespace nn::layers {

// Conv2D(32, 3, {.strides = 2, .padding = "same", .activation = "relu"}); keep this order.
struct Conv2DOptions {
  int strides = 1;
  std::string padding = "valid";      // "valid" or "same"
  std::string activation = "linear";  // any name from layers/activations.h
  bool use_bias = true;               // false: no bias parameter (b stays 0)
};
// The options as Conv2D's and Conv2DTranspose's get_config write them (a missing
// "use_bias" means true), for their from_config.
Conv2DOptions conv_options_from_config(const Config& config);


class Conv2D : public LayerBase<Conv2D> {
 public:
  // kernel_size k means a square k×k window, as Keras's Conv2D(filters, 3).
  Conv2D(int filters, int kernel_size, Conv2DOptions options = {});

  Shape build(const Shape& in) override;                              // (H, W, C) -> (Ho, Wo, F)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, H, W, C) -> y: (N, Ho, Wo, F)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, Ho, Wo, F) -> dx: (N, H, W, C)
  std::string type() const override { return "Conv2D"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static Conv2D from_config(const Config& config);  // for nn::load_model
  std::vector<Param*> params() override {  // kernel, then bias (if use_bias)
    if (use_bias_) return {&kernel_, &bias_};
    return {&kernel_};
  }
  double forward_flops() const override;
  std::string explain_params() const override;
  std::optional<ActivationKind> output_activation() const override { return activation_; }

  int filters() const { return filters_; }
  int kernel_size() const { return kernel_size_; }
  int strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  Param& kernel() { return kernel_; }  // (kh, kw, C, F)
  Param& bias() { return bias_; }      // (F); zeros, not a parameter, when use_bias is false
  bool use_bias() const { return use_bias_; }

 private:
  int patch_size() const { return kernel_size_ * kernel_size_ * in_c_; }  // kh·kw·C
  ConvShape conv_shape() const;  // this layer's geometry, for kernels/ and reference/

  int filters_, kernel_size_, strides_;
  std::string padding_;
  ActivationKind activation_;
  bool use_bias_;
  // Geometry, known after build().
  int in_h_ = 0, in_w_ = 0, in_c_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;
  Param kernel_{"kernel", {}, {}, true};
  Param bias_{"bias", {}, {}, true};
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied): dW needs it in backward
  const Tensor* y_ = nullptr;  // the forward output, for act'(z) computed from y
  Tensor dz_;                  // (N, Ho, Wo, F) dz when there is an activation to undo
  Conv2DWorkspace fast_;       // the fast path's scratch, reused from batch to batch
};

}  // namespace nn::layers
