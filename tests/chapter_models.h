// The chapter's networks and random classification data, shared by the tests
// and benchmarks that need them. (The tutorials spell the networks out line by line on
// purpose: there, the code is the lesson.)
#pragma once
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
