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
// Why im2col rather than an implicit GEMM? An implicit GEMM reads the patches straight from
// the image inside the matrix multiply's packing routine: no extra buffer, but the GEMM
// kernel then has to know about convolutions. im2col keeps the GEMM a plain matrix multiply
// (the one every Dense layer uses, tuned and tested once) at the price of a buffer kh·kw
// times the input (for the chapter's CNN at most 2.4 M floats = 9.4 MB per batch of 32)
// and one memory pass to fill it — small next to the multiply's arithmetic. The buffer
// also doubles as the saved input backward needs for dW.
// The patches are copied from a zero-padded copy of the image (made once per image, a
// ninth of the patches' size), so every patch row is one straight copy with no test for
// the edge: for the first layer (3 channels) the tests and short copies had cost more
// than its multiply. (The buffer grows with the batch:
// predict and evaluate in batches of 32, not all at once.)
//
// Which work runs per image and which for the whole batch: forward fills one image's rows
// of cols and multiplies them by W at once, while they are still in the core's cache (one
// image is a task on the thread pool; 9.4 MB for the batch would have gone out to memory
// and come back). Backward does the same for dcols, which is only a step on the way to dx.
// dW = colsᵀ · dz sums over every output pixel of the batch, so it stays one big multiply
// (inner dimension 32,768 for the first layer) that the GEMM splits over its threads.
// Either way each number is computed the same way on 1 thread or many.
//
// Shapes (channels-last, NHWC as Keras): x (N, H, W, C), y (N, Ho, Wo, F); kernel
// (kh, kw, C, F); bias (F). Output size and padding: see layers/window.h.
// Initial kernel: glorot_uniform with Keras's convolution fans, fan_in = kh·kw·C and
// fan_out = kh·kw·F, U(-l, l), l = sqrt(6 / (fan_in + fan_out)); biases start at zero.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

// Conv2D(32, 3, {.strides = 2, .padding = "same", .activation = "relu"}); keep this order.
struct Conv2DOptions {
  int strides = 1;
  std::string padding = "valid";      // "valid" or "same"
  std::string activation = "linear";  // any name from layers/activations.h
};

class Conv2D : public LayerBase<Conv2D> {
 public:
  // kernel_size k means a square k×k window, as Keras's Conv2D(filters, 3).
  Conv2D(int filters, int kernel_size, Conv2DOptions options = {});

  Shape build(const Shape& in) override;                              // (H, W, C) -> (Ho, Wo, F)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, H, W, C) -> y: (N, Ho, Wo, F)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, Ho, Wo, F) -> dx: (N, H, W, C)
  std::string type() const override { return "Conv2D"; }
  std::vector<Param*> params() override { return {&kernel_, &bias_}; }
  double forward_flops() const override;
  std::string explain_params() const override;
  std::optional<ActivationKind> output_activation() const override { return activation_; }

  int filters() const { return filters_; }
  int kernel_size() const { return kernel_size_; }
  int strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  Param& kernel() { return kernel_; }  // (kh, kw, C, F)
  Param& bias() { return bias_; }      // (F)

 private:
  int patch_size() const { return kernel_size_ * kernel_size_ * in_c_; }  // kh·kw·C
  // The image (H, W, C) with its zero padding around it: padded (Hp, Wp, C).
  void pad_image(const float* img, float* padded) const;
  // img itself when the layer has no padding, else `padded` filled by pad_image.
  const float* padded_source(const float* img, float* padded) const;
  bool needs_padding() const { return padded_h_ != in_h_ || padded_w_ != in_w_; }
  // One image's rows of cols (Ho·Wo, kh·kw·C) <- the patches of the image (H, W, C);
  // `padded` (Hp, Wp, C) is scratch.
  void im2col_image(const float* img, float* padded, float* out) const;
  // One image's dx (H, W, C) <- the sum of every patch row of its dcols (Ho·Wo, kh·kw·C)
  // at the place the patch was copied from; `padded` (Hp, Wp, C) is scratch.
  void col2im_image(const float* dcols, float* padded, float* img) const;
  void reserve_padded_images();        // padded_ sized for every worker thread
  float* padded_image(int worker);     // that worker's (Hp, Wp, C) scratch, or null

  int filters_, kernel_size_, strides_;
  std::string padding_;
  ActivationKind activation_;
  // Geometry, known after build().
  int in_h_ = 0, in_w_ = 0, in_c_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;
  int padded_h_ = 0, padded_w_ = 0;  // (Hp, Wp): the input with its padding, as far as windows reach
  Param kernel_{"kernel", {}, {}, true};
  Param bias_{"bias", {}, {}, true};
  const Tensor* y_ = nullptr;  // the forward output, for act'(z) computed from y
  int images_per_group() const;  // images whose dW share one backward task computes
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied) to copy its patches again in backward
  Tensor cols_;   // (threads, group·Ho·Wo·kh·kw·C) each worker's patches of its image(s)
  Tensor dw_partial_;  // (groups, kh·kw·C·F) each image group's share of dW
  Tensor dz_;     // (N, Ho, Wo, F) scratch for dz when there is an activation to undo
  std::vector<float> bias_partial_;  // per-chunk sums of dz, scratch for the bias gradient
  std::vector<double> bias_sums_;    // (F) the reduced sums
  Tensor padded_;  // (threads, Hp·Wp·C) each worker's padded copy of one image
  Tensor dcols_;  // (threads, Ho·Wo·kh·kw·C) one image's dz · Wᵀ per worker thread
};

}  // namespace nn::layers
