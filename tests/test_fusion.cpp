// Layer fusion (model/layer_fusion.h, Model::set_layer_fusion): the fused step of a
// BatchNormalization and the LeakyReLU after it must give exactly the numbers the two
// layers give one after the other, and must never leak into a model where the LeakyReLU
// is not there.
#include <doctest/doctest.h>

#include "chapter_models.h"
#include "nn.h"

using nn::Node;
using nn::Shape;
using nn::Tensor;
namespace L = nn::layers;

namespace {

// A (rows, C) tensor of normal numbers with a per-channel offset, so some values fall on
// each side of zero after normalisation.
Tensor random_block(const Shape& shape, uint64_t seed) {
  Tensor t(shape);
  nn::Rng rng(seed);
  for (float& v : t) v = 2.0f * rng.normal() + 0.5f;
  return t;
}

void check_same_bits(const Tensor& a, const Tensor& b, const char* what) {
  REQUIRE(a.shape() == b.shape());
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
  INFO(what, ": ", differ, " of ", a.size(), " numbers differ");
  CHECK(differ == 0);
}

// Two identical BatchNormalization layers on (4, 4, 6) samples with gamma and beta that
// are not 1 and 0 (so a mistake in either shows).
void make_pair(L::BatchNormalization& a, L::BatchNormalization& b) {
  for (L::BatchNormalization* bn : {&a, &b}) {
    bn->build_for({4, 4, 6});
    for (int j = 0; j < 6; ++j) {
      bn->gamma().value[j] = 0.5f + 0.25f * j;
      bn->beta().value[j] = 0.3f - 0.1f * j;
    }
  }
}

}  // namespace

TEST_CASE("the fused BatchNormalization + LeakyReLU step gives the two layers' numbers exactly") {
  L::BatchNormalization fused_bn, plain;
  make_pair(fused_bn, plain);
  L::LeakyReLU leaky(0.2f);
  leaky.build_for({4, 4, 6});
  L::Dropout dropout(0.5f);
  CHECK(nn::fuse_pair(fused_bn, dropout) == nullptr);
  CHECK(nn::fuse_pair(leaky, fused_bn) == nullptr);
  const auto step = nn::fuse_pair(fused_bn, leaky);
  REQUIRE(step != nullptr);

  const Tensor x = random_block({5, 4, 4, 6}, 11), dy = random_block({5, 4, 4, 6}, 12);
  Tensor y_fused, y_plain, y_leaky, dx_fused, dx_plain, dy_plain;
  step->forward(x, y_fused);
  plain.forward(x, y_plain, true);
  leaky.forward(y_plain, y_leaky, true);
  check_same_bits(y_fused, y_leaky, "forward");
  check_same_bits(fused_bn.moving_mean().value, plain.moving_mean().value, "moving mean");
  check_same_bits(fused_bn.moving_variance().value, plain.moving_variance().value, "moving variance");
  size_t negative = 0;
  for (float v : y_leaky) negative += v < 0;
  CHECK(negative > y_leaky.size() / 10);  // the slope was really exercised

  step->backward(dy, dx_fused);
  leaky.backward(dy, dy_plain);
  plain.backward(dy_plain, dx_plain);
  check_same_bits(dx_fused, dx_plain, "dx");
  check_same_bits(fused_bn.gamma().grad, plain.gamma().grad, "dgamma");
  check_same_bits(fused_bn.beta().grad, plain.beta().grad, "dbeta");

  // The BatchNormalization itself is untouched by having been fused: on its own it is plain.
  fused_bn.forward(x, y_fused, false);
  plain.forward(x, y_plain, false);
  check_same_bits(y_fused, y_plain, "the layer on its own afterwards");
}

TEST_CASE("no layer fusion in reference mode") {
  Tensor x, y;
  chapter::random_data(16, {8, 8, 3}, 10, 5, x, y);
  nn::set_seed(5);
  nn::Model model = chapter::cnn({8, 8, 3});
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.001f));
  model.set_profile(true);
  nn::set_reference_mode(true);
  model.train_on_batch(x, y);
  nn::set_reference_mode(false);
  CHECK(model.profile_report().find("fused into") == std::string::npos);
  CHECK_NOTHROW(model.layer_output(3));  // every layer's own output was kept
}

TEST_CASE("training with layer fusion on and off gives bit-identical weights (the chapter's CNN)") {
  auto train = [](bool fusion) {
    Tensor x, y;
    chapter::random_data(64, {12, 12, 3}, 10, 5, x, y);
    nn::reset_layer_names();
    nn::set_seed(77);
    nn::Model model = chapter::cnn({12, 12, 3});
    model.set_layer_fusion(fusion);
    model.compile("categorical_crossentropy", nn::optimizers::Adam(0.001f), {"accuracy"});
    model.set_profile(true);
    model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
    // The comparison means something only if the fused run really fused: all five
    // LeakyReLU layers were done by the BatchNormalization before them.
    const std::string report = model.profile_report();
    size_t fused = 0;
    for (size_t at = report.find("fused into"); at != std::string::npos; at = report.find("fused into", at + 1)) ++fused;
    CHECK(fused == (fusion ? 5u : 0u));
    return model.get_weights();
  };
  const auto fused = train(true), plain = train(false);
  REQUIRE(fused.size() == plain.size());
  for (size_t i = 0; i < fused.size(); ++i) {
    CAPTURE(i);
    check_same_bits(fused[i], plain[i], "weights");
  }
}

TEST_CASE("after a fused training step layer_output refuses the fused BatchNormalization; forward brings it back") {
  Node input = L::Input({3});
  Node dense = L::Dense(4)(input);
  Node bn = L::BatchNormalization()(dense);
  Node out = L::Dense(2, "softmax")(L::LeakyReLU()(bn));
  nn::Model model(input, out);
  model.compile("categorical_crossentropy", nn::optimizers::SGD(0.1f));
  const Tensor x = random_block({8, 3}, 3);
  Tensor y({8, 2});
  for (int i = 0; i < 8; ++i) y[2 * i + i % 2] = 1.0f;

  model.train_on_batch(x, y);
  // Straight after the fused step: the same BatchNormalization in a model that ends at it
  // must not apply the LeakyReLU it was fused with there.
  const Tensor h = model.layer_output(1);  // some (8, 4) input for the layer on its own
  nn::Layer& bn_layer = model.get_layer(bn.layer().name());
  Tensor direct, direct_later;
  bn_layer.forward(h, direct, false);
  nn::Model features(input, bn);
  const Tensor f = features.predict(x);
  CHECK_NOTHROW(model.layer_output(1));  // the Dense before them was not fused
  CHECK_THROWS_WITH_AS(model.layer_output(2), doctest::Contains("forward(x, training)"), nn::Error);
  CHECK(model.layer_output(3).shape() == Shape{8, 4});  // the fused step wrote the LeakyReLU's output
  model.forward(x, false);
  const Tensor& normalised = model.layer_output(2);
  const Tensor& activated = model.layer_output(3);
  size_t negative = 0;
  for (size_t i = 0; i < normalised.size(); ++i) {
    negative += normalised[i] < 0;
    CHECK(activated[i] == (normalised[i] > 0 ? normalised[i] : 0.3f * normalised[i]));
  }
  CHECK(negative > 0);  // BatchNormalization's own output, not the LeakyReLU's

  bn_layer.forward(h, direct_later, false);  // after an unfused pass: certainly plain
  for (size_t i = 0; i < f.size(); ++i) {
    CHECK(f[i] == normalised[i]);
    CHECK(direct[i] == direct_later[i]);
  }
}
