#include "layers/concatenate.h"

#include <algorithm>

#include "reference/merge.h"
#include "reference/mode.h"
#include "tensor/error.h"

namespace nn::layers {

Concatenate::Concatenate(int axis) : MergeLayerBase("concatenate"), axis_(axis) {
  if (axis == 0)
    throw ValueError("Concatenate(axis=0) would join along the batch; use axis -1 (the last, the default) or "
                     "1, 2, ... (the dims of one sample)");
}

Config Concatenate::get_config() const { return Config().set("axis", axis_); }

Concatenate Concatenate::from_config(const Config& config) { return Concatenate(config.get_int("axis")); }

Shape Concatenate::build_inputs(const std::vector<Shape>& in) {
  const int rank = static_cast<int>(in[0].size());  // of one sample
  // Keras's axis counts the batch: with samples of rank r the full rank is r + 1.
  const int full = axis_ < 0 ? axis_ + rank + 1 : axis_;
  if (full < 1 || full > rank)
    throw ShapeError("Concatenate(axis=" + std::to_string(axis_) + ") does not fit inputs of shape " +
                     batch_shape_str(in[0]) + ": the axis must be 1.." + std::to_string(rank) + " or -1..-" +
                     std::to_string(rank));
  sample_axis_ = static_cast<size_t>(full - 1);
  Shape out = in[0];
  out[sample_axis_] = 0;
  lengths_.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    bool ok = in[i].size() == in[0].size();
    for (size_t d = 0; ok && d < in[0].size(); ++d) ok = d == sample_axis_ || in[i][d] == in[0][d];
    if (!ok)
      throw ShapeError("Concatenate(axis=" + std::to_string(axis_) + ") needs inputs that agree on every dim but " +
                       "the axis; got " + batch_shape_str(in[0]) + " and " + batch_shape_str(in[i]) + " (input " +
                       std::to_string(i) + ")");
    lengths_.push_back(static_cast<size_t>(in[i][sample_axis_]));
    out[sample_axis_] += in[i][sample_axis_];
  }
  outer_per_sample_ = shape_size(Shape(in[0].begin(), in[0].begin() + static_cast<long>(sample_axis_)));
  inner_ = shape_size(Shape(in[0].begin() + static_cast<long>(sample_axis_) + 1, in[0].end()));
  return out;
}

void Concatenate::forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool) {
  check_inputs(xs);
  const int n = xs[0]->dim(0);
  Shape shape{n};
  shape.insert(shape.end(), output_shape().begin(), output_shape().end());
  y.resize(shape);
  const size_t outer = static_cast<size_t>(n) * outer_per_sample_;
  if (reference_mode()) {
    std::vector<const float*> data;
    for (const Tensor* x : xs) data.push_back(x->data());
    ref::concatenate_forward(data, lengths_, y.data(), outer, inner_);
    return;
  }
  // Row o of the output is input 1's row o, then input 2's row o, ...: block copies.
  const size_t out_row = static_cast<size_t>(output_shape()[sample_axis_]) * inner_;
  size_t offset = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const size_t block = lengths_[i] * inner_;
    const float* x = xs[i]->data();
    for (size_t o = 0; o < outer; ++o) std::copy(x + o * block, x + (o + 1) * block, y.data() + o * out_row + offset);
    offset += block;
  }
}

void Concatenate::backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs) {
  if (!input_gradient_needed()) return;
  const int n = dy.dim(0);
  const size_t outer = static_cast<size_t>(n) * outer_per_sample_;
  for (size_t i = 0; i < dxs.size(); ++i) {
    Shape shape{n};
    shape.insert(shape.end(), input_shapes()[i].begin(), input_shapes()[i].end());
    dxs[i]->resize(shape);
  }
  if (reference_mode()) {
    std::vector<float*> data;
    for (Tensor* dx : dxs) data.push_back(dx->data());
    ref::concatenate_backward(dy.data(), data, lengths_, outer, inner_);
    return;
  }
  const size_t out_row = static_cast<size_t>(output_shape()[sample_axis_]) * inner_;
  size_t offset = 0;
  for (size_t i = 0; i < dxs.size(); ++i) {
    const size_t block = lengths_[i] * inner_;
    const float* src = dy.data() + offset;
    float* dx = dxs[i]->data();
    for (size_t o = 0; o < outer; ++o) std::copy(src + o * out_row, src + o * out_row + block, dx + o * block);
    offset += block;
  }
}

}  // namespace nn::layers
