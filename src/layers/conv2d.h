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
// How it runs: three ways, the same numbers (to float rounding).
//  * reference mode (reference/conv2d.h): the sums above as plain loops, one function per
//    formula. The one to step through in a debugger, and the oracle the tests hold the
//    other two to.
//  * im2col, as written above: the patches of one image are copied into a buffer
//    (kernels/im2col.h) and multiplied with the plain sgemm every Dense layer uses. Easy
//    to follow, and the way to read the formulas; but the buffer is kh·kw = 9 times the
//    image, written and read back, forward and again backward (it is not kept: 9.4 MB per
//    batch for the chapter's CNN). The patches are copied from a zero-padded copy of the
//    image (a ninth of their size), so no copy has to test for the image's edge.
//  * implicit GEMM (kernels/conv_gemm.h): the micro-kernel reads the patches straight out
//    of the image, one kernel row at a time, leaving out the window positions that fall
//    on padding, and dx is added straight back into place; no patch buffer, no padded
//    copy, so none of that memory traffic, which is why it is the faster of the two. It
//    needs patch rows long enough to feed the kernel (kw·C ≥ 32), so it serves every
//    layer of the chapter's CNN but the first (C = 3), which keeps im2col.
//
// What runs per image and what per group: forward handles one image per task (on the
// thread pool), multiplying while its data is in the core's cache. Backward takes a group
// of images per task (images_per_group: enough for dW's multiply to sum over ≥ 512 output
// pixels), computes the group's share of dW into its own partial, and dx image by image;
// the partials are then added in group order (kernels/column_sums.h). Each number is
// computed the same way on 1 thread or many.
//
// Shapes (channels-last, NHWC as Keras): x (N, H, W, C), y (N, Ho, Wo, F); kernel
// (kh, kw, C, F); bias (F). Output size and padding: see layers/window.h.
// Initial kernel: glorot_uniform with Keras's convolution fans, fan_in = kh·kw·C and
// fan_out = kh·kw·F, U(-l, l), l = sqrt(6 / (fan_in + fan_out)); biases start at zero.
#pragma once
#include "kernels/conv_shape.h"
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
  Config get_config() const override;  // for model.save (layers/config.h)
  static Conv2D from_config(const Config& config);  // for nn::load_model
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
  ConvShape conv_shape() const;  // this layer's geometry, for kernels/ and reference/
  // One image's rows of cols (Ho·Wo, kh·kw·C) <- the patches of img (H, W, C), through
  // the padded copy `padded` (Hp, Wp, C) when the layer has padding (else null is fine).
  void image_to_patches(const float* img, float* padded, float* cols) const;
  // One image's dx img (H, W, C) <- every patch row of dcols (Ho·Wo, kh·kw·C) added back
  // where it came from, through `padded` (Hp, Wp, C) when the layer has padding.
  void patches_to_image(const float* dcols, float* padded, float* img) const;
  void reserve_padded_images();     // padded_ sized for every worker thread
  float* padded_image(int worker);  // that worker's (Hp, Wp, C) scratch, or null
  void finish_output(float* z) const;      // z (Ho·Wo, F) += b, then act, in place
  // The two fast ways to run the multiplies (see the header comment): forward, and
  // backward's dW partials per image group plus dx. dz: (N·Ho·Wo, F).
  void forward_implicit(const Tensor& x, Tensor& y);
  void forward_im2col(const Tensor& x, Tensor& y);
  void backward_groups_implicit(const float* dz, Tensor& dx, bool need_dx);
  void backward_groups_im2col(const float* dz, Tensor& dx, bool need_dx);

  int filters_, kernel_size_, strides_;
  std::string padding_;
  ActivationKind activation_;
  // Geometry, known after build().
  int in_h_ = 0, in_w_ = 0, in_c_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;
  Param kernel_{"kernel", {}, {}, true};
  Param bias_{"bias", {}, {}, true};
  const Tensor* y_ = nullptr;  // the forward output, for act'(z) computed from y
  int images_per_group() const;  // images whose dW share one backward task computes
  int group_count(int n) const;   // groups in a batch of n images
  struct Images {
    int first, last;  // [first, last)
  };
  Images group_images(int g, int n) const;  // group g's images in a batch of n
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied) to copy its patches again in backward
  Tensor cols_;   // (threads, group·Ho·Wo·kh·kw·C) each worker's patches of its image(s)
  Tensor dw_partial_;  // (groups, kh·kw·C·F + F) each image group's share of dW, then of db
  // Group g's row of dw_partial_, its db share already summed from dz (N·Ho·Wo, F).
  float* group_partial(int g, const float* dz, int i0, int i1);
  Tensor dz_;     // (N, Ho, Wo, F) scratch for dz when there is an activation to undo
  Tensor padded_;  // (threads, Hp·Wp·C) each worker's padded copy of one image
  Tensor dcols_;       // (threads, Ho·Wo·kh·kw·C) one image's dz · Wᵀ per worker thread (im2col path)
  Tensor packed_w_;    // W (forward) or Wᵀ (backward) packed for the micro-kernel (implicit path)
  Tensor dw_scratch_;  // (threads, ...) each worker's panels for conv_weight_grad (implicit path)
};

}  // namespace nn::layers
