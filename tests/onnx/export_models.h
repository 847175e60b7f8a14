// The models the ONNX tests export: the chapter's two networks, tutorial 11's autoencoder
// (small), and small ones that put every exportable layer where exports usually go wrong
// (layout changes, odd image sizes, TensorFlow's uneven "same" padding, merges of values in
// different layouts, shared layers, nested models). Each gets weights worth checking: non-zero biases,
// and BatchNormalization with gamma, beta and moving statistics far from their (1, 0, 0, 1)
// start, chosen so the activations stay in a useful range (a saturated softmax would hide
// differences).
#pragma once
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../chapter_models.h"
#include "nn.h"

namespace onnx_test {

namespace L = nn::layers;
using ModelPtr = std::unique_ptr<nn::Model>;  // nn::Model cannot be moved: keep it on the heap

struct ExportModel {
  std::string name;  // also the file name: <name>.onnx
  std::function<ModelPtr()> make;
};

// tutorials/08_first_mlp.cpp: Input → Flatten → Dense 200 relu → Dense 150 relu → Dense 10 softmax.
inline ModelPtr chapter_mlp() {
  nn::Node input = L::Input({32, 32, 3});
  nn::Node x = L::Flatten()(input);
  x = L::Dense(200, "relu")(x);
  x = L::Dense(150, "relu")(x);
  return ModelPtr(new nn::Model(input, L::Dense(10, "softmax")(x), "chapter_mlp"));
}

// tests/chapter_models.h: four Conv2D → BatchNormalization → LeakyReLU blocks (strides 2 on
// 32 pixels: "same" pads 0 before, 1 after), Flatten, Dense, BN, LeakyReLU, Dropout, Dense, softmax.
inline ModelPtr chapter_cnn() { return ModelPtr(new nn::Model(chapter::cnn())); }

// Odd 13×11×3 images through every kind of pooling: overlapping windows (stride 1),
// "valid" dropping the last row, "same" padding unevenly; a strided "same" convolution
// likewise; Conv2D and Dense activations.
inline ModelPtr pooling_cnn() {
  nn::Node input = L::Input({13, 11, 3});
  nn::Node x = L::Conv2D(8, 3, {.strides = 1, .padding = "same", .activation = "relu"})(input);  // 13×11×8
  x = L::MaxPooling2D(3, 1, "valid")(x);                                                       // 11×9×8
  x = L::MaxPooling2D(2)(x);  // valid, strides 2: 5×4×8 (the last row is dropped)
  x = L::Conv2D(6, 3, {.strides = 2, .padding = "same", .activation = "sigmoid"})(x);  // 3×2×6: pads 1|1, 0|1
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU(0.2f)(x);
  x = L::MaxPooling2D(2, 0, "same")(x);  // 2×1×6: pads 0|1 down, none across
  x = L::Dropout(0.3f)(x);
  x = L::Flatten()(x);
  x = L::Dense(7, "tanh")(x);
  x = L::Dense(5, "leaky_relu")(x);
  x = L::Dense(4)(x);
  return ModelPtr(new nn::Model(input, L::Activation("softmax")(x), "pooling_cnn"));
}

// Every activation, on channels-first images (softmax over the channels) and on vectors;
// a 4×4 kernel "same" on 7 pixels (pads 1 before, 2 after); a linear output.
inline ModelPtr every_activation() {
  nn::Node input = L::Input({5, 7, 2});
  nn::Node x = L::Conv2D(3, 4, {.strides = 1, .padding = "same", .activation = "softmax"})(input);  // 5×7×3
  x = L::Activation("tanh")(x);
  x = L::Activation("leaky_relu")(x);
  x = L::Activation("linear")(x);
  x = L::Conv2D(4, 2, {.activation = "tanh"})(x);  // valid: 4×6×4
  x = L::Activation("softmax")(x);
  x = L::Activation("sigmoid")(x);
  x = L::Activation("relu")(x);
  x = L::Flatten()(x);
  x = L::Dense(6, "sigmoid")(x);
  x = L::BatchNormalization()(x);  // on (N, K): no transpose
  x = L::Dense(8, "softmax")(x);
  x = L::Dropout(0.5f)(x);
  return ModelPtr(new nn::Model(input, L::Dense(3)(x), "every_activation"));
}

// BatchNormalization straight on the input image, and an image as the output: the graph
// must transpose back to (N, H, W, C) at the end.
inline ModelPtr image_output() {
  nn::Node input = L::Input({9, 9, 2});
  nn::Node x = L::BatchNormalization({.momentum = 0.9f, .epsilon = 0.01f})(input);
  x = L::Conv2D(4, 3, {.strides = 2, .padding = "same"})(x);  // 5×5×4
  x = L::MaxPooling2D(3, 2, "same")(x);                       // 3×3×4
  return ModelPtr(new nn::Model(input, L::LeakyReLU()(x), "image_output"));
}

// Samples that are sequences (L, C): BatchNormalization moves C to axis 1 and back.
inline ModelPtr sequence_batch_norm() {
  nn::Node input = L::Input({6, 4});
  nn::Node x = L::BatchNormalization()(input);
  x = L::LeakyReLU(0.1f)(x);
  x = L::Flatten()(x);
  return ModelPtr(new nn::Model(input, L::Dense(3, "softmax")(x), "sequence_batch_norm"));
}

// A decoder: a vector made an image by Reshape, grown by UpSampling2D (in both layouts) and
// Conv2DTranspose: "same" with strides 2 (pads 0 before, 1 after), a window smaller than
// its stride (ONNX's output_padding), no bias, and a 4×4 "same" with stride 1 (pads 1 | 2);
// then a Reshape from channels-first values (a transpose back first).
inline ModelPtr decoder() {
  nn::Node input = L::Input({6});
  nn::Node x = L::Dense(32, "tanh")(input);
  x = L::Reshape({2, 2, 8})(x);
  x = L::UpSampling2D(2)(x);                                                             // 4×4×8, channels-last
  x = L::Conv2DTranspose(6, 3, {.strides = 2, .padding = "same", .activation = "relu"})(x);  // 8×8×6
  x = L::UpSampling2D({1, 2})(x);                                                        // 8×16×6, channels-first
  x = L::Conv2DTranspose(4, 2, {.strides = 3, .activation = "tanh", .use_bias = false})(x);  // 24×48×4
  x = L::Conv2DTranspose(3, 4, {.padding = "same", .activation = "sigmoid"})(x);         // 24×48×3
  return ModelPtr(new nn::Model(input, L::Reshape({-1, 3})(x), "decoder"));
}

// Tutorial 11's autoencoder, small (8×8 images, 4/8/16 filters): the decoder is a nested
// model, whose layers the export writes into the autoencoder's graph. Untrained, the two
// latent numbers hardly differ between images (and so would the pictures decoded from
// them); a larger bottleneck kernel spreads them, as training does.
inline ModelPtr autoencoder() {
  ModelPtr ae = std::move(chapter::autoencoder(8, 4).autoencoder);
  for (float& w : ae->get_layer("dense").params()[0]->value) w *= 20.0f;
  return ae;
}

// A graph on images and vectors: two convolution branches summed (Add on channels-first
// values), concatenated with the input itself along the channels (the input is
// channels-last: it moves to the branches' layout) and along the height (Keras's axis 1 is
// ONNX's axis 2 once channels-first); the two pooled and flattened, concatenated as vectors;
// a Dense layer called twice (one set of weights, two Gemm nodes) and both calls joined.
inline ModelPtr graph_images() {
  nn::Node input = L::Input({6, 6, 3});
  nn::Node a = L::Conv2D(4, 3, {.padding = "same", .activation = "relu"})(input);  // 6×6×4
  nn::Node b = L::Conv2D(4, 1)(input);                                           // 6×6×4
  nn::Node s = L::Add()({a, b});
  nn::Node channels = L::Concatenate()({s, input});                               // 6×6×7
  nn::Node p = L::MaxPooling2D(2)(channels);                                      // 3×3×7
  nn::Node rows = L::Concatenate(1)({a, s});                                      // 12×6×4
  nn::Node q = L::MaxPooling2D(4)(rows);                                          // 3×1×4
  nn::Node flat = L::Concatenate()({L::Flatten()(p), L::Flatten()(q)});           // 63 + 12
  nn::Node d = L::Dense(6, "tanh")(flat);
  L::Dense shared(6, "tanh");
  nn::Node h = shared(d);
  nn::Node h2 = shared(h);
  nn::Node joined = L::Concatenate()({h, h2});
  return ModelPtr(new nn::Model(input, L::Dense(3, "softmax")(joined), "graph_images"));
}

// A nested model that is itself a graph (a block summing three values: ONNX's Sum) in a
// graph: the block's output joined with the input.
inline ModelPtr nested_in_graph() {
  nn::Node block_in = L::Input({4});
  nn::Node x = L::Dense(4, "tanh")(block_in);
  nn::Model block(block_in, L::Add()({x, L::Dense(4)(x), block_in}), "block");
  nn::Node input = L::Input({4});
  nn::Node joined = L::Concatenate()({block(input), input});
  return ModelPtr(new nn::Model(input, L::Dense(3, "softmax")(joined), "nested_in_graph"));
}

inline std::vector<ExportModel> export_models() {
  return {{"chapter_mlp", chapter_mlp},   {"chapter_cnn", chapter_cnn},   {"pooling_cnn", pooling_cnn},
          {"every_activation", every_activation}, {"image_output", image_output}, {"sequence_batch_norm", sequence_batch_norm},
          {"decoder", decoder}, {"autoencoder", autoencoder}, {"graph_images", graph_images},
          {"nested_in_graph", nested_in_graph}};
}

// n samples of the model's input shape, uniform in [0, 1), like scaled pixels.  x: (n, sample...)
inline nn::Tensor sample_inputs(nn::Model& model, int n, uint64_t seed) {
  nn::Shape shape{n};
  const nn::Shape sample = model.input_shape();
  shape.insert(shape.end(), sample.begin(), sample.end());
  nn::Tensor x(shape);
  nn::Rng rng(seed);
  for (float& v : x) v = rng.uniform();
  return x;
}

// Biases U(-0.2, 0.2); BatchNormalization's gamma U(0.5, 1.5), beta U(-0.3, 0.3), and moving
// statistics near what its input really has on x (mean shifted by up to 0.3 σ, variance
// scaled by 0.7..1.4), so normalising does something and the numbers stay in range. The
// layers are calibrated first to last, each on the output of the ones before it (so only
// in a chain: the graphs above have no BatchNormalization; a nested model's biases are
// set through its layer's params()).
inline void give_weights(nn::Model& model, const nn::Tensor& x, uint64_t seed) {
  nn::Rng rng(seed);
  const auto& layers = model.layers();
  for (size_t i = 1; i < layers.size(); ++i) {
    for (nn::Param* p : layers[i]->params()) {
      if (p->name == "bias" || p->name == "beta")
        for (float& v : p->value) v = rng.uniform(-0.2f, 0.2f);
      if (p->name == "gamma")
        for (float& v : p->value) v = rng.uniform(0.5f, 1.5f);
    }
    auto* bn = dynamic_cast<L::BatchNormalization*>(layers[i].get());
    if (!bn) continue;
    model.forward(x, false);
    const nn::Tensor& in = model.layer_output(i - 1);  // (N, ..., C)
    const int c = in.dim(-1);
    const size_t m = in.size() / static_cast<size_t>(c);
    for (int ch = 0; ch < c; ++ch) {
      double sum = 0, sq = 0;
      for (size_t r = 0; r < m; ++r) sum += in[r * c + ch];
      const double mean = sum / static_cast<double>(m);
      for (size_t r = 0; r < m; ++r) sq += (in[r * c + ch] - mean) * (in[r * c + ch] - mean);
      const double var = sq / static_cast<double>(m) + 1e-4;
      bn->moving_mean().value[ch] = static_cast<float>(mean + rng.uniform(-0.3f, 0.3f) * std::sqrt(var));
      bn->moving_variance().value[ch] = static_cast<float>(var * rng.uniform(0.7f, 1.4f));
    }
  }
}

}  // namespace onnx_test
