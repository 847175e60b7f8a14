// The layer contract (src/layers/layer.h), checked the same way on every layer type: the
// built-in ones and the exercise solutions a student writes (tutorials/exercises/solutions).
//   1. the gradient check (finite differences, tests/gradcheck_core.h)
//   2. dx is overwritten, never added into: backward on a dx buffer full of old numbers
//      gives the same dx as on a fresh one; param grads are added: a second backward
//      doubles them
//   3. param grads are computed when the layer is first after Input (no dx asked for)
//      (2 and 3 are tests/layer_contract.h, which the exercise checks run too)
//   4. a clone is independent: changing its weights leaves the original's output alone
//   5. 1 and 2 threads give bit-identical y, dx and grads (on inputs big enough to be split)
//   6. the fast path and reference mode agree to float rounding (tests/reference_check.h)
//   7. rebuilt from its config (get_config -> from_config through the layer registry, as
//      nn::load_model does), a layer has the same arguments and, with the same weights,
//      gives the same y bit for bit
#include <doctest/doctest.h>

#include <functional>

#include "../tutorials/exercises/solutions/1_elu.h"
#include "../tutorials/exercises/solutions/4_prelu.h"
#include "../tutorials/exercises/solutions/5_average_pooling.h"
#include "../tutorials/exercises/solutions/6_batch_norm_backward.h"
#include "gradcheck.h"
#include "layer_contract.h"
#include "reference_check.h"
#include "test_util.h"

using namespace nn;
namespace L = nn::layers;

namespace {

struct Case {
  std::string what;
  std::function<std::shared_ptr<Layer>()> make;  // a fresh, unbuilt layer
  Shape small;      // (N, ...) input for the gradient check
  Shape large;      // (N, ...) input for the thread check: big enough that the layer's
                    // parallel code really splits (multiply-adds >= gemm's kMinParallelWork,
                    // numbers >= kLayerParallelThreshold); Flatten and the exercise solutions
                    // have no parallel code, so for them the check is trivially true
  bool gradcheck_training = true;  // Dropout: checked at inference (its mask is random)
  bool spaced = false;  // MaxPooling2D: inputs at least 0.05 apart, so a step of the
                        // gradient check never changes which value is a window's max
};

Tensor input(const Shape& shape, uint64_t seed, bool spaced = false) {
  Rng rng(seed);
  Tensor t(shape);
  if (spaced) {
    const std::vector<int> order = rng.permutation(static_cast<int>(t.size()));
    for (size_t i = 0; i < t.size(); ++i) t[i] = 0.05f * (order[i] - static_cast<float>(t.size()) / 2);
    return t;
  }
  for (float& v : t) v = rng.uniform(-1.5f, 1.5f);
  return t;
}

std::shared_ptr<Layer> built(const Case& c, const Shape& batch_shape) {
  set_seed(21);  // the same weights for every copy
  auto layer = c.make();
  layer->build_for(Shape(batch_shape.begin() + 1, batch_shape.end()));
  // Non-zero, varied values everywhere (biases, gamma/beta, PReLU's slopes start constant).
  Rng rng(5);
  for (Param* p : layer->params())
    for (float& v : p->value) v = p->name == "moving_variance" ? rng.uniform(0.5f, 1.5f) : v + rng.uniform(-0.3f, 0.3f);
  return layer;
}

struct Result {
  Tensor y, dx;
  std::vector<Tensor> grads;
};

Result forward_backward(Layer& layer, const Tensor& x, const Tensor& r, bool training, Tensor dx = {}) {
  for (Param* p : layer.params()) p->grad.fill(0.0f);
  Result out;
  layer.forward(x, out.y, training);
  layer.backward(r, dx);
  out.dx = dx;
  for (Param* p : layer.params()) out.grads.push_back(p->grad);
  return out;
}

using nn_test::same_bits;

Tensor projection(const Layer& layer, const Shape& x_shape, uint64_t seed) {
  Shape y_shape{x_shape[0]};
  for (int d : layer.output_shape()) y_shape.push_back(d);
  return input(y_shape, seed);
}

void conform(const Case& c) {
  INFO("layer: ", c.what);
  // 1. gradient check
  {
    auto layer = built(c, c.small);
    gradcheck::check_layer(*layer, input(c.small, 1, c.spaced), 2, c.gradcheck_training);
  }
  const Tensor x = input(c.small, 3);
  // 2. dx overwritten, grads added; 3. param grads when first after Input. The same
  //    functions check the exercises (tests/layer_contract.h), so the messages are the hints.
  {
    auto layer = built(c, c.small);
    const std::string overwritten = contract::dx_overwritten(*layer, x);
    CHECK_MESSAGE(overwritten.empty(), overwritten);
    // Built-in layers double their grads bit for bit; the exercise solutions add each term
    // into the grad directly, which rounds a little differently the second time.
    const bool exercise = c.what.find("exercise") != std::string::npos;
    const std::string added = contract::grads_added(*layer, x, true, exercise ? 1e-5 : 0);
    CHECK_MESSAGE(added.empty(), added);
    const std::string first = contract::grads_without_dx(*layer, x);
    CHECK_MESSAGE(first.empty(), first);
  }
  // 4. clone independence
  {
    auto layer = built(c, c.small);
    Tensor before, after;
    layer->forward(x, before, false);
    auto copy = layer->clone();
    for (Param* p : copy->params())
      for (float& v : p->value) v += 1.0f;
    Tensor copy_out;
    copy->forward(x, copy_out, false);
    layer->forward(x, after, false);
    CHECK_MESSAGE(same_bits(before, after), "a clone's weights must be its own");
  }
  // 5. 1 vs 2 threads
  {
    const int saved = get_num_threads();
    const Tensor big = input(c.large, 6);
    auto one = built(c, c.large);
    auto two = one->clone();  // the same weights and, for Dropout, the same generator state
    const Tensor r = projection(*one, c.large, 7);
    set_num_threads(1);
    const Result a = forward_backward(*one, big, r, true);
    set_num_threads(2);
    const Result b = forward_backward(*two, big, r, true);
    set_num_threads(saved);
    CHECK_MESSAGE(same_bits(a.y, b.y), "y must not depend on the thread count");
    CHECK_MESSAGE(same_bits(a.dx, b.dx), "dx must not depend on the thread count");
    for (size_t i = 0; i < a.grads.size(); ++i)
      CHECK_MESSAGE(same_bits(a.grads[i], b.grads[i]), "grads must not depend on the thread count");
  }
  // 6. fast vs reference
  for (bool training : {true, false}) {
    auto layer = built(c, c.small);
    const refcheck::Comparison cmp = refcheck::compare_paths(*layer, x, 8, training);
    CHECK_MESSAGE(cmp.worst <= refcheck::kTolerance, "training ", training, ": fast and reference differ by ",
                  cmp.worst, " in ", cmp.where);
  }
  // 7. rebuilt from its config
  {
    auto layer = built(c, c.small);
    const std::shared_ptr<Layer> again = layer_from_config(layer->type(), layer->get_config());
    CHECK(again->type() == layer->type());
    CHECK_MESSAGE(again->get_config() == layer->get_config(), "from_config(get_config()) must keep every argument");
    again->build_for(layer->input_shape());
    const auto ps = layer->params(), qs = again->params();
    REQUIRE(ps.size() == qs.size());
    for (size_t i = 0; i < ps.size(); ++i) qs[i]->value = ps[i]->value;
    Tensor y, y_again;
    layer->forward(x, y, false);
    again->forward(x, y_again, false);
    CHECK_MESSAGE(same_bits(y, y_again), "the layer rebuilt from its config must compute the same y");
  }
}

std::vector<Case> every_layer_type() {
  // tanh rather than relu: a finite-difference step across relu's kink is off by design
  auto same = [](int s) { return L::Conv2DOptions{.strides = s, .padding = "same", .activation = "tanh"}; };
  return {
      {"Dense relu", [] { return std::make_shared<L::Dense>(7, "relu"); }, {5, 13}, {64, 2048}},
      {"Dense softmax", [] { return std::make_shared<L::Dense>(4, "softmax"); }, {3, 6}, {500, 500}},
      {"Conv2D (im2col: kw·C < 32)", [=] { return std::make_shared<L::Conv2D>(5, 3, same(2)); }, {2, 7, 7, 3},
       {8, 32, 32, 3}},
      {"Conv2D (implicit GEMM)", [] { return std::make_shared<L::Conv2D>(6, 3); }, {2, 6, 6, 13}, {8, 16, 16, 32}},
      {"BatchNormalization", [] { return std::make_shared<L::BatchNormalization>(); }, {4, 3, 3, 5}, {8, 16, 16, 32}},
      {"MaxPooling2D", [] { return std::make_shared<L::MaxPooling2D>(3, 2, "same"); }, {2, 5, 5, 3}, {8, 32, 32, 16}, true,
       true},
      {"Dropout", [] { return std::make_shared<L::Dropout>(0.3f); }, {3, 11}, {64, 1100}, false},
      {"LeakyReLU", [] { return std::make_shared<L::LeakyReLU>(0.2f); }, {3, 11}, {64, 1100}},
      {"Activation tanh", [] { return std::make_shared<L::Activation>("tanh"); }, {3, 11}, {64, 1100}},
      {"Activation softmax", [] { return std::make_shared<L::Activation>("softmax"); }, {3, 5}, {700, 100}},
      {"Flatten", [] { return std::make_shared<L::Flatten>(); }, {2, 3, 4, 5}, {64, 32, 35}},
      {"Reshape (a -1 inferred)", [] { return std::make_shared<L::Reshape>(Shape{-1, 6}); }, {2, 3, 4, 5}, {64, 32, 36}},
      {"UpSampling2D (2, 3)", [] { return std::make_shared<L::UpSampling2D>(std::array<int, 2>{2, 3}); }, {2, 3, 4, 5},
       {8, 32, 32, 16}},
      {"Conv2DTranspose (im2col: kw·F < 32)", [=] { return std::make_shared<L::Conv2DTranspose>(5, 3, same(2)); },
       {2, 4, 5, 3}, {8, 16, 16, 8}},
      {"Conv2DTranspose (implicit GEMM, valid)",
       [] { return std::make_shared<L::Conv2DTranspose>(16, 3, L::Conv2DOptions{.strides = 2, .activation = "tanh"}); },
       {2, 3, 4, 6}, {8, 16, 16, 32}},
      {"Conv2DTranspose (no bias, window smaller than the stride)",
       [] { return std::make_shared<L::Conv2DTranspose>(4, 2, L::Conv2DOptions{.strides = 3, .use_bias = false}); },
       {2, 3, 3, 4}, {8, 16, 16, 32}},
      {"Conv2D (no bias)",
       [] { return std::make_shared<L::Conv2D>(6, 3, L::Conv2DOptions{.padding = "same", .use_bias = false}); },
       {2, 5, 5, 4}, {8, 16, 16, 32}},
      {"ELU (exercise 1 solution)", [] { return std::make_shared<ELU>(); }, {3, 11}, {64, 1100}},
      {"PReLU (exercise 4 solution)", [] { return std::make_shared<PReLU>(); }, {3, 11}, {64, 1100}},
      {"AveragePooling2D (exercise 5 solution)", [] { return std::make_shared<AveragePooling2D>(3, 2, "same"); },
       {2, 5, 6, 3}, {8, 32, 32, 16}},
      {"BatchNorm (exercise 6 solution)", [] { return std::make_shared<BatchNorm>(); }, {4, 3, 3, 5}, {8, 16, 16, 32}},
  };
}

}  // namespace

TEST_CASE("conformance: every layer type meets the layer contract") {
  register_layer<ELU>("ELU");  // so check 7 can rebuild the exercise solutions from their configs
  register_layer<PReLU>("PReLU");
  register_layer<AveragePooling2D>("AveragePooling2D");
  register_layer<BatchNorm>("BatchNorm");
  for (const Case& c : every_layer_type()) conform(c);
}
