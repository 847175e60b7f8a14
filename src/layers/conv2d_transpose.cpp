// Conv2DTranspose — the layer: its shapes, parameters and calls. The maths is written out
// in conv2d_transpose.h, and as plain loops in reference/conv2d_transpose.cpp (reference
// mode). The fast path calls Conv2D's kernels (kernels/conv2d_fast.cpp) with the roles of
// input and output swapped.
#include "layers/conv2d_transpose.h"

#include <algorithm>
#include <cmath>

#include "kernels/column_sums.h"
#include "kernels/elementwise.h"
#include "layers/window.h"
#include "reference/conv2d_transpose.h"
#include "reference/mode.h"
#include "tensor/error.h"
#include "tensor/rng.h"

namespace nn::layers {
namespace {

// Keras's output length along one axis of input length n (no output_padding).
int transposed_length(int n, int k, int s, const std::string& padding) {
  return padding == "same" ? n * s : n * s + std::max(k - s, 0);
}

}  // namespace

Conv2DTranspose::Conv2DTranspose(int filters, int kernel_size, Conv2DOptions options)
    : LayerBase("conv2d_transpose"),
      filters_(filters),
      kernel_size_(kernel_size),
      strides_(options.strides),
      padding_(options.padding),
      activation_(activation_from_name(options.activation)),
      use_bias_(options.use_bias) {
  if (filters < 1) throw ValueError("Conv2DTranspose: filters must be >= 1, got " + std::to_string(filters));
  if (kernel_size < 1)
    throw ValueError("Conv2DTranspose: kernel_size must be >= 1, got " + std::to_string(kernel_size));
  if (strides_ < 1) throw ValueError("Conv2DTranspose: strides must be >= 1, got " + std::to_string(strides_));
  check_padding(padding_, "Conv2DTranspose");
}

Shape Conv2DTranspose::build(const Shape& in) {
  if (in.size() != 3)
    throw ShapeError("Conv2DTranspose expects each sample to be an image (H, W, C), got " + shape_str(in) +
                     "; put a Reshape before it to make a vector into an image, e.g. Reshape({4, 4, 128})");
  const int k = kernel_size_, s = strides_, c = in[2];
  const int out_h = transposed_length(in[0], k, s, padding_), out_w = transposed_length(in[1], k, s, padding_);
  // The Conv2D from (out_h, out_w, F) back to (H, W, C): its padding is this layer's crop.
  const WindowAxis rows = window_axis(out_h, k, s, padding_, "Conv2DTranspose", "height");
  const WindowAxis cols = window_axis(out_w, k, s, padding_, "Conv2DTranspose", "width");
  if (rows.out != in[0] || cols.out != in[1])  // holds by the rules above; a guard for the arithmetic
    throw ShapeError("Conv2DTranspose: internal size mismatch for input " + shape_str(in));
  shape_ = {.out_h = in[0], .out_w = in[1], .kernel = k, .stride = s, .channels = filters_, .filters = c,
            .in_h = out_h, .in_w = out_w, .pad_top = rows.pad_before, .pad_left = cols.pad_before};

  kernel_.value = Tensor({k, k, filters_, c});
  kernel_.grad = Tensor({k, k, filters_, c});
  bias_.value = Tensor({filters_});
  bias_.grad = Tensor({filters_});
  zeros_ = Tensor({c});
  unused_db_ = Tensor({c});
  // Keras's fans for a kernel (k, k, F, C): fan_in = k·k·F, fan_out = k·k·C.
  const float fan_in = static_cast<float>(k * k * filters_), fan_out = static_cast<float>(k * k * c);
  const float limit = std::sqrt(6.0f / (fan_in + fan_out));
  Rng& rng = global_rng();
  for (float& w : kernel_.value) w = rng.uniform(-limit, limit);
  return {out_h, out_w, filters_};
}

std::vector<Param*> Conv2DTranspose::params() {
  if (use_bias_) return {&kernel_, &bias_};
  return {&kernel_};
}

void Conv2DTranspose::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0), out_h = shape_.in_h, out_w = shape_.in_w;
  y.resize({n, out_h, out_w, filters_});
  x_ = &x;
  y_ = &y;
  const size_t rows = static_cast<size_t>(n) * out_h * out_w;
  if (reference_mode()) {  // the plain loops: z = b + the stamps of x·W
    ref::conv2d_transpose_forward(x.data(), kernel_.value.data(), bias_.value.data(), y.data(), n, shape_);
  } else {
    // z = the transposed Conv2D's dx from "dz" := x (no weight gradients, so no input), + b.
    conv2d_backward_fast(nullptr, kernel_.value.data(), x.data(), nullptr, nullptr, y.data(), n, shape_, fast_);
    if (use_bias_) add_row_vector(y.data(), bias_.value.data(), rows, filters_);
  }
  // y = act(z), unless the model takes the logits (set_logits_output).
  if (!logits_output_ && activation_ != ActivationKind::linear)
    activation_forward(activation_, y.data(), y.data(), rows, filters_);
}

void Conv2DTranspose::backward(const Tensor& dy, Tensor& dx) {
  const int n = dy.dim(0);
  const size_t rows = static_cast<size_t>(n) * shape_.in_h * shape_.in_w;
  // dz = act'(z) ⊙ dy, unless the loss already handed us dL/dz (from the logits).
  const float* dz = dy.data();
  if (!logits_output_ && activation_ != ActivationKind::linear) {
    dz_.resize(dy.shape());
    activation_backward(activation_, y_->data(), dy.data(), dz_.data(), rows, filters_);
    dz = dz_.data();
  }
  float* dxs = nullptr;
  if (input_gradient_needed()) {
    dx.resize({n, shape_.out_h, shape_.out_w, shape_.filters});
    dxs = dx.data();
  }
  if (reference_mode()) {  // the plain loops, one formula each
    ref::conv2d_transpose_weight_grad(x_->data(), dz, kernel_.grad.data(), n, shape_);
    if (use_bias_) ref::conv2d_transpose_bias_grad(dz, bias_.grad.data(), n, shape_);
    if (dxs) ref::conv2d_transpose_input_grad(dz, kernel_.value.data(), dxs, n, shape_);
    return;
  }
  // dW: the transposed Conv2D's weight gradient, its input := dz, its dz := x. (Its db, the
  // sum of x, is of no use here; unused_db_ takes it.)
  unused_db_.fill(0.0f);
  conv2d_backward_fast(dz, kernel_.value.data(), x_->data(), kernel_.grad.data(), unused_db_.data(), nullptr, n,
                       shape_, fast_);
  if (use_bias_) add_column_sums(dz, rows, filters_, filters_, bias_.grad.data());
  // dx: the transposed Conv2D's forward of dz, with no bias and no activation.
  if (dxs)
    conv2d_forward_fast(dz, kernel_.value.data(), zeros_.data(), ActivationKind::linear, dxs, n, shape_, fast_);
}

double Conv2DTranspose::forward_flops() const {
  // One multiply-add (2 FLOPs) per weight per input pixel, plus the bias per output number.
  return 2.0 * shape_.out_h * shape_.out_w * shape_.filters * kernel_size_ * kernel_size_ * filters_ +
         (use_bias_ ? static_cast<double>(shape_.in_h) * shape_.in_w * filters_ : 0.0);
}

std::string Conv2DTranspose::explain_params() const {
  const std::string k = std::to_string(kernel_size_);
  return std::to_string(filters_) + " filters × (" + k + "×" + k + "×" + std::to_string(shape_.filters) +
         " inputs" + (use_bias_ ? " + 1 bias)" : ", no bias)");
}

Config Conv2DTranspose::get_config() const {
  return Config()
      .set("filters", filters_)
      .set("kernel_size", kernel_size_)
      .set("strides", strides_)
      .set("padding", padding_)
      .set("activation", activation_name(activation_))
      .set("use_bias", use_bias_);
}

Conv2DTranspose Conv2DTranspose::from_config(const Config& config) {
  return Conv2DTranspose(config.get_int("filters"), config.get_int("kernel_size"), conv_options_from_config(config));
}

}  // namespace nn::layers
