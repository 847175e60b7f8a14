// The layers a decoder grows an image with: Reshape, UpSampling2D and Conv2DTranspose —
// hand-computed forward cases, finite-difference gradient checks, errors, the summary of
// the book's chapter-3 decoder, and a save/load round trip. (The layer contract for each
// is in tests/test_conformance.cpp; fast vs reference in tests/test_reference.cpp; the
// comparison with PyTorch in tests/test_torch_layers.cpp.)
#include <doctest/doctest.h>

#include <filesystem>

#include "gradcheck.h"
#include "nn.h"
#include "test_util.h"

using nn::Node;
using nn::Shape;
using nn::Tensor;
namespace L = nn::layers;

namespace {

std::string pad65(const std::string& s) { return s + std::string(65 - s.size(), ' ') + "\n"; }

void check_values(const Tensor& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]));
  }
}

}  // namespace

// ---------------------------------------------------------------- Reshape

TEST_CASE("Reshape by hand: the same numbers in the same order, a -1 inferred, gradient passed back") {
  L::Reshape r({3, -1});
  CHECK(r.build_for({2, 3}) == Shape{3, 2});
  Tensor x({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), y, dx;
  r.forward(x, y, true);
  CHECK(y.shape() == Shape{2, 3, 2});
  check_values(y, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  Tensor dy({2, 3, 2}, {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12});
  r.backward(dy, dx);
  CHECK(dx.shape() == Shape{2, 2, 3});
  check_values(dx, {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12});
  L::Reshape image({4, 4, 128});
  CHECK(image.build_for({2048}) == Shape{4, 4, 128});
}

TEST_CASE("Reshape rejects targets it cannot meet, saying why") {
  CHECK_THROWS_WITH_AS(L::Reshape({-1, -1}), doctest::Contains("more than one -1"), nn::ValueError);
  CHECK_THROWS_WITH_AS(L::Reshape({4, 0}), doctest::Contains(">= 1"), nn::ValueError);
  CHECK_THROWS_AS(L::Reshape(Shape{}), nn::ValueError);
  L::Reshape wrong({4, 4, 100});
  CHECK_THROWS_WITH_AS(wrong.build_for({2048}), doctest::Contains("2048 numbers per sample"), nn::ShapeError);
  L::Reshape uneven({-1, 5});
  CHECK_THROWS_WITH_AS(uneven.build_for({12}), doctest::Contains("not a multiple of 5"), nn::ShapeError);
}

TEST_CASE("Reshape gradients match finite differences") {
  nn::Rng rng(3);
  L::Reshape r({-1, 4});
  r.build_for({3, 4, 2});
  gradcheck::check_layer(r, gradcheck::random_tensor({2, 3, 4, 2}, rng), 4);
}

// ---------------------------------------------------------------- UpSampling2D

TEST_CASE("UpSampling2D by hand: every pixel becomes a block; backward sums each block") {
  L::UpSampling2D up(2);
  CHECK(up.build_for({2, 2, 1}) == Shape{4, 4, 1});
  Tensor x({1, 2, 2, 1}, {1, 2, 3, 4}), y, dx;
  up.forward(x, y, false);
  check_values(y, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  Tensor dy({1, 4, 4, 1});
  for (size_t i = 0; i < dy.size(); ++i) dy[i] = static_cast<float>(i);  // 0 .. 15, row by row
  up.backward(dy, dx);
  // block (0,0): 0+1+4+5 = 10; (0,1): 2+3+6+7 = 18; (1,0): 8+9+12+13 = 42; (1,1): 10+11+14+15 = 50
  check_values(dx, {10, 18, 42, 50});

  L::UpSampling2D wide({1, 3});  // rows ×1, columns ×3, two channels kept apart
  CHECK(wide.build_for({1, 2, 2}) == Shape{1, 6, 2});
  Tensor x2({1, 1, 2, 2}, {1, -1, 2, -2}), y2;
  wide.forward(x2, y2, false);
  check_values(y2, {1, -1, 1, -1, 1, -1, 2, -2, 2, -2, 2, -2});
}

TEST_CASE("UpSampling2D gradients match finite differences; bad sizes and inputs are clear errors") {
  nn::Rng rng(4);
  L::UpSampling2D up({3, 2});
  up.build_for({3, 2, 5});
  gradcheck::check_layer(up, gradcheck::random_tensor({2, 3, 2, 5}, rng), 5);
  CHECK_THROWS_WITH_AS(L::UpSampling2D(0), doctest::Contains(">= 1"), nn::ValueError);
  L::UpSampling2D flat(2);
  CHECK_THROWS_WITH_AS(flat.build_for({16}), doctest::Contains("(H, W, C)"), nn::ShapeError);
}

// ---------------------------------------------------------------- Conv2DTranspose

TEST_CASE("Conv2DTranspose by hand: valid, stride 1 — each input pixel stamps the kernel, overlaps add") {
  L::Conv2DTranspose t(1, 2);
  CHECK(t.build_for({2, 2, 1}) == Shape{3, 3, 1});  // 2·1 + max(2 - 1, 0)
  t.kernel().value = Tensor({2, 2, 1, 1}, {1, 2, 3, 4});
  Tensor x({1, 2, 2, 1}, {1, 2, 3, 4}), y;
  t.forward(x, y, false);
  // y[oy][ox] = Σ x[iy][ix] · W[oy - iy][ox - ix]:
  //   1·1   1·2+2·1          2·2
  //   1·3+3·1  1·4+2·3+3·2+4·1  2·4+4·2
  //   3·3   3·4+4·3          4·4
  check_values(y, {1, 4, 4, 6, 20, 16, 9, 24, 16});
}

TEST_CASE("Conv2DTranspose by hand: \"same\" with stride 2 doubles the size, the full result cropped after") {
  L::Conv2DTranspose t(1, 3, {.strides = 2, .padding = "same"});
  // out = 2·2 = 4; the full result (2 - 1)·2 + 3 = 5 loses its last row and column, as TensorFlow.
  CHECK(t.build_for({2, 2, 1}) == Shape{4, 4, 1});
  t.kernel().value.fill(1.0f);
  t.bias().value = Tensor({1}, {0.5f});
  Tensor x({1, 2, 2, 1}, {1, 2, 3, 4}), y;
  t.forward(x, y, false);
  // x[iy][ix] covers rows 2iy..2iy+2 and columns 2ix..2ix+2 of the 5×5 result.
  check_values(y, {1.5f, 1.5f, 3.5f, 2.5f, 1.5f, 1.5f, 3.5f, 2.5f, 4.5f, 4.5f, 10.5f, 6.5f, 3.5f, 3.5f, 7.5f, 4.5f});
}

TEST_CASE("Conv2DTranspose by hand: a window smaller than the stride leaves gaps; the kernel is (k, k, F, C)") {
  L::Conv2DTranspose t(2, 1, {.strides = 2, .use_bias = false});
  CHECK(t.build_for({2, 1, 3}) == Shape{4, 2, 2});  // valid: 2·2 + max(1 - 2, 0)
  CHECK(t.kernel().value.shape() == Shape{1, 1, 2, 3});  // Keras's (kh, kw, out_channels, in_channels)
  CHECK(t.params().size() == 1);
  // W[0][0][f][c]: filter 0 reads (1, 0, 0), filter 1 reads (0, 1, 1).
  t.kernel().value = Tensor({1, 1, 2, 3}, {1, 0, 0, 0, 1, 1});
  Tensor x({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}), y;
  t.forward(x, y, false);
  // Only even rows and column 0 receive a stamp.
  check_values(y, {1, 5, 0, 0, 0, 0, 0, 0, 4, 11, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("Conv2DTranspose gradients match finite differences: strides 1/2/3, valid/same, activations, no bias") {
  nn::Rng rng(41);
  struct Case {
    int kernel, strides;
    const char* padding;
    const char* activation;
    bool use_bias;
  };
  const Case cases[] = {{3, 1, "valid", "linear", true}, {3, 1, "same", "tanh", true}, {3, 2, "valid", "linear", true},
                        {3, 2, "same", "sigmoid", true}, {2, 3, "valid", "linear", true}, {4, 2, "same", "linear", false},
                        {1, 1, "same", "tanh", true}};
  for (const Case& c : cases) {
    const std::string padding = c.padding, activation = c.activation;
    CAPTURE(c.kernel);
    CAPTURE(c.strides);
    CAPTURE(padding);
    CAPTURE(activation);
    nn::set_seed(7);
    L::Conv2DTranspose t(4, c.kernel,
                         {.strides = c.strides, .padding = c.padding, .activation = c.activation, .use_bias = c.use_bias});
    t.build_for({3, 4, 3});
    for (float& b : t.bias().value) b = c.use_bias ? rng.uniform(-0.5f, 0.5f) : 0.0f;
    gradcheck::check_layer(t, gradcheck::random_tensor({2, 3, 4, 3}, rng), 43);
  }
}

TEST_CASE("Conv2DTranspose rejects bad arguments and inputs with messages that say what to do") {
  CHECK_THROWS_AS(L::Conv2DTranspose(0, 3), nn::ValueError);
  CHECK_THROWS_AS(L::Conv2DTranspose(4, 0), nn::ValueError);
  CHECK_THROWS_AS(L::Conv2DTranspose(4, 3, {.strides = 0}), nn::ValueError);
  CHECK_THROWS_WITH_AS(L::Conv2DTranspose(4, 3, {.padding = "full"}), doctest::Contains("\"valid\" or \"same\""),
                       nn::ValueError);
  L::Conv2DTranspose flat(4, 3);
  CHECK_THROWS_WITH_AS(flat.build_for({32}), doctest::Contains("Reshape"), nn::ShapeError);
  L::Conv2DTranspose ok(4, 3);
  ok.build_for({5, 5, 3});
  Tensor wrong({2, 5, 5, 1}), y;
  CHECK_THROWS_AS(ok.forward(wrong, y, false), nn::ShapeError);
}

// ---------------------------------------------------------------- in a model

namespace {

// The book's chapter-3 decoder: Dense 2048 → Reshape (4, 4, 128) → Conv2DTranspose 128/64/32
// (3×3, strides 2, same, relu) → Conv2D 1 (3×3, same, sigmoid).
nn::Model book_decoder() {
  Node in = L::Input({2});
  Node x = L::Dense(2048)(in);
  x = L::Reshape({4, 4, 128})(x);
  for (int f : {128, 64, 32}) x = L::Conv2DTranspose(f, 3, {.strides = 2, .padding = "same", .activation = "relu"})(x);
  return nn::Model(in, L::Conv2D(1, 3, {.padding = "same", .activation = "sigmoid"})(x), "decoder");
}

}  // namespace

TEST_CASE("summary of the book's decoder matches Keras 2.11: 246,273 parameters") {
  nn::reset_layer_names();
  nn::Model decoder = book_decoder();
  const std::string blank = std::string(65, ' ') + "\n";
  const std::string expected =
      "Model: \"decoder\"\n" + std::string(65, '_') + "\n" +
      pad65(" Layer (type)                Output Shape              Param #") + std::string(65, '=') + "\n" +
      pad65(" input_1 (InputLayer)        [(None, 2)]               0") + blank +
      pad65(" dense (Dense)               (None, 2048)              6144") + blank +
      pad65(" reshape (Reshape)           (None, 4, 4, 128)         0") + blank +
      pad65(" conv2d_transpose (Conv2DTra  (None, 8, 8, 128)        147584") + pad65(" nspose)") + blank +
      pad65(" conv2d_transpose_1 (Conv2DT  (None, 16, 16, 64)       73792") + pad65(" ranspose)") + blank +
      pad65(" conv2d_transpose_2 (Conv2DT  (None, 32, 32, 32)       18464") + pad65(" ranspose)") + blank +
      pad65(" conv2d (Conv2D)             (None, 32, 32, 1)         289") + blank + std::string(65, '=') + "\n" +
      "Total params: 246,273\nTrainable params: 246,273\nNon-trainable params: 0\n" + std::string(65, '_') + "\n";
  CHECK(decoder.summary_string() == expected);
  // The arithmetic of each count: 64 filters, each a 3×3 window over 128 input channels, + 1 bias.
  const std::string explained = decoder.summary_string({.explain = true});
  CHECK(explained.find("64 filters × (3×3×128 inputs + 1 bias)") != std::string::npos);
}

TEST_CASE("the decoder layers save and load as a whole model, in a Sequential that builds from its data too") {
  nn_test::TempDir tmp("decoder_layers");
  nn::set_seed(12);
  nn::Sequential seq({L::Input({3, 3, 2}), L::Conv2DTranspose(4, 3, {.strides = 2, .padding = "same", .activation = "tanh"}),
                      L::UpSampling2D({2, 1}), L::Conv2D(3, 3, {.strides = 2, .use_bias = false}), L::Reshape({-1, 3}),
                      L::Flatten(), L::Dense(2)});
  nn::Rng rng(2);
  Tensor x = gradcheck::random_tensor({4, 3, 3, 2}, rng);
  const Tensor before = seq.predict(x);
  // Keras's get_weights order and layout: the transposed kernel (3, 3, 4, 2), its bias, the
  // Conv2D kernel alone (no bias), the Dense kernel and bias.
  const std::vector<Tensor> w = seq.get_weights();
  REQUIRE(w.size() == 5);
  CHECK(w[0].shape() == Shape{3, 3, 4, 2});
  CHECK(w[1].shape() == Shape{4});
  CHECK(w[2].shape() == Shape{3, 3, 4, 3});
  const std::string path = (tmp.path / "m.nnz").string();
  seq.save(path);
  std::unique_ptr<nn::Model> back = nn::load_model(path);
  const Tensor after = back->predict(x);
  REQUIRE(after.shape() == before.shape());
  for (size_t i = 0; i < before.size(); ++i) CHECK(after[i] == before[i]);
  CHECK(back->summary_string() == seq.summary_string());

  // Without an Input, built at the first predict.
  nn::Sequential lazy({L::Reshape({2, 2, 1}), L::UpSampling2D(2), L::Conv2DTranspose(2, 2)});
  CHECK(lazy.predict(Tensor({3, 4})).shape() == Shape{3, 5, 5, 2});
  // And training reduces the loss on a decoder-shaped problem.
  nn::set_seed(5);
  nn::Sequential net({L::Input({4}), L::Dense(8), L::Reshape({2, 2, 2}),
                      L::Conv2DTranspose(3, 3, {.strides = 2, .padding = "same", .activation = "sigmoid"})});
  net.compile(nn::losses::MeanSquaredError(), nn::optimizers::Adam(0.01f), {});
  Tensor in = gradcheck::random_tensor({16, 4}, rng), target({16, 4, 4, 3});
  for (size_t i = 0; i < target.size(); ++i) target[i] = (i % 3 == 0) ? 0.9f : 0.1f;
  const float first = net.train_on_batch(in, target);
  float last = first;
  for (int step = 0; step < 50; ++step) last = net.train_on_batch(in, target);
  CHECK(last < 0.5f * first);
}
