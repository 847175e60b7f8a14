// The chapter's networks and random classification data, shared by the tests
// and benchmarks that need them. (The tutorials spell the networks out line by line on
// purpose: there, the code is the lesson.)
#pragma once
#include <memory>

#include "nn.h"

namespace chapter {

// Input → 4 × (Conv2D 3×3 "same" → BatchNormalization → LeakyReLU) with 32, 32, 64, 64
// filters and strides 1, 2, 1, 2 → Flatten → Dense 128 → BN → LeakyReLU → Dropout 0.5 →
// Dense 10 → Activation softmax. On (32, 32, 3): 592,554 parameters, as in the book.
inline nn::Model cnn(const nn::Shape& input_shape = {32, 32, 3}) {
  namespace L = nn::layers;
  nn::Node input = L::Input(input_shape);
  nn::Node x = input;
  const int filters[4] = {32, 32, 64, 64}, strides[4] = {1, 2, 1, 2};
  for (int i = 0; i < 4; ++i) {
    x = L::Conv2D(filters[i], 3, {.strides = strides[i], .padding = "same"})(x);
    x = L::BatchNormalization()(x);
    x = L::LeakyReLU()(x);
  }
  x = L::Flatten()(x);
  x = L::Dense(128)(x);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Dropout(0.5f)(x);
  x = L::Dense(10)(x);
  nn::Node output = L::Activation("softmax")(x);
  return nn::Model(input, output);
}

// The chapter's MLP: Input → Flatten → Dense 200 relu → Dense 150 relu → Dense 10 softmax.
// On (32, 32, 3): 646,260 parameters.
inline nn::Model mlp(const nn::Shape& input_shape = {32, 32, 3}) {
  namespace L = nn::layers;
  nn::Node input = L::Input(input_shape);
  nn::Node x = L::Flatten()(input);
  x = L::Dense(200, "relu")(x);
  x = L::Dense(150, "relu")(x);
  nn::Node output = L::Dense(10, "softmax")(x);
  return nn::Model(input, output);
}

// A small convolutional network that pools instead of striding: 2 × (Conv2D 3×3 "same"
// relu → BatchNormalization → MaxPooling2D 2) → Flatten → Dropout 0.25 → Dense 10 softmax.
inline nn::Model pooling_cnn(const nn::Shape& input_shape = {16, 16, 3}) {
  namespace L = nn::layers;
  nn::Node input = L::Input(input_shape);
  nn::Node x = input;
  for (int filters : {8, 16}) {
    x = L::Conv2D(filters, 3, {.padding = "same", .activation = "relu"})(x);
    x = L::BatchNormalization()(x);
    x = L::MaxPooling2D(2)(x);
  }
  x = L::Flatten()(x);
  x = L::Dropout(0.25f)(x);
  nn::Node output = L::Dense(10, "softmax")(x);
  return nn::Model(input, output);
}

// Tutorial 11's autoencoder (the book's chapter 3), at any size: an encoder Conv2D f, 2f, 4f
// (3×3, stride 2, "same", relu) → Flatten → Dense 2; a decoder Dense → Reshape → Conv2DTranspose
// 4f, 2f, f (3×3, stride 2, "same", relu) → Conv2D 1 (3×3, "same", sigmoid); and
// autoencoder = Model(encoder_input, decoder(encoder_output)), the decoder nested in it.
// size 32, f 32: the book's 96,770, 246,273 and 343,043 parameters. dropout > 0 puts a
// Dropout after the decoder's Reshape (a random stream inside the nested model).
struct Autoencoder {
  std::unique_ptr<nn::Model> encoder, decoder, autoencoder;  // nn::Model cannot move: on the heap
};
inline Autoencoder autoencoder(int size = 32, int f = 32, float dropout = 0) {
  namespace L = nn::layers;
  Autoencoder a;
  nn::Node encoder_input = L::Input({size, size, 1});
  nn::Node x = encoder_input;
  for (int filters : {f, 2 * f, 4 * f}) x = L::Conv2D(filters, 3, {.strides = 2, .padding = "same", .activation = "relu"})(x);
  const nn::Shape before_flattening = x.shape();
  nn::Node encoder_output = L::Dense(2)(L::Flatten()(x));
  a.encoder = std::make_unique<nn::Model>(encoder_input, encoder_output, "encoder");
  nn::Node decoder_input = L::Input({2});
  nn::Node y = L::Dense(static_cast<int>(nn::shape_size(before_flattening)))(decoder_input);
  y = L::Reshape(before_flattening)(y);
  if (dropout > 0) y = L::Dropout(dropout)(y);
  for (int filters : {4 * f, 2 * f, f})
    y = L::Conv2DTranspose(filters, 3, {.strides = 2, .padding = "same", .activation = "relu"})(y);
  nn::Node decoder_output = L::Conv2D(1, 3, {.strides = 1, .padding = "same", .activation = "sigmoid"})(y);
  a.decoder = std::make_unique<nn::Model>(decoder_input, decoder_output, "decoder");
  a.autoencoder = std::make_unique<nn::Model>(encoder_input, (*a.decoder)(encoder_output), "autoencoder");
  return a;
}

// n random samples of shape `sample` (values uniform in [0, 1)) with random one-hot labels
// over `classes` classes: for speed and reproducibility tests, where learnability does not
// matter.   x: (n, sample...)   y: (n, classes)
inline void random_data(int n, const nn::Shape& sample, int classes, uint64_t seed, nn::Tensor& x, nn::Tensor& y) {
  nn::Shape shape{n};
  shape.insert(shape.end(), sample.begin(), sample.end());
  x = nn::Tensor(shape);
  nn::Rng rng(seed);
  for (float& v : x) v = rng.uniform();
  nn::Tensor ids({n});
  for (int i = 0; i < n; ++i) ids[i] = static_cast<float>(rng.below(static_cast<uint64_t>(classes)));
  y = nn::data::to_categorical(ids, classes);
}

}  // namespace chapter
