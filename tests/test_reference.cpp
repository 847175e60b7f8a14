// The plain path (src/reference/) against the fast path, layer by layer, on awkward
// shapes. See tests/reference_check.h for what is compared and how closely.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "chapter_models.h"
#include "reference_check.h"
#include "test_util.h"

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

TEST_CASE("reference: BatchNormalization agrees with the fast path, training and inference") {
  for (bool training : {true, false})
    for (const Shape& shape : {Shape{1, 1}, Shape{5, 3}, Shape{33, 17}, Shape{2, 5, 7, 13}, Shape{4, 16, 16, 32}}) {
      CAPTURE(training);
      layers::BatchNormalization bn;
      const Shape sample(shape.begin() + 1, shape.end());
      bn.build_for(sample);
      Rng rng(11);
      for (Param* p : bn.params())
        for (float& v : p->value) v = p->name == "moving_variance" ? rng.uniform(0.5f, 2.0f) : rng.uniform(-1.0f, 1.0f);
      // An offset of 3 on every value: the fast path's shifted sums must cope with |μ| > σ.
      Tensor x = random_input(shape, 13);
      for (float& v : x) v += 3.0f;
      expect_same(bn, x, training);
    }
}

namespace {

// One training step's gradients (forward in training mode, loss gradient, backward) of
// `model` from the weights `start`, with every layer's random generator at `streams`.
std::vector<Tensor> step_gradients(Model& model, const std::vector<Tensor>& start, const std::vector<RngState>& streams,
                                   const Tensor& x, const Tensor& y) {
  model.set_weights(start);
  size_t k = 0;
  for (auto& layer : model.layers())
    if (Rng* rng = layer->random_generator()) rng->set_state(streams[k++]);
  for (Param* p : model.params()) p->grad.fill(0.0f);
  model.forward(x, true);
  model.backward(y);
  std::vector<Tensor> grads;
  for (Param* p : model.params()) grads.push_back(p->trainable ? p->grad : p->value);
  return grads;
}

void expect_same_step(Model& model, const Tensor& x, const Tensor& y, double tolerance) {
  const std::vector<Tensor> start = model.get_weights();
  std::vector<RngState> streams;
  for (auto& layer : model.layers())
    if (Rng* rng = layer->random_generator()) streams.push_back(rng->state());
  std::vector<Tensor> fast, ref;
  {
    refcheck::ReferenceMode mode(false);
    fast = step_gradients(model, start, streams, x, y);
  }
  {
    refcheck::ReferenceMode mode(true);
    ref = step_gradients(model, start, streams, x, y);
  }
  const auto params = model.params();
  const std::vector<double> floors = refcheck::model_floors(model, ref);
  double worst = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const double d = refcheck::relative_difference(fast[i], ref[i], floors[i]);
    CHECK_MESSAGE(d <= tolerance, params[i]->name, " of parameter ", i, ": fast and reference differ by ", d);
    worst = std::max(worst, d);
  }
  MESSAGE("one step, fast vs reference: largest relative difference ", worst);
}

}  // namespace

TEST_CASE("reference: one training step of the chapter's MLP and CNN gives the fast path's gradients") {
  Tensor x, y;
  SUBCASE("MLP") {
    chapter::random_data(32, {8, 8, 3}, 10, 4, x, y);
    set_seed(9);
    Node input = layers::Input({8, 8, 3});
    Node h = layers::Flatten()(input);
    h = layers::Dense(200, "relu")(h);
    h = layers::Dense(150, "relu")(h);
    Model model(input, layers::Dense(10, "softmax")(h));
    model.compile("categorical_crossentropy", optimizers::Adam(0.0005f));
    expect_same_step(model, x, y, 1e-5);
  }
  SUBCASE("CNN") {
    chapter::random_data(8, {12, 12, 3}, 10, 4, x, y);
    set_seed(9);
    Model model = chapter::cnn({12, 12, 3});
    model.compile("categorical_crossentropy", optimizers::Adam(0.0005f));
    expect_same_step(model, x, y, 1e-5);
  }
}

TEST_CASE("reference: one training step of a small decoder (BCE from the logits) gives the fast path's gradients") {
  // The book's decoder in miniature: Dense → Reshape → Conv2DTranspose ×2 → UpSampling2D →
  // Conv2D sigmoid, trained on images with binary cross-entropy (so the last layer hands
  // the loss its logits).
  set_seed(10);
  Node input = layers::Input({2});
  Node h = layers::Dense(64)(input);
  h = layers::Reshape({2, 2, 16})(h);
  h = layers::Conv2DTranspose(16, 3, {.strides = 2, .padding = "same", .activation = "relu"})(h);  // 4×4×16
  h = layers::Conv2DTranspose(8, 3, {.strides = 2, .padding = "same", .activation = "relu"})(h);   // 8×8×8
  h = layers::UpSampling2D(2)(h);                                                                   // 16×16×8
  Model model(input, layers::Conv2D(1, 3, {.padding = "same", .activation = "sigmoid"})(h));
  model.compile("binary_crossentropy", optimizers::Adam(0.001f));
  const Tensor x = random_input({6, 2}, 21);
  Tensor y({6, 16, 16, 1});
  Rng rng(22);
  for (float& v : y) v = rng.uniform();
  expect_same_step(model, x, y, 1e-5);
}

TEST_CASE("reference: a fused training step (train_on_batch, SGD) moves every weight as reference mode does") {
  // The fast path's training step runs BatchNormalization + LeakyReLU fused
  // (model/layer_fusion.h); reference mode runs every layer alone, as plain loops. With
  // SGD the change of each weight is -lr · its gradient, so the changes must agree.
  Tensor x, y;
  chapter::random_data(8, {12, 12, 3}, 10, 4, x, y);
  set_seed(9);
  Model model = chapter::cnn({12, 12, 3});
  model.compile("categorical_crossentropy", optimizers::SGD(0.1f));
  const std::vector<Tensor> start = model.get_weights();
  std::vector<RngState> streams;
  for (auto& layer : model.layers())
    if (Rng* rng = layer->random_generator()) streams.push_back(rng->state());
  auto step = [&](bool reference) {
    refcheck::ReferenceMode mode(reference);
    model.set_weights(start);
    size_t k = 0;
    for (auto& layer : model.layers())
      if (Rng* rng = layer->random_generator()) rng->set_state(streams[k++]);
    model.set_profile(true);
    model.train_on_batch(x, y);
    const bool fused = model.profile_report().find("fused into") != std::string::npos;
    CHECK(fused == !reference);  // the comparison is between a fused and an unfused step
    model.set_profile(false);
    std::vector<Tensor> moved = model.get_weights();
    const auto params = model.params();
    for (size_t i = 0; i < moved.size(); ++i)
      if (params[i]->trainable)
        for (size_t j = 0; j < moved[i].size(); ++j) moved[i][j] = start[i][j] - moved[i][j];
    return moved;  // trainable: the change; non-trainable: the new moving statistics
  };
  const std::vector<Tensor> fast = step(false), ref = step(true);
  const auto params = model.params();
  const std::vector<double> floors = refcheck::model_floors(model, ref);
  for (size_t i = 0; i < params.size(); ++i) {
    const double d = refcheck::relative_difference(fast[i], ref[i], floors[i]);
    CHECK_MESSAGE(d <= 1e-5, params[i]->name, " of parameter ", i, ": fast and reference differ by ", d);
  }
}

TEST_CASE("reference: Conv2D agrees with both fast paths (im2col, implicit GEMM) on awkward shapes") {
  // Every channel count with every window, stride and padding, on a 9×7 image (odd, and
  // not square), one image and a batch of 37 (several dW groups, the last one partial).
  // kw·C >= 32 takes the implicit GEMM, the rest im2col: both must occur. NN_TEST_QUICK
  // keeps the batch of 37 for the largest channel counts only.
  const char* activations[] = {"linear", "relu", "tanh", "sigmoid"};
  const int filter_counts[] = {1, 5, 17, 33};
  int implicit = 0, im2col = 0, index = 0;
  for (int c : {1, 3, 7, 13, 32})
    for (int k : {1, 3, 5})
      for (int s : {1, 2, 3})
        for (const char* padding : {"valid", "same"})
          for (int n : {1, 37}) {
            if (n == 37 && nn_test::quick() && c < 13) continue;
            ++index;
            set_seed(index);
            layers::Conv2D conv(filter_counts[index % 4], k,
                                {.strides = s, .padding = padding, .activation = activations[index % 4]});
            conv.build_for({9, 7, c});
            for (float& b : conv.bias().value) b = 0.1f * static_cast<float>(index % 7) - 0.3f;
            (k * c >= 32 ? implicit : im2col) += 1;
            INFO("padding ", std::string(padding), ", C ", c, ", k ", k, ", stride ", s, ", batch ", n);
            expect_same(conv, random_input({n, 9, 7, c}, index), index % 2 == 0);
          }
  CHECK(implicit >= 20);
  CHECK(im2col >= 20);
}

TEST_CASE("reference: Conv2D keeps its gradient rules in reference mode (gradient from logits, no dx)") {
  set_seed(11);
  layers::Conv2D conv(6, 3, {.strides = 2, .padding = "same", .activation = "softmax"});
  conv.build_for({8, 5, 13});
  const Tensor x = random_input({3, 8, 5, 13}, 12);
  // Giving logits: forward stops at z, backward takes dL/dz as it comes (the loss has
  // undone the softmax already).
  conv.set_logits_output(true);
  expect_same(conv, x);
  conv.set_logits_output(false);
  // The first layer after Input: no dx, but dW and db all the same.
  refcheck::ReferenceMode on(true);
  Tensor y, dx, untouched;
  conv.forward(x, y, true);
  const Tensor dy = random_input(y.shape(), 13);
  for (Param* p : conv.params()) p->grad.fill(0.0f);
  conv.backward(dy, dx);
  const Tensor dw = conv.kernel().grad, db = conv.bias().grad;
  for (Param* p : conv.params()) p->grad.fill(0.0f);
  conv.set_input_gradient_needed(false);
  conv.backward(dy, untouched);
  CHECK(untouched.empty());
  CHECK(std::equal(dw.begin(), dw.end(), conv.kernel().grad.begin()));
  CHECK(std::equal(db.begin(), db.end(), conv.bias().grad.begin()));
}

TEST_CASE("reference: MaxPooling2D agrees with the fast path, ties and overlapping windows included") {
  int index = 0;
  for (int c : {1, 3, 7, 13, 32})
    for (int pool : {1, 2, 3, 5})
      for (int s : {0, 1, 2, 3})  // 0: the pool size
        for (const char* padding : {"valid", "same"}) {
          ++index;
          const int n = index % 3 == 0 ? 37 : 1;
          layers::MaxPooling2D layer(pool, s, padding);
          layer.build_for({9, 7, c});
          INFO("padding ", std::string(padding), ", C ", c, ", pool ", pool, ", stride ", s, ", batch ", n);
          Tensor x = random_input({n, 9, 7, c}, index);
          // Every other case draws from four values only: ties everywhere, where the
          // first maximum in row-major window order must win on both paths.
          if (index % 2 == 0)
            for (float& v : x) v = std::floor(v);
          expect_same(layer, x, index % 4 < 2);
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

TEST_CASE("reference: a backward follows its forward's path when reference mode changes in between") {
  // BatchNormalization keeps different statistics on each path; a student switching
  // reference mode between the two passes (in gdb, say) must get the forward's path.
  for (bool forward_in_reference : {true, false}) {
    CAPTURE(forward_in_reference);
    layers::BatchNormalization bn;
    bn.build_for({5});
    const Tensor x = random_input({6, 5}, 3), dy = random_input({6, 5}, 4);
    Tensor y, dx, dx_expected;
    layers::BatchNormalization twin = bn;
    {
      refcheck::ReferenceMode mode(forward_in_reference);
      twin.forward(x, y, true);
      twin.backward(dy, dx_expected);
    }
    {
      refcheck::ReferenceMode mode(forward_in_reference);
      bn.forward(x, y, true);
    }
    refcheck::ReferenceMode mode(!forward_in_reference);
    bn.backward(dy, dx);
    CHECK(refcheck::relative_difference(dx, dx_expected) == 0.0);
  }
}

TEST_CASE("reference: Conv2DTranspose agrees with both fast paths (im2col, implicit GEMM) on awkward shapes") {
  // The fast path is Conv2D's kernels with the roles swapped: its im2col or implicit GEMM
  // choice depends on kw·F (the filters are the swapped Conv2D's channels), so both occur.
  // Windows smaller than, equal to and larger than the stride; odd, non-square images.
  const char* activations[] = {"linear", "relu", "tanh", "sigmoid"};
  int implicit = 0, im2col = 0, index = 0;
  for (int f : {1, 5, 13, 33})
    for (int k : {1, 2, 3, 5})
      for (int s : {1, 2, 3})
        for (const char* padding : {"valid", "same"})
          for (int n : {1, 19}) {
            if (n == 19 && nn_test::quick() && f < 13) continue;
            ++index;
            set_seed(index);
            const int c = index % 3 == 0 ? 7 : 3;
            layers::Conv2DTranspose t(f, k, {.strides = s, .padding = padding, .activation = activations[index % 4],
                                             .use_bias = index % 5 != 0});
            t.build_for({5, 4, c});
            for (float& b : t.bias().value) b = t.use_bias() ? 0.1f * static_cast<float>(index % 7) - 0.3f : 0.0f;
            (k * f >= 32 ? implicit : im2col) += 1;
            INFO("padding ", std::string(padding), ", F ", f, ", C ", c, ", k ", k, ", stride ", s, ", batch ", n);
            expect_same(t, random_input({n, 5, 4, c}, index), index % 2 == 0);
          }
  CHECK(implicit >= 10);
  CHECK(im2col >= 10);
}

TEST_CASE("reference: UpSampling2D and Reshape agree with the fast path, threaded sizes too") {
  int index = 0;
  for (const Shape& shape : {Shape{1, 1, 1, 1}, Shape{3, 5, 7, 3}, Shape{2, 4, 3, 17}, Shape{9, 32, 32, 16}})
    for (auto [rows, cols] : {std::pair{1, 1}, {2, 2}, {3, 1}, {2, 5}}) {
      layers::UpSampling2D up({rows, cols});
      up.build_for(Shape(shape.begin() + 1, shape.end()));
      expect_same(up, random_input(shape, ++index));
    }
  layers::Reshape r({-1, 7});
  r.build_for({3, 14});
  expect_same(r, random_input({5, 3, 14}, 99));
}
