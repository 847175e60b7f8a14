// Keras 2.11 fidelity of the losses (issue 18, items 1–3): the numbers Keras reports.
//
// Where a number is not in the issue, it was worked out from Keras 2.11's own formulas
// (keras/backend.py categorical_crossentropy and binary_crossentropy, _get_logits,
// activations.softmax/sigmoid caching `_keras_logits`), in double precision with
// TensorFlow's float32 constants (eps = 1e-7f, 1 - eps = 0.99999988f): the loss as
// written there, its gradient by central differences (what TensorFlow's autodiff computes
// where the function is smooth), and Adam as keras/optimizers/optimizer_experimental/
// adam.py (m += (g - m)(1 - β1), v += (g² - v)(1 - β2), θ -= α m / (√v + ε),
// α = lr √(1 - β2^t) / (1 - β1^t)). Each test says which.
#include <doctest/doctest.h>

#include <vector>

#include "nn.h"
#include "reference_check.h"

using nn::Tensor;
namespace L = nn::layers;

namespace {

// Input(in) -> Dense(units, activation) with the given weights: the whole model is one
// layer, so every number below can be followed by hand.
std::unique_ptr<nn::Sequential> one_dense(int in, int units, const std::string& activation,
                                          std::vector<float> kernel, std::vector<float> bias) {
  auto model = std::make_unique<nn::Sequential>(std::initializer_list<nn::LayerRef>{
      L::Input({in}), L::Dense(units, activation)});
  model->set_weights({Tensor({in, units}, std::move(kernel)), Tensor({units}, std::move(bias))});
  return model;
}

// The loss train_on_batch reports (before each update), `steps` times on the same batch.
std::vector<float> losses_of_steps(nn::Model& model, const Tensor& x, const Tensor& y, int steps) {
  std::vector<float> out;
  for (int i = 0; i < steps; ++i) out.push_back(model.train_on_batch(x, y));
  return out;
}

void check_losses(const std::vector<float>& got, const std::vector<double>& keras, double tolerance = 2e-5) {
  REQUIRE(got.size() == keras.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("step ", i + 1, ": nnscratch ", got[i], ", Keras ", keras[i]);
    CHECK(got[i] == doctest::Approx(keras[i]).epsilon(tolerance));
  }
}

// The same training on the fast path and in reference mode: the same losses.
template <class Build>
void check_reference_mode_agrees(Build build, const Tensor& x, const Tensor& y, int steps) {
  std::vector<float> fast, plain;
  {
    auto model = build();
    fast = losses_of_steps(*model, x, y, steps);
  }
  {
    refcheck::ReferenceMode on(true);
    auto model = build();
    plain = losses_of_steps(*model, x, y, steps);
  }
  for (int i = 0; i < steps; ++i) CHECK(plain[i] == doctest::Approx(fast[i]).epsilon(1e-6));
}

}  // namespace

// Item 1. Keras takes the cross-entropy of a softmax or sigmoid output from the logits
// z (the reproducers), so nothing caps the loss at -log(1e-7) = 16.1181.
TEST_CASE("keras: a softmax or sigmoid output's cross-entropy comes from the logits, uncapped (40.0, 30.0)") {
  const Tensor one({1, 1}, {1.0f});
  auto build_softmax = [] {
    return one_dense(1, 2, "softmax", {40.0f, 0.0f}, {0.0f, 0.0f});
  };
  auto softmax = build_softmax();
  softmax->compile("categorical_crossentropy", nn::optimizers::SGD(0.01f));
  const Tensor class_1({1, 2}, {0.0f, 1.0f});
  // z = (40, 0), true class 1: lse(z) - z_1 = 40 + log(1 + e^-40) = 40.0 (nnscratch said 16.1181).
  CHECK(softmax->evaluate(one, class_1, 32, 0)[0] == doctest::Approx(40.0));
  // A perfect fit costs log(1 + e^-40), which is 0 in float32 as in TensorFlow (it was 1e-7).
  CHECK(softmax->evaluate(one, Tensor({1, 2}, {1.0f, 0.0f}), 32, 0)[0] == 0.0f);
  // The predictions are still the probabilities.
  CHECK(softmax->predict(one)[0] == 1.0f);
  CHECK(softmax->train_on_batch(one, class_1) == doctest::Approx(40.0));  // the loss before the step

  auto sigmoid = one_dense(1, 1, "sigmoid", {-30.0f}, {0.0f});
  sigmoid->compile("binary_crossentropy", nn::optimizers::SGD(0.01f));
  const Tensor yes({1, 1}, {1.0f});
  // z = -30, y = 1: max(z, 0) - z·y + log(1 + e^-|z|) = 30.0 (nnscratch said 15.94).
  CHECK(sigmoid->evaluate(one, yes, 32, 0)[0] == doctest::Approx(30.0));
  // z = +30: log(1 + e^-30) = 9.3576e-14, not 1e-7.
  sigmoid->set_weights({Tensor({1, 1}, {30.0f}), Tensor({1}, {0.0f})});
  CHECK(sigmoid->evaluate(one, yes, 32, 0)[0] == doctest::Approx(9.3576e-14).epsilon(1e-4));

  SUBCASE("reference mode reports the same numbers") {
    refcheck::ReferenceMode on(true);
    auto plain = build_softmax();
    plain->compile("categorical_crossentropy", nn::optimizers::SGD(0.01f));
    CHECK(plain->evaluate(one, class_1, 32, 0)[0] == doctest::Approx(40.0));
    CHECK(plain->train_on_batch(one, class_1) == doctest::Approx(40.0));
  }
}

// Item 1, the blow-up the cap hid. Adam(1e6), worked out by hand from Keras's Adam: the
// first step on (x = 1, class 0) moves all four weights by α·m/(√v + ε) = 999,993.675 (with
// g = ∓0.5: α = 1e6·√0.001/0.1, m = 0.1 g, v = 0.001 g²), so z = (1,999,987.35,
// -1,999,987.35) for x = 1 and class 1 then costs z_0 - z_1 = 3,999,974.70. nnscratch used
// to report 16.1181 there: a calm number for a network that has blown up.
TEST_CASE("keras: with Adam(1e6) the loss shows the blow-up (3,999,974.7, not 16.1181)") {
  auto model = one_dense(1, 2, "softmax", {0.0f, 0.0f}, {0.0f, 0.0f});
  model->compile("categorical_crossentropy", nn::optimizers::Adam(1e6f));
  const Tensor one({1, 1}, {1.0f});
  CHECK(model->train_on_batch(one, Tensor({1, 2}, {1.0f, 0.0f})) == doctest::Approx(0.693147));
  CHECK(model->evaluate(one, Tensor({1, 2}, {0.0f, 1.0f}), 32, 0)[0] == doctest::Approx(3999974.70).epsilon(1e-6));
}

// Item 1 and the Keras rule behind it: `_keras_logits` is set by softmax AND by sigmoid, and
// both cross-entropies use it whatever activation set it. So sigmoid + categorical
// cross-entropy is Keras's softmax cross-entropy of the sigmoid's logits, and trains exactly
// as softmax + categorical cross-entropy does (and softmax + binary cross-entropy as sigmoid
// + binary cross-entropy). (The item 2 lists sigmoid + CCE among the outputs that
// are rescaled; Keras 2.11's backend.categorical_crossentropy calls _get_logits first, which
// takes the cached logits of any sigmoid or softmax, so it is not.) 4 Adam steps at lr 0.05,
// Keras numbers worked out from its formulas (see the top of this file).
TEST_CASE("keras: sigmoid + categorical cross-entropy trains from the logits, like softmax (0.9143, 0.8445, ...)") {
  const Tensor x({2, 2}, {1.0f, 0.5f, 0.3f, 0.8f}), y({2, 3}, {1, 0, 0, 0, 1, 0});
  const std::vector<float> kernel = {0.5f, -0.3f, 0.8f, 0.2f, 0.6f, -0.4f}, bias = {0.1f, 0.05f, 0.0f};
  const std::vector<double> keras = {0.914277, 0.844482, 0.781185, 0.724023};
  for (const char* activation : {"sigmoid", "softmax"}) {
    INFO(activation);
    auto build = [&] {
      auto m = one_dense(2, 3, activation, kernel, bias);
      m->compile("categorical_crossentropy", nn::optimizers::Adam(0.05f));
      return m;
    };
    auto model = build();
    check_losses(losses_of_steps(*model, x, y, 4), keras);
    CHECK(model->evaluate(x, y, 32, 0)[0] == doctest::Approx(0.672534).epsilon(2e-5));
    check_reference_mode_agrees(build, x, y, 4);
  }
  // Binary cross-entropy on the same logits: sigmoid or softmax output alike.
  const Tensor x2({2, 2}, {1.0f, 0.5f, 0.4f, 0.3f}), y2({2, 3}, {0, 1, 1, 1, 0, 1});
  for (const char* activation : {"sigmoid", "softmax"}) {
    INFO(activation);
    auto model = one_dense(2, 3, activation, {2.0f, -1.0f, 0.5f, 0.5f, 1.0f, -0.5f}, {0.0f, 0.2f, 0.1f});
    model->compile("binary_crossentropy", nn::optimizers::Adam(0.05f));
    check_losses(losses_of_steps(*model, x2, y2, 4), {0.905042, 0.871623, 0.840466, 0.811005});
  }
}

// Item 2. On other outputs Keras's categorical cross-entropy rescales each row by its sum,
// then clips: a relu output (0.7, 0.05, 0.6) costs -log(0.7 / 1.35) = 0.6568, not -log 0.7.
// 4 Adam steps at lr 0.05, the gradient through the rescaling included; Keras numbers
// worked out from its formulas (see the top of this file).
TEST_CASE("keras: categorical cross-entropy on a relu output rescales rows, then clips (0.6576, 0.5485, ...)") {
  const Tensor x({2, 2}, {1.0f, 0.5f, 0.3f, 0.8f}), y({2, 3}, {1, 0, 0, 0, 1, 0});
  auto build = [&] {
    auto m = one_dense(2, 3, "relu", {0.5f, -0.3f, 0.8f, 0.2f, 0.6f, -0.4f}, {0.1f, 0.05f, 0.0f});
    m->compile("categorical_crossentropy", nn::optimizers::Adam(0.05f));
    return m;
  };
  auto model = build();
  check_losses(losses_of_steps(*model, x, y, 4), {0.657621, 0.548528, 0.441350, 0.314400});
  CHECK(model->evaluate(x, y, 32, 0)[0] == doctest::Approx(0.168085).epsilon(1e-4));
  check_reference_mode_agrees(build, x, y, 4);
  // A row of a relu output that is all zeros is 0 / 0 in the rescaling: NaN, as in Keras,
  // and the NaN guard refuses the step.
  auto dead = one_dense(2, 3, "relu", {0, 0, 0, 0, 0, 0}, {0, 0, 0});
  dead->compile("categorical_crossentropy", nn::optimizers::Adam(0.05f));
  CHECK_THROWS_WITH_AS(dead->train_on_batch(x, y), doctest::Contains("NaN"), nn::ValueError);
}

// Item 2. Keras's binary cross-entropy clips, then takes log(p + 1e-7) and
// log(1 - p + 1e-7): a relu output of 0 with y = 1 costs -log(2e-7) = 15.42, one above 1
// with y = 0 costs -log(1 - 0.99999988 + 1e-7) = 15.33 (nnscratch said 16.12 and 15.94).
// 4 Adam steps at lr 0.05; Keras numbers worked out from its formulas (see the top).
TEST_CASE("keras: binary cross-entropy on a relu output clips, then adds 1e-7 in the logs (5.6436, 5.4943, ...)") {
  const Tensor x({2, 2}, {1.0f, 0.5f, 0.4f, 0.3f}), y({2, 3}, {0, 1, 1, 1, 0, 1});
  auto build = [&] {
    auto m = one_dense(2, 3, "relu", {2.0f, -1.0f, 0.5f, 0.5f, 1.0f, -0.5f}, {0.0f, 0.2f, 0.1f});
    m->compile("binary_crossentropy", nn::optimizers::Adam(0.05f));
    return m;
  };
  auto model = build();
  check_losses(losses_of_steps(*model, x, y, 4), {5.643630, 5.494319, 5.403628, 5.336121});
  check_reference_mode_agrees(build, x, y, 4);
  // By hand, one saturated number each way.
  const nn::losses::BinaryCrossentropy bce;
  CHECK(bce.value(Tensor({1, 1}, {0.0f}), Tensor({1, 1}, {1.0f})) == doctest::Approx(15.424948));
  CHECK(bce.value(Tensor({1, 1}, {2.25f}), Tensor({1, 1}, {0.0f})) == doctest::Approx(15.333239));
}

// Item 3. A per-pixel softmax (Conv2D 1×1, 3 filters, on 2×2 images) with per-pixel one-hot
// labels: categorical cross-entropy sums over the 3 classes and averages over all 8 pixels
// of the batch (Keras: SUM_OVER_BATCH_SIZE over the (N, H, W) per-pixel losses), and
// "accuracy" is categorical accuracy per pixel. 3 Adam steps at lr 0.1; Keras numbers
// worked out from its formulas (see the top of this file): a 1×1 convolution is a Dense
// layer on each pixel.
TEST_CASE("keras: per-pixel softmax + categorical cross-entropy trains, loss and accuracy per pixel (0.7019, 0.75)") {
  const Tensor x({2, 2, 2, 1}, {1.0f, -1.0f, 0.5f, 2.0f, -0.5f, 0.0f, 1.5f, -2.0f});
  const Tensor ids({2, 2, 2}, {0, 1, 2, 2, 1, 1, 0, 1});
  Tensor y({2, 2, 2, 3});
  for (size_t i = 0; i < ids.size(); ++i) y[i * 3 + static_cast<size_t>(ids[i])] = 1.0f;
  nn::Node in = L::Input({2, 2, 1});
  nn::Node out = L::Conv2D(3, 1, {.activation = "softmax"})(in);
  nn::Model model(in, out);
  model.set_weights({Tensor({1, 1, 1, 3}, {0.5f, -0.5f, 1.0f}), Tensor({3}, {0.0f, 0.2f, -0.1f})});
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.1f), {"accuracy"});
  const std::vector<float> before = model.evaluate(x, y, 32, 0);
  CHECK(before[0] == doctest::Approx(0.701929).epsilon(2e-5));
  CHECK(before[1] == doctest::Approx(0.75));  // 6 of the 8 pixels have their class as the largest
  check_losses(losses_of_steps(model, x, y, 3), {0.701929, 0.649370, 0.611191});
  CHECK(model.evaluate(x, y, 32, 0)[0] == doctest::Approx(0.581425).epsilon(2e-5));
  // Labels that are not one-hot per pixel name the pixel.
  Tensor bad = y;
  bad[3] = 1.0f;  // pixel 1 of sample 0 now sums to 2
  CHECK_THROWS_WITH_AS(model.fit(x, bad, {.verbose = 0}), doctest::Contains("position 1 of sample 0 sums to 2"),
                       nn::ValueError);
}

// Item 3. "accuracy" on a (H, W, 1) output is binary accuracy per element (Keras picks it
// because the last axis is 1). The 2×2 example: predictions (1, 1, 1, 0), labels
// (1, 0, 0, 1): one of four right, 0.25 (nnscratch said 1.0); its MSE is 3/4.
TEST_CASE("keras: accuracy of a (2, 2, 1) output is per-element binary accuracy (0.25)") {
  nn::Node in = L::Input({2, 2, 1});
  nn::Node out = L::Activation("linear")(in);
  nn::Model model(in, out);
  model.compile("mse", nn::optimizers::SGD(0.01f), {"accuracy"});
  const Tensor predictions({1, 2, 2, 1}, {1, 1, 1, 0}), labels({1, 2, 2, 1}, {1, 0, 0, 1});
  const std::vector<float> r = model.evaluate(predictions, labels, 32, 0);
  CHECK(r[0] == doctest::Approx(0.75));
  CHECK(r[1] == doctest::Approx(0.25));
}

// From the logits is the output layer's business only: after Sequential::add, the layer
// that was the output computes its activation again (its softmax rows sum to 1), and the
// new output layer takes over.
TEST_CASE("keras: after Sequential::add the former output layer applies its activation again") {
  nn::Sequential seq({L::Input({2}), L::Dense(3, "softmax")});
  seq.compile("categorical_crossentropy", nn::optimizers::Adam());
  seq.add(L::Dense(2, "softmax"));
  const Tensor x({2, 2}, {0.5f, -1.0f, 2.0f, 0.25f}), y({2, 2}, {1, 0, 0, 1});
  seq.train_on_batch(x, y);
  seq.forward(x, false);
  const Tensor& hidden = seq.layer_output(1);
  for (int r = 0; r < 2; ++r) CHECK(hidden[r * 3] + hidden[r * 3 + 1] + hidden[r * 3 + 2] == doctest::Approx(1.0));
  CHECK(seq.layers()[1]->logits_output() == false);
  CHECK(seq.layers()[2]->logits_output() == true);
}
