// Conv2D — the layer: its shapes and parameters, and calls. The maths (forward
//   z[n,oy,ox,f] = b[f] + Σ_{ky,kx,c} x[n, oy·s + ky - pt, ox·s + kx - pl, c] · W[ky,kx,c,f],
//   y = act(z), and backward's dW, db, dx) is written out in conv2d.h, and as plain loops in
// reference/conv2d.cpp, which reference mode runs. The fast path, threads and scratch
// buffers included, is kernels/conv2d_fast.cpp.
#include "layers/conv2d.h"

#include <cmath>

#include "kernels/conv2d_fast.h"
#include "layers/window.h"
#include "reference/conv2d.h"
#include "reference/mode.h"
#include "tensor/rng.h"

namespace nn::layers {

Conv2D::Conv2D(int filters, int kernel_size, Conv2DOptions options)
    : LayerBase("conv2d"),
      filters_(filters),
      kernel_size_(kernel_size),
      strides_(options.strides),
      padding_(options.padding),
      activation_(activation_from_name(options.activation)),
      use_bias_(options.use_bias) {
  if (filters < 1) throw ValueError("Conv2D: filters must be >= 1, got " + std::to_string(filters));
  if (kernel_size < 1) throw ValueError("Conv2D: kernel_size must be >= 1, got " + std::to_string(kernel_size));
  if (strides_ < 1) throw ValueError("Conv2D: strides must be >= 1, got " + std::to_string(strides_));
  check_padding(padding_, "Conv2D");
}

Shape Conv2D::build(const Shape& in) {
  if (in.size() != 3)
    throw ShapeError("Conv2D expects each sample to be an image (H, W, C), got " + shape_str(in) +
                     "; give Input a shape like (28, 28, 1) (a grey image has C = 1)");
  in_h_ = in[0];
  in_w_ = in[1];
  in_c_ = in[2];
  const WindowAxis rows = window_axis(in_h_, kernel_size_, strides_, padding_, "Conv2D", "height");
  const WindowAxis cols = window_axis(in_w_, kernel_size_, strides_, padding_, "Conv2D", "width");
  out_h_ = rows.out;
  out_w_ = cols.out;
  pad_top_ = rows.pad_before;
  pad_left_ = cols.pad_before;

  const int k = kernel_size_;
  kernel_.value = Tensor({k, k, in_c_, filters_});
  kernel_.grad = Tensor({k, k, in_c_, filters_});
  bias_.value = Tensor({filters_});
  bias_.grad = Tensor({filters_});
  // Keras's fans for a convolution: every output sees kh·kw·C inputs, every input feeds
  // kh·kw·F outputs.
  const float fan_in = static_cast<float>(k * k * in_c_), fan_out = static_cast<float>(k * k * filters_);
  const float limit = std::sqrt(6.0f / (fan_in + fan_out));
  Rng& rng = global_rng();
  for (float& w : kernel_.value) w = rng.uniform(-limit, limit);
  return {out_h_, out_w_, filters_};
}

ConvShape Conv2D::conv_shape() const {
  return {.out_h = out_h_, .out_w = out_w_, .kernel = kernel_size_, .stride = strides_, .channels = in_c_,
          .filters = filters_, .in_h = in_h_, .in_w = in_w_, .pad_top = pad_top_, .pad_left = pad_left_};
}

void Conv2D::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0);
  y.resize({n, out_h_, out_w_, filters_});
  x_ = &x;
  y_ = &y;
  // y = act(z), unless the model takes the logits (set_logits_output): then z is this
  // layer's output and the model applies act, keeping z for the loss.
  const ActivationKind act = logits_output_ ? ActivationKind::linear : activation_;
  if (reference_mode()) {  // the plain loops of src/reference/: z = b + Σ x·W, then y = act(z)
    ref::conv2d_forward(x.data(), kernel_.value.data(), bias_.value.data(), y.data(), n, conv_shape());
    if (act != ActivationKind::linear) activation_forward(act, y.data(), y.data(), n * out_h_ * out_w_, filters_);
  } else {  // the same, y = act(z) included, image by image on the thread pool
    conv2d_forward_fast(x.data(), kernel_.value.data(), bias_.value.data(), act, y.data(), n, conv_shape(), fast_);
  }
}

void Conv2D::backward(const Tensor& dy, Tensor& dx) {
  const int n = dy.dim(0);
  // dz = act'(z) ⊙ dy, unless the loss already handed us dL/dz (from the logits).
  const float* dz = dy.data();
  if (!logits_output_ && activation_ != ActivationKind::linear) {
    dz_.resize(dy.shape());
    activation_backward(activation_, y_->data(), dy.data(), dz_.data(), n * out_h_ * out_w_, filters_);
    dz = dz_.data();
  }
  // dx only when a layer below needs it; dW and db always.
  float* dxs = nullptr;
  if (input_gradient_needed()) {
    dx.resize({n, in_h_, in_w_, in_c_});
    dxs = dx.data();
  }
  if (reference_mode()) {  // the plain loops of src/reference/, one formula each
    ref::conv2d_weight_grad(x_->data(), dz, kernel_.grad.data(), n, conv_shape());
    if (use_bias_) ref::conv2d_bias_grad(dz, bias_.grad.data(), n, conv_shape());
    if (dxs) ref::conv2d_input_grad(dz, kernel_.value.data(), dxs, n, conv_shape());
  } else {  // the same three, a group of images per task on the thread pool
    // (without a bias, db goes to bias_.grad all the same: it is no parameter, nobody reads it)
    conv2d_backward_fast(x_->data(), kernel_.value.data(), dz, kernel_.grad.data(), bias_.grad.data(), dxs, n,
                         conv_shape(), fast_);
  }
}

double Conv2D::forward_flops() const {
  // One multiply-add (2 FLOPs) per weight per output pixel, plus the bias.
  return static_cast<double>(out_h_) * out_w_ * filters_ * (2.0 * patch_size() + 1.0);
}

std::string Conv2D::explain_params() const {
  const std::string k = std::to_string(kernel_size_);
  return std::to_string(filters_) + " filters × (" + k + "×" + k + "×" + std::to_string(in_c_) +
         (use_bias_ ? " inputs + 1 bias)" : " inputs, no bias)");
}

Config Conv2D::get_config() const {
  Config config = Config()
      .set("filters", filters_)
      .set("kernel_size", kernel_size_)
      .set("strides", strides_)
      .set("padding", padding_)
      .set("activation", activation_name(activation_));
  // "use_bias" is written only when false, so files saved before it existed (and every
  // model with biases) keep the same config.json; a missing key means true.
  if (!use_bias_) config.set("use_bias", false);
  return config;
}

Conv2DOptions conv_options_from_config(const Config& config) {
  return {.strides = config.get_int("strides"),
          .padding = config.get_string("padding"),
          .activation = config.get_string("activation"),
          .use_bias = config.has("use_bias") ? config.get_bool("use_bias") : true};
}

Conv2D Conv2D::from_config(const Config& config) {
  return Conv2D(config.get_int("filters"), config.get_int("kernel_size"), conv_options_from_config(config));
}

}  // namespace nn::layers
