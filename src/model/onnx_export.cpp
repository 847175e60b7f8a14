// export_onnx: the model's layer calls, in the order they run, each turned into a few ONNX
// nodes; a graph (model/graph.h) connects them as it runs them, and a nested model's calls
// are written into the same graph, as if the model had been built flat.
//
// The one subtle part is the layout. nnscratch keeps images channels-last, (N, H, W, C), as
// Keras does; ONNX's Conv, MaxPool and BatchNormalization want the channels on axis 1,
// (N, C, H, W). Each value carries which layout it is stored in, and a layer that needs
// the other one asks for it (channels_first / channels_last below), which adds a Transpose
// only when the layout really changes. So the chapter's CNN becomes
//   input_1 → Transpose → Conv → BatchNormalization → LeakyRelu → Conv → ... → LeakyRelu
//           → Transpose → Flatten → Gemm → ...
// with all twelve layers of its four convolution blocks between a single pair of transposes. The Transpose
// before Flatten matters: Flatten must read the numbers in (H, W, C) order, the order the
// next Dense layer's weights were trained on; flattening (C, H, W) would run without any
// error and give wrong predictions. The same goes for a merge: Concatenate's axis names a
// dimension of the channels-last shape, which sits elsewhere in a channels-first value.
//
// Names: a call's values and nodes are named after its layer ("dense"), a shared layer's
// later calls after the layer and the call ("dense/call_1"); weights after the layer, and
// written once however often the layer is called.
#include "model/onnx_export.h"

#include <algorithm>
#include <set>
#include <typeinfo>

#include "layers/activation_layer.h"
#include "layers/add.h"
#include "layers/batch_norm.h"
#include "layers/concatenate.h"
#include "layers/conv2d.h"
#include "layers/conv2d_transpose.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/flatten.h"
#include "layers/input.h"
#include "layers/leaky_relu.h"
#include "layers/max_pool.h"
#include "layers/reshape.h"
#include "layers/upsampling.h"
#include "layers/window.h"
#include "model/graph.h"
#include "model/nested_model.h"
#include "model/onnx_proto.h"
#include "tensor/error.h"
#include "tensor/file_io.h"

namespace nn {
namespace {

using onnx::AttributeProto;

const char* const kBatch = "N";  // the symbolic batch dimension of the input and the output
const char* const kExportable =
    "InputLayer, Dense, Activation, Flatten, Conv2D, BatchNormalization, LeakyReLU, Dropout, MaxPooling2D, "
    "Reshape, UpSampling2D, Conv2DTranspose, Add, Concatenate, and nested models of these";

// A tensor of the graph, as it flows from one layer to the next.
struct Value {
  std::string base;             // the layer that computed it (its name), e.g. "conv2d"
  Shape sample;                 // one sample's shape in nnscratch's order, channels last
  bool channels_first = false;  // stored in ONNX as (N, C, spatial...) instead; only for rank >= 2
  std::string name() const { return channels_first ? base + "_channels_first" : base; }
};

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // ONNX values are connected by name and each is written by one node only (the graph is
  // in single static assignment form), so a second node writing a name is refused here,
  // where the two layers that clash can still be named.
  void add_node(std::string op_type, std::string node_name, std::vector<std::string> inputs, std::string output,
                std::vector<AttributeProto> attributes = {}) {
    if (!values_.insert(output).second)
      throw Error("export_onnx: two nodes would write the value \"" + output + "\" (node \"" + node_name +
                  "\"); rename the layer whose name it is with set_name(...) before exporting");
    graph_.nodes.push_back({std::move(op_type), std::move(node_name), std::move(inputs), {std::move(output)},
                            std::move(attributes)});
  }
  bool has_value(const std::string& name) const { return values_.count(name) > 0; }
  // A weight, stored in the file; returns its name, for a node's inputs. A layer called
  // several times (shared weights) stores it once: every call reads the same initializer.
  std::string add_weight(std::string name, std::vector<int64_t> dims, std::vector<float> values) {
    if (weights_.insert(name).second) graph_.initializers.push_back({name, std::move(dims), std::move(values)});
    return name;
  }
  std::string add_weight(const std::string& layer, const Param& p) {
    std::vector<int64_t> dims(p.value.shape().begin(), p.value.shape().end());
    return add_weight(layer + "/" + p.name, std::move(dims), std::vector<float>(p.value.begin(), p.value.end()));
  }
  // A constant int64 vector (Reshape's target shape); returns its name.
  std::string add_int64s(std::string name, std::vector<int64_t> values) {
    const int64_t count = static_cast<int64_t>(values.size());
    if (weights_.insert(name).second) graph_.initializers.push_back({name, {count}, {}, std::move(values)});
    return name;
  }

  // v with its channels on axis 1: (N, d1, ..., dk, C) -> (N, C, d1, ..., dk). A value read
  // by several layers is transposed once, however many of them ask.
  Value channels_first(const Value& v) {
    if (v.channels_first || v.sample.size() < 2) return v;  // (N, C) has them there already
    Value out{v.base, v.sample, true};
    if (has_value(out.name())) return out;
    const int64_t r = static_cast<int64_t>(v.sample.size());
    std::vector<int64_t> perm{0, r};
    for (int64_t a = 1; a < r; ++a) perm.push_back(a);
    add_node("Transpose", v.base + "/to_channels_first", {v.name()}, out.name(), {AttributeProto::of_ints("perm", perm)});
    return out;
  }
  // Back to nnscratch's layout: (N, C, d1, ..., dk) -> (N, d1, ..., dk, C).
  Value channels_last(const Value& v) {
    if (!v.channels_first) return v;
    Value out{v.base, v.sample, false};
    if (has_value(out.name())) return out;
    const int64_t r = static_cast<int64_t>(v.sample.size());
    std::vector<int64_t> perm{0};
    for (int64_t a = 2; a <= r; ++a) perm.push_back(a);
    perm.push_back(1);
    add_node("Transpose", v.base + "/to_channels_last", {v.name()}, out.name(), {AttributeProto::of_ints("perm", perm)});
    return out;
  }
  // v in the layout of `like` (merged values must share one).
  Value layout_of(const Value& like, const Value& v) { return like.channels_first ? channels_first(v) : channels_last(v); }
  void add_graph_input(const std::string& name) { values_.insert(name); }

 private:
  onnx::GraphProto& graph_;
  std::set<std::string> values_;   // every value written so far (graph inputs included)
  std::set<std::string> weights_;  // every initializer stored so far
};

// The channel axis of v in ONNX's tensor (the batch is axis 0).
int64_t channel_axis(const Value& v) { return v.channels_first ? 1 : static_cast<int64_t>(v.sample.size()); }

// y = f(z), elementwise (softmax: over the channel axis, as nnscratch normalises the last
// axis of its channels-last tensors). z and y share shape and layout.
void add_activation(GraphBuilder& g, ActivationKind kind, float alpha, const Value& z, const Value& y,
                    const std::string& node_name) {
  switch (kind) {
    case ActivationKind::linear: g.add_node("Identity", node_name, {z.name()}, y.name()); return;
    case ActivationKind::relu: g.add_node("Relu", node_name, {z.name()}, y.name()); return;
    case ActivationKind::sigmoid: g.add_node("Sigmoid", node_name, {z.name()}, y.name()); return;
    case ActivationKind::tanh: g.add_node("Tanh", node_name, {z.name()}, y.name()); return;
    case ActivationKind::softmax:
      g.add_node("Softmax", node_name, {z.name()}, y.name(), {AttributeProto::of_int("axis", channel_axis(z))});
      return;
    case ActivationKind::leaky_relu:
      g.add_node("LeakyRelu", node_name, {z.name()}, y.name(), {AttributeProto::of_float("alpha", alpha)});
      return;
  }
}

// A layer ending in an activation (Dense, Conv2D): its main op writes z straight into
// the call's output y when the activation is linear, else into "<call>/z".
Value preactivation(ActivationKind kind, Value y) {
  if (kind != ActivationKind::linear) y.base += "/z";
  return y;
}
void finish_activation(GraphBuilder& g, ActivationKind kind, const Value& z, const Value& y) {
  if (kind != ActivationKind::linear) add_activation(g, kind, kLeakyReluAlpha, z, y, y.base + "/" + activation_name(kind));
}

// ONNX pads [top, left, bottom, right] of a window layer, as layers/window.h computes them:
// TensorFlow's "same" puts the odd padding position after the image, so the two sides can
// differ (strides 2 on 32 pixels: 0 before, 1 after). Explicit pads write in the file
// exactly which rows are padded, so no reader has to interpret auto_pad (whose SAME_UPPER
// states the same rule), and Netron shows them.
std::vector<int64_t> window_pads(const Shape& in, int k, int s, const std::string& padding, const std::string& layer) {
  int64_t before[2], after[2];
  for (int a = 0; a < 2; ++a) {
    const layers::WindowAxis w = layers::window_axis(in[a], k, s, padding, layer, a == 0 ? "height" : "width");
    before[a] = w.pad_before;
    // The last window ends at (out - 1)·s + k - pad_before; whatever passes the input is padding.
    after[a] = std::max<int64_t>(0, int64_t{w.out - 1} * s + k - in[a] - w.pad_before);
  }
  return {before[0], before[1], after[0], after[1]};
}

Value export_dense(GraphBuilder& g, layers::Dense& d, const std::string& as, const Value& in) {  // in: (N, D)
  const ActivationKind kind = *d.output_activation();
  const Value y{as, d.output_shape(), false};
  const Value z = preactivation(kind, y);
  // Gemm: z = x·B + C with B = the kernel (D, K) as stored, C = the bias (K) broadcast.
  g.add_node("Gemm", as, {in.name(), g.add_weight(d.name(), d.kernel()), g.add_weight(d.name(), d.bias())},
             z.name());
  finish_activation(g, kind, z, y);
  return y;
}

Value export_conv2d(GraphBuilder& g, layers::Conv2D& c, const std::string& as, const Value& in) {  // in: (N, H, W, C)
  const Value x = g.channels_first(in);
  const ActivationKind kind = *c.output_activation();
  const Value y{as, c.output_shape(), true};
  const Value z = preactivation(kind, y);
  // nnscratch's kernel is (kh, kw, C, F), Keras's layout; ONNX's Conv wants (F, C, kh, kw).
  const Tensor& w = c.kernel().value;
  const int k = c.kernel_size(), channels = w.dim(2), filters = c.filters();
  std::vector<float> fckk(w.size());
  for (int ky = 0; ky < k; ++ky)
    for (int kx = 0; kx < k; ++kx)
      for (int ch = 0; ch < channels; ++ch)
        for (int f = 0; f < filters; ++f)
          fckk[((static_cast<size_t>(f) * channels + ch) * k + ky) * k + kx] =
              w[((static_cast<size_t>(ky) * k + kx) * channels + ch) * filters + f];
  const std::string kernel = g.add_weight(c.name() + "/kernel", {filters, channels, k, k}, std::move(fckk));
  g.add_node("Conv", as, {x.name(), kernel, g.add_weight(c.name(), c.bias())}, z.name(),
             {AttributeProto::of_ints("kernel_shape", {k, k}), AttributeProto::of_ints("strides", {c.strides(), c.strides()}),
              AttributeProto::of_ints("pads", window_pads(in.sample, k, c.strides(), c.padding(), c.name()))});
  finish_activation(g, kind, z, y);
  return y;
}

Value export_max_pool(GraphBuilder& g, layers::MaxPooling2D& p, const std::string& as, const Value& in) {  // in: (N, H, W, C)
  const Value x = g.channels_first(in);
  const Value y{as, p.output_shape(), true};
  const int k = p.pool_size(), s = p.strides();
  // ONNX's MaxPool skips padded positions (as if they were -inf), as TensorFlow's does.
  g.add_node("MaxPool", as, {x.name()}, y.name(),
             {AttributeProto::of_ints("kernel_shape", {k, k}), AttributeProto::of_ints("strides", {s, s}),
              AttributeProto::of_ints("pads", window_pads(in.sample, k, s, p.padding(), p.name()))});
  return y;
}

Value export_batch_norm(GraphBuilder& g, layers::BatchNormalization& b, const std::string& as, const Value& in) {  // in: (N, ..., C)
  const Value x = g.channels_first(in);  // ONNX normalises axis 1
  const Value y{as, b.output_shape(), x.channels_first};
  // Inference form: y = gamma · (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
  // (ONNX's momentum only matters for training; it has the same meaning as Keras's.)
  g.add_node("BatchNormalization", as,
             {x.name(), g.add_weight(b.name(), b.gamma()), g.add_weight(b.name(), b.beta()),
              g.add_weight(b.name(), b.moving_mean()), g.add_weight(b.name(), b.moving_variance())},
             y.name(), {AttributeProto::of_float("epsilon", b.epsilon()), AttributeProto::of_float("momentum", b.momentum())});
  return y;
}

Value export_flatten(GraphBuilder& g, layers::Flatten& f, const std::string& as, const Value& in) {  // in: (N, ...)
  const Value x = g.channels_last(in);  // (H, W, C) order, as nnscratch flattens
  const Value y{as, f.output_shape(), false};
  g.add_node("Flatten", as, {x.name()}, y.name(), {AttributeProto::of_int("axis", 1)});
  return y;
}

// Layers that work number by number keep the input's layout.
Value export_activation(GraphBuilder& g, layers::Activation& a, const std::string& as, const Value& in) {
  const Value y{as, a.output_shape(), in.channels_first};
  add_activation(g, *a.output_activation(), kLeakyReluAlpha, in, y, as);
  return y;
}

Value export_leaky_relu(GraphBuilder& g, layers::LeakyReLU& l, const std::string& as, const Value& in) {
  const Value y{as, l.output_shape(), in.channels_first};
  add_activation(g, ActivationKind::leaky_relu, l.alpha(), in, y, as);
  return y;
}

Value export_dropout(GraphBuilder& g, layers::Dropout& d, const std::string& as, const Value& in) {
  const Value y{as, d.output_shape(), in.channels_first};
  g.add_node("Identity", as, {in.name()}, y.name());  // inference: Dropout passes x through
  return y;
}

Value export_reshape(GraphBuilder& g, layers::Reshape& r, const std::string& as, const Value& in) {  // in: (N, ...)
  const Value x = g.channels_last(in);  // the numbers in nnscratch's order, as Reshape reads them
  const Value y{as, r.output_shape(), false};
  std::vector<int64_t> shape{-1};  // the batch: whatever is left (every other size is known)
  for (int d : r.output_shape()) shape.push_back(d);
  g.add_node("Reshape", as, {x.name(), g.add_int64s(r.name() + "/shape", std::move(shape))}, y.name());
  return y;
}

// Resize scales each axis on its own, so it works in either layout: no transpose needed.
Value export_upsampling(GraphBuilder& g, layers::UpSampling2D& u, const std::string& as, const Value& in) {  // in: (N, H, W, C)
  const Value y{as, u.output_shape(), in.channels_first};
  const float sh = static_cast<float>(u.rows()), sw = static_cast<float>(u.cols());
  std::vector<float> scales = in.channels_first ? std::vector<float>{1, 1, sh, sw} : std::vector<float>{1, sh, sw, 1};
  const std::string scales_name = g.add_weight(u.name() + "/scales", {4}, std::move(scales));
  // Output pixel i reads input pixel floor(i / s): "asymmetric" coordinates, rounded down.
  g.add_node("Resize", as, {in.name(), "", scales_name}, y.name(),
             {AttributeProto::of_string("mode", "nearest"),
              AttributeProto::of_string("coordinate_transformation_mode", "asymmetric"),
              AttributeProto::of_string("nearest_mode", "floor")});
  return y;
}

Value export_conv2d_transpose(GraphBuilder& g, layers::Conv2DTranspose& t, const std::string& as, const Value& in) {  // in: (N, H, W, C)
  const Value x = g.channels_first(in);
  const ActivationKind kind = *t.output_activation();
  const Value y{as, t.output_shape(), true};
  const Value z = preactivation(kind, y);
  // nnscratch's kernel is (k, k, F, C), Keras's layout; ONNX's ConvTranspose wants (C, F, k, k).
  const Tensor& w = t.kernel().value;
  const int k = t.kernel_size(), filters = t.filters(), channels = w.dim(3), s = t.strides();
  std::vector<float> cfkk(w.size());
  for (int ky = 0; ky < k; ++ky)
    for (int kx = 0; kx < k; ++kx)
      for (int f = 0; f < filters; ++f)
        for (int ch = 0; ch < channels; ++ch)
          cfkk[((static_cast<size_t>(ch) * filters + f) * k + ky) * k + kx] =
              w[((static_cast<size_t>(ky) * k + kx) * filters + f) * channels + ch];
  const std::string kernel = g.add_weight(t.name() + "/kernel", {channels, filters, k, k}, std::move(cfkk));
  // ONNX's full result, (in - 1)·s + k per axis, cut by pads to Keras's size: pt (pl) before,
  // the rest after. When Keras's output is longer (a "valid" window smaller than the
  // stride), the missing rows are output_padding instead, zeros plus the bias, as in Keras.
  const nn::ConvShape& cs = t.transposed_shape();
  const int in_sizes[2] = {cs.out_h, cs.out_w}, out_sizes[2] = {cs.in_h, cs.in_w}, before[2] = {cs.pad_top, cs.pad_left};
  std::vector<int64_t> pads(4, 0), output_padding(2, 0);
  for (int a = 0; a < 2; ++a) {
    const int full = (in_sizes[a] - 1) * s + k, after = full - out_sizes[a] - before[a];
    pads[a] = before[a];
    pads[2 + a] = std::max(after, 0);
    output_padding[a] = std::max(-after, 0);
  }
  std::vector<AttributeProto> attributes{AttributeProto::of_ints("kernel_shape", {k, k}),
                                         AttributeProto::of_ints("strides", {s, s}),
                                         AttributeProto::of_ints("pads", pads)};
  if (output_padding[0] || output_padding[1]) attributes.push_back(AttributeProto::of_ints("output_padding", output_padding));
  // Without use_bias the bias is zeros: ONNX's ConvTranspose then simply has no bias input.
  std::vector<std::string> inputs{x.name(), kernel};
  if (t.use_bias()) inputs.push_back(g.add_weight(t.name(), t.bias()));
  g.add_node("ConvTranspose", as, std::move(inputs), z.name(), std::move(attributes));
  finish_activation(g, kind, z, y);
  return y;
}

// The exact class, not a subclass: a layer derived from Dense that changes its forward
// must not be exported as a plain Dense.
template <class T>
T* exactly(Layer& layer) {
  return typeid(layer) == typeid(T) ? static_cast<T*>(&layer) : nullptr;
}

// Concatenate's axis, which Keras counts with the batch (-1 the last, 1 the first of a
// sample) on the channels-last shape, as ONNX's axis of a value stored in v's layout.
int64_t onnx_axis(int keras_axis, const Value& v) {
  const int r = static_cast<int>(v.sample.size());
  const int s = keras_axis > 0 ? keras_axis - 1 : keras_axis + r;  // the axis within one sample
  if (!v.channels_first) return s + 1;                              // (N, d1, ..., dk, C)
  return s == r - 1 ? 1 : s + 2;                                    // (N, C, d1, ..., dk)
}

// Merged values must share a layout: every input goes into the first one's (a transpose
// only for those stored the other way), and the output keeps it.
std::vector<std::string> merge_inputs(GraphBuilder& g, const std::vector<Value>& in) {
  std::vector<std::string> names;
  for (const Value& v : in) names.push_back(g.layout_of(in[0], v).name());
  return names;
}

Value export_add(GraphBuilder& g, layers::Add& a, const std::string& as, const std::vector<Value>& in) {  // in[i]: (N, ...)
  const Value y{as, a.output_shape(), in[0].channels_first};
  g.add_node(in.size() == 2 ? "Add" : "Sum", as, merge_inputs(g, in), y.name());  // ONNX's Add takes exactly two
  return y;
}

Value export_concatenate(GraphBuilder& g, layers::Concatenate& c, const std::string& as,
                         const std::vector<Value>& in) {  // in[i]: (N, ..., A_i, ...)
  const Value y{as, c.output_shape(), in[0].channels_first};
  g.add_node("Concat", as, merge_inputs(g, in), y.name(), {AttributeProto::of_int("axis", onnx_axis(c.axis(), in[0]))});
  return y;
}

std::vector<Value> export_calls(GraphBuilder& g, Model& model, const std::vector<Value>& inputs);

// A nested model: its own calls, written into this graph on the value it is called on, then
// an Identity giving the result the nested model's name (so Netron shows where it ends, and
// the autoencoder's output is called "decoder").
Value export_nested(GraphBuilder& g, Functional& f, const std::string& as, const Value& in) {
  const Value out = export_calls(g, f.model(), {in})[0];
  const Value y{as, f.output_shape(), out.channels_first};
  g.add_node("Identity", as, {out.name()}, y.name());
  return y;
}

// One call of `layer`, named `as`, on the values `in` (one per input of the call).
Value export_call(GraphBuilder& g, Layer& layer, const std::string& as, const std::vector<Value>& in) {
  if (auto* l = exactly<layers::Add>(layer)) return export_add(g, *l, as, in);
  if (auto* l = exactly<layers::Concatenate>(layer)) return export_concatenate(g, *l, as, in);
  const Value& x = in.front();
  if (auto* l = exactly<Functional>(layer)) return export_nested(g, *l, as, x);
  if (auto* l = exactly<layers::Dense>(layer)) return export_dense(g, *l, as, x);
  if (auto* l = exactly<layers::Conv2D>(layer)) return export_conv2d(g, *l, as, x);
  if (auto* l = exactly<layers::MaxPooling2D>(layer)) return export_max_pool(g, *l, as, x);
  if (auto* l = exactly<layers::BatchNormalization>(layer)) return export_batch_norm(g, *l, as, x);
  if (auto* l = exactly<layers::Flatten>(layer)) return export_flatten(g, *l, as, x);
  if (auto* l = exactly<layers::Activation>(layer)) return export_activation(g, *l, as, x);
  if (auto* l = exactly<layers::LeakyReLU>(layer)) return export_leaky_relu(g, *l, as, x);
  if (auto* l = exactly<layers::Dropout>(layer)) return export_dropout(g, *l, as, x);
  if (auto* l = exactly<layers::Reshape>(layer)) return export_reshape(g, *l, as, x);
  if (auto* l = exactly<layers::UpSampling2D>(layer)) return export_upsampling(g, *l, as, x);
  if (auto* l = exactly<layers::Conv2DTranspose>(layer)) return export_conv2d_transpose(g, *l, as, x);
  throw Error("export_onnx: layer \"" + layer.name() + "\" (type " + layer.type() +
              ") has no ONNX form; the layers that export are " + kExportable +
              ". Export a model without it, or save the whole model's weights with save_weights instead");
}

// Every call of `model`, in the order it runs them, `inputs` being the values of its
// inputs (the graph's own, or what the outer model hands a nested one). Returns the values
// of its outputs.
std::vector<Value> export_calls(GraphBuilder& g, Model& model, const std::vector<Value>& inputs) {
  const auto& layers = model.layers();
  const Graph* graph = model.graph();
  if (!graph) {  // a chain: each layer on the one before
    Value v = inputs.front();
    for (size_t i = 1; i < layers.size(); ++i) v = export_call(g, *layers[i], layers[i]->name(), {v});
    return {v};
  }
  const std::vector<GraphNode>& nodes = graph->nodes();
  std::vector<Value> values(nodes.size());
  for (size_t k = 0; k < graph->input_nodes().size(); ++k) values[graph->input_nodes()[k]] = inputs[k];
  for (size_t i = 0; i < nodes.size(); ++i) {
    const GraphNode& n = nodes[i];
    if (n.inputs.empty()) continue;  // an input: its value is given
    std::vector<Value> in;
    for (size_t j : n.inputs) in.push_back(values[j]);
    // n.layer, not n.runner: a shared layer's weights live in the layer itself
    const std::string as = n.call == 0 ? n.layer->name() : n.layer->name() + "/call_" + std::to_string(n.call);
    values[i] = export_call(g, *n.layer, as, in);
  }
  std::vector<Value> outputs;
  for (size_t i : graph->output_nodes()) outputs.push_back(values[i]);
  return outputs;
}

onnx::ValueInfoProto batched(const std::string& name, const Shape& sample) {
  onnx::ValueInfoProto v{name, {{0, kBatch}}};
  for (int d : sample) v.dims.push_back({d, ""});
  return v;
}

// ONNX connects nodes by value name, so two layers with one name would be one value; a
// nested model's layers share the graph with the outer model's.
void check_unique_names(Model& model, std::set<std::string>& seen) {
  for (const auto& layer : model.layers()) {
    if (!seen.insert(layer->name()).second)
      throw Error("export_onnx: model \"" + model.name() + "\" has two layers named \"" + layer->name() +
                  "\" (nested models included); ONNX needs every name once: rename one with set_name(...) before "
                  "exporting");
    if (auto* nested = dynamic_cast<Functional*>(layer.get())) check_unique_names(nested->model(), seen);
  }
}

std::string shape_text(const Shape& sample) {
  std::string s = "(N";
  for (int d : sample) s += ", " + std::to_string(d);
  return s + ")";
}

}  // namespace

std::vector<uint8_t> encode_onnx(Model& model) {
  model.input_shape();  // throws a clear error when not built
  const auto& layers = model.layers();
  if (layers.size() < 2)
    throw Error("export_onnx: model \"" + model.name() + "\" has no layer after its Input: nothing to export");
  std::set<std::string> names;
  check_unique_names(model, names);

  onnx::ModelProto proto;
  proto.producer_name = "nnscratch";
  onnx::GraphProto& graph = proto.graph;
  graph.name = model.name();
  GraphBuilder builder(graph);
  // The graph's inputs: the model's InputLayers (a chain's is layers()[0]), as they are.
  std::vector<Value> inputs;
  if (const Graph* g = model.graph()) {
    for (size_t i : g->input_nodes()) inputs.push_back({g->nodes()[i].layer->name(), g->nodes()[i].shape, false});
  } else {
    inputs.push_back({layers[0]->name(), model.input_shape(), false});
  }
  std::string inputs_text, outputs_text;
  for (const Value& v : inputs) {
    graph.inputs.push_back(batched(v.name(), v.sample));
    builder.add_graph_input(v.name());
    inputs_text += (inputs_text.empty() ? "" : ", ") + shape_text(v.sample);
  }
  for (Value v : export_calls(builder, model, inputs)) {
    v = builder.channels_last(v);  // predict()'s layout
    graph.outputs.push_back(batched(v.name(), v.sample));
    outputs_text += (outputs_text.empty() ? "" : ", ") + shape_text(v.sample);
  }
  graph.doc_string = "nnscratch model \"" + model.name() + "\": input " + inputs_text + ", output " + outputs_text +
                     ", channels-last as the model's predict() takes them; inference only";
  proto.doc_string = graph.doc_string;
  return onnx::encode(proto);
}

void export_onnx(Model& model, const std::string& path) {
  const std::vector<uint8_t> bytes = encode_onnx(model);  // any error is thrown before a byte is written
  write_file_atomic(path, bytes);
}

}  // namespace nn
