// The plain path (src/reference/) against the fast path, layer by layer, on awkward
// shapes. See tests/reference_check.h for what is compared and how closely.
#include <doctest/doctest.h>

#include "reference_check.h"

using namespace nn;

namespace {

void expect_same(Layer& layer, const Tensor& x, bool training = true) {
  const refcheck::Comparison c = refcheck::compare_paths(layer, x, 7, training);
  CHECK_MESSAGE(c.worst <= refcheck::kTolerance, layer.type(), " ", shape_str(x.shape()),
                ": fast and reference differ by ", c.worst, " (relative) in ", c.where);
}

Tensor random_input(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& v : t) v = rng.uniform(-2.0f, 2.0f);
  return t;
}

}  // namespace

TEST_CASE("reference mode: switched by set_reference_mode") {
  refcheck::ReferenceMode on(true);
  CHECK(reference_mode());
  set_reference_mode(false);
  CHECK_FALSE(reference_mode());
}

TEST_CASE("reference: Dense agrees with the fast path on awkward shapes, every activation") {
  set_seed(3);
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"})
    for (auto [n, d, k] : {std::tuple{1, 1, 1}, {3, 17, 5}, {33, 70, 13}, {32, 200, 150}}) {
      layers::Dense dense(k, act);
      dense.build_for({d});
      expect_same(dense, random_input({n, d}, n * 100 + d));
    }
}

TEST_CASE("reference: Activation layer agrees with the fast path, every activation, any rank") {
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"})
    for (const Shape& sample : {Shape{1}, Shape{17}, Shape{33}, Shape{5, 7, 3}}) {
      layers::Activation layer(act);
      layer.build_for(sample);
      for (int n : {1, 3}) {
        Shape shape{n};
        shape.insert(shape.end(), sample.begin(), sample.end());
        expect_same(layer, random_input(shape, n * 1000 + sample.back()));
      }
    }
}

TEST_CASE("reference: LeakyReLU layer agrees with the fast path, threaded sizes too") {
  // (8, 16, 16, 32) is 64K numbers: the fast path splits it over the thread pool.
  for (float alpha : {0.3f, 0.01f})
    for (const Shape& shape : {Shape{1, 1}, Shape{3, 17}, Shape{33, 33}, Shape{8, 16, 16, 32}}) {
      layers::LeakyReLU layer(alpha);
      layer.build_for(Shape(shape.begin() + 1, shape.end()));
      Tensor x = random_input(shape, shape.back());
      for (size_t i = 0; i < x.size(); i += 7) x[i] = 0.0f;  // the kink: both paths must agree on it
      expect_same(layer, x);
    }
}

TEST_CASE("reference: Flatten is its own reference") {
  for (const Shape& shape : {Shape{1, 1, 1, 1}, Shape{3, 5, 7, 3}}) {
    layers::Flatten layer;
    layer.build_for(Shape(shape.begin() + 1, shape.end()));
    expect_same(layer, random_input(shape, 5));
  }
}

TEST_CASE("reference: Dropout agrees with the fast path, training and inference") {
  set_seed(11);
  for (float rate : {0.5f, 0.1f, 0.0f})
    for (const Shape& shape : {Shape{1, 1}, Shape{3, 17}, Shape{33, 33}, Shape{4, 8, 8, 3}}) {
      layers::Dropout layer(rate);
      layer.build_for(Shape(shape.begin() + 1, shape.end()));
      const Tensor x = random_input(shape, 17);
      expect_same(layer, x, true);
      expect_same(layer, x, false);
    }
}

TEST_CASE("reference: Dropout draws the same mask in both modes from the same stream") {
  set_seed(12);
  layers::Dropout layer(0.5f);
  layer.build_for({33});
  const Tensor x = random_input({17, 33}, 3);
  const RngState start = layer.random_generator()->state();
  auto mask_in = [&](bool reference) {
    refcheck::ReferenceMode mode(reference);
    Tensor y;
    layer.forward(x, y, true);
    return layer.mask();
  };
  const Tensor fast = mask_in(false);
  layer.random_generator()->set_state(start);
  const Tensor plain = mask_in(true);
  size_t dropped = 0, differ = 0;
  for (size_t i = 0; i < fast.size(); ++i) {
    dropped += fast[i] == 0.0f;
    differ += fast[i] != plain[i];
  }
  CHECK(differ == 0);
  CHECK(dropped > 0);  // a mask that drops nothing would make the comparison empty
  CHECK(dropped < fast.size());
  // Not the same mask whatever the stream: the next batch (reference mode again) draws anew.
  const Tensor next = mask_in(true);
  size_t changed = 0;
  for (size_t i = 0; i < next.size(); ++i) changed += next[i] != plain[i];
  CHECK(changed > 0);
}
