// Conv2DTranspose — a convolution run backwards, to make an image larger: every input
// pixel stamps a k×k patch of filters onto the output, scaled by its values, and where
// patches overlap their stamps add up. With strides 2 the stamps are placed two output
// pixels apart, so the output is about twice as tall and wide: a decoder uses it to grow
// a small (4, 4, 128) block back into a picture.
//
// It is exactly the input gradient of a Conv2D: take the Conv2D that maps an image shaped
// like this layer's OUTPUT (Ho, Wo, F) to one shaped like its INPUT (H, W, C); its dx
// from dz is this layer's forward. Keras stores the kernel as (k, k, F, C), which is that
// Conv2D's own (k, k, C_in, filters) kernel, so the same numbers mean the same thing.
//
//   forward   z[n,oy,ox,f] = b[f] + Σ over (iy, ix, ky, kx) with iy·s + ky - pt = oy and
//                                   ix·s + kx - pl = ox  of  Σ_c x[n,iy,ix,c] · W[ky,kx,f,c]
//             y = act(z)           (a stamp that lands in the padding, outside y, is dropped)
//   backward  dz = act'(z) ⊙ dy
//             dx[n,iy,ix,c] = Σ_{ky,kx,f} dz[n, iy·s + ky - pt, ix·s + kx - pl, f] · W[ky,kx,f,c]
//                             (a Conv2D's forward, of dz, by that Conv2D's kernel)
//             dW[ky,kx,f,c] += Σ_{n,iy,ix} dz[n, iy·s + ky - pt, ix·s + kx - pl, f] · x[n,iy,ix,c]
//                             (that Conv2D's weight gradient, with its input := dz, its dz := x)
//             db[f] += Σ_{n,oy,ox} dz[n,oy,ox,f]
//
// Output size (Keras's deconv_output_length, no output_padding), per axis of length n:
//   "same":  out = n·s                    "valid": out = n·s + max(k - s, 0)
// and pt, pl are the padding the matching Conv2D would have on that output (layers/window.h:
// "same" pads total = max(k - s, 0), the smaller half before). E.g. k = 3, s = 2, "same" on
// 4 pixels: out = 8, total 1, pt = 0 — the full result (4 - 1)·2 + 3 = 9 loses its last row.
//
// How it runs: two paths, the same numbers (to float rounding).
//  * reference mode (reference/conv2d_transpose.h): the sums above as plain loops.
//  * the fast path reuses Conv2D's kernels (kernels/conv2d_fast.h): forward is
//    conv2d_backward_fast with no weight gradients; dx is conv2d_forward_fast of dz; dW is
//    conv2d_backward_fast with the roles of input and dz swapped. No convolution code of its own.
//
// Shapes (channels-last, NHWC as Keras): x (N, H, W, C), y (N, Ho, Wo, F); kernel (k, k, F, C);
// bias (F), absent with use_bias = false. Initial kernel: glorot_uniform with Keras's fans
// for that kernel shape, fan_in = k·k·F, fan_out = k·k·C; biases start at zero.
#pragma once
#include "kernels/conv2d_fast.h"
#include "kernels/conv_shape.h"
#include "layers/conv2d.h"  // Conv2DOptions
#include "layers/layer.h"

namespace nn::layers {

class Conv2DTranspose : public LayerBase<Conv2DTranspose> {
 public:
  // Conv2DTranspose(64, 3, {.strides = 2, .padding = "same", .activation = "relu"}): a k×k window.
  Conv2DTranspose(int filters, int kernel_size, Conv2DOptions options = {});

  Shape build(const Shape& in) override;                              // (H, W, C) -> (Ho, Wo, F)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, H, W, C) -> y: (N, Ho, Wo, F)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, Ho, Wo, F) -> dx: (N, H, W, C)
  std::string type() const override { return "Conv2DTranspose"; }
  Config get_config() const override;                         // for model.save (layers/config.h)
  static Conv2DTranspose from_config(const Config& config);  // for nn::load_model
  std::vector<Param*> params() override;                      // kernel, then bias (if use_bias)
  double forward_flops() const override;
  std::string explain_params() const override;
  std::optional<ActivationKind> output_activation() const override { return activation_; }

  int filters() const { return filters_; }
  int kernel_size() const { return kernel_size_; }
  int strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  bool use_bias() const { return use_bias_; }
  Param& kernel() { return kernel_; }  // (k, k, F, C)
  Param& bias() { return bias_; }      // (F); zeros, not a parameter, when use_bias is false
  // The Conv2D this layer is the transpose of: in_* = this layer's output, out_* = its input.
  const ConvShape& transposed_shape() const { return shape_; }

 private:
  int filters_, kernel_size_, strides_;
  std::string padding_;
  ActivationKind activation_;
  bool use_bias_;
  ConvShape shape_;  // known after build()
  Param kernel_{"kernel", {}, {}, true};
  Param bias_{"bias", {}, {}, true};
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied): dW needs it in backward
  const Tensor* y_ = nullptr;  // the forward output, for act'(z) computed from y
  Tensor dz_;                  // (N, Ho, Wo, F) dz when there is an activation to undo
  Tensor zeros_;               // (C) the zero bias of dx's Conv2D forward
  Tensor unused_db_;           // (C) where the dW call puts a sum this layer does not need
  Conv2DWorkspace fast_;       // the fast path's scratch, reused from batch to batch
};

}  // namespace nn::layers
