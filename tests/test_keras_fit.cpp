// Keras 2.11 fidelity of fit, evaluate, summary and the logs (issue 18, items 4, 5, 7, 8,
// 10). Numbers not given by the issue are worked out by hand from Keras's formulas; each
// test shows the arithmetic.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "nn.h"

using nn::Tensor;
namespace L = nn::layers;

namespace {

// y = w·x + b, one number in and out, w = b = 0 to start: every step can be done by hand.
std::unique_ptr<nn::Sequential> line_model() {
  auto model = std::make_unique<nn::Sequential>(std::initializer_list<nn::LayerRef>{L::Input({1}), L::Dense(1)});
  model->set_weights({Tensor({1, 1}, {0.0f}), Tensor({1}, {0.0f})});
  model->compile("mse", nn::optimizers::SGD(0.01f));
  return model;
}

// x = 1..10 and y = 2x, as (10, 1).
void line_data(Tensor& x, Tensor& y) {
  x = Tensor({10, 1});
  y = Tensor({10, 1});
  for (int i = 0; i < 10; ++i) {
    x[i] = static_cast<float>(i + 1);
    y[i] = 2.0f * x[i];
  }
}

}  // namespace

// Item 5. Keras trains on one smaller batch when batch_size is larger than the data. Default
// batch_size 32 on 10 samples, SGD(0.01), w = b = 0: the one step's loss is mean((2x)²) =
// 4·38.5 = 154; dL/dw = mean(-4x²) = -154 and dL/db = mean(-4x) = -22 give w = 1.54,
// b = 0.22, after which the MSE is mean((0.22 - 0.46x)²) = 7.0818.
TEST_CASE("keras: a batch_size larger than the data trains on one smaller batch (154.0, then 7.0818)") {
  Tensor x, y;
  line_data(x, y);
  auto model = line_model();
  const nn::History h = model->fit(x, y, {.epochs = 1, .shuffle = false, .verbose = 0});
  REQUIRE(h.epochs() == 1);
  CHECK(h["loss"][0] == doctest::Approx(154.0));
  CHECK(model->optimizer().iterations() == 1);
  const std::vector<Tensor> w = model->get_weights();
  CHECK(w[0][0] == doctest::Approx(1.54));
  CHECK(w[1][0] == doctest::Approx(0.22));
  CHECK(model->evaluate(x, y, 32, 0)[0] == doctest::Approx(7.0818));

  // After validation_split 0.2 the 8 training samples are one batch: loss mean(4x²) over
  // x = 1..8 = 102; w = 1.02, b = 0.18; val_loss over x = 9, 10 = (8.64² + 9.62²) / 2 = 83.597.
  auto split = line_model();
  const nn::History hs = split->fit(x, y, {.epochs = 1, .shuffle = false, .validation_split = 0.2f, .verbose = 0});
  CHECK(hs["loss"][0] == doctest::Approx(102.0));
  CHECK(hs["val_loss"][0] == doctest::Approx(83.597));
  // Shuffled, and a callback asking for more than the data: still one batch an epoch.
  auto big = std::make_shared<nn::BatchSizeScheduler>([](int, int) { return 1000; });
  auto shuffled = line_model();
  CHECK(shuffled->fit(x, y, {.epochs = 2, .verbose = 0, .callbacks = {big}}).epochs() == 2);
  CHECK(shuffled->optimizer().iterations() == 2);
}

// Item 4. Keras expands labels of shape (N) to (N, 1) for an (N, 1) output. A sigmoid unit
// with zero weights says p = 0.5 for everything: binary cross-entropy log 2 = 0.693147, and
// binary accuracy (p > 0.5 is false: "class 0") is right for the two labels that are 0 of
// four, 0.5.
TEST_CASE("keras: labels of shape (N) for an (N, 1) output are expanded (0.693147, accuracy 0.5)") {
  auto make = [] {
    auto m = std::make_unique<nn::Sequential>(std::initializer_list<nn::LayerRef>{L::Input({2}), L::Dense(1, "sigmoid")});
    m->set_weights({Tensor({2, 1}, {0.0f, 0.0f}), Tensor({1}, {0.0f})});
    m->compile("binary_crossentropy", nn::optimizers::Adam(0.1f), {"accuracy"});
    return m;
  };
  const Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  const Tensor flat({4}, {0, 1, 1, 0}), column({4, 1}, {0, 1, 1, 0});
  auto model = make();
  const std::vector<float> r = model->evaluate(x, flat, 32, 0);
  CHECK(r[0] == doctest::Approx(0.693147));
  CHECK(r[1] == doctest::Approx(0.5));
  CHECK(model->train_on_batch(x, flat) == doctest::Approx(0.693147));
  // Flat labels train exactly as (N, 1) labels do, validation data included.
  auto a = make(), b = make();
  const nn::History ha = a->fit(x, flat, {.batch_size = 2, .epochs = 3, .shuffle = false, .validation_data = {x, flat},
                                          .verbose = 0});
  const nn::History hb = b->fit(x, column, {.batch_size = 2, .epochs = 3, .shuffle = false,
                                            .validation_data = {x, column}, .verbose = 0});
  CHECK(ha.history == hb.history);
  // Class ids for a softmax output are still an error that says what to do.
  nn::Sequential classes({L::Input({2}), L::Dense(3, "softmax")});
  classes.compile("categorical_crossentropy", nn::optimizers::Adam());
  CHECK_THROWS_WITH_AS(classes.fit(x, flat, {.verbose = 0}), doctest::Contains("to_categorical"), nn::ShapeError);
}

// Item 7. Keras names functional models as layers: the second one in a session is model_1.
TEST_CASE("keras: a second functional model is model_1, and summary says so") {
  nn::reset_layer_names();
  nn::Node in = L::Input({3});
  nn::Model first(in, L::Dense(2)(in));
  nn::Node in2 = L::Input({3});
  nn::Model second(in2, L::Dense(2)(in2));
  nn::Node in3 = L::Input({3});
  nn::Model named(in3, L::Dense(2)(in3), "encoder");
  CHECK(first.name() == "model");
  CHECK(second.name() == "model_1");
  CHECK(named.name() == "encoder");
  CHECK(second.summary_string().rfind("Model: \"model_1\"\n", 0) == 0);
  nn::reset_layer_names();
  nn::Node again = L::Input({3});
  CHECK(nn::Model(again, L::Dense(2)(again)).name() == "model");
}

// Item 8. Keras's Progbar prints |v| <= 1e-3 with %.4e, an exact 0 too; and "acc" keeps its
// name in the logs and the history, as in Keras (acc, val_acc).
TEST_CASE("keras: a metric of exactly 0 prints 0.0000e+00; \"acc\" stays acc and val_acc") {
  CHECK(nn::format_metric(0.0f) == "0.0000e+00");
  CHECK(nn::format_metric(-0.0005f) == "-5.0000e-04");
  CHECK(nn::format_metric(0.001f) == "0.0010");  // 0.001f is 0.0010000000475 > 1e-3, as numpy sees it
  CHECK(nn::format_metric(1.37592f) == "1.3759");
  CHECK(nn::ProgressBar::format_logs({{"loss", 0.0f}, {"acc", 1.0f}}) == " - loss: 0.0000e+00 - acc: 1.0000");

  // The sigmoid unit of item 4 (p = 0.5 everywhere): loss 0.693147 and acc 0.5 per epoch.
  nn::Sequential model({L::Input({2}), L::Dense(1, "sigmoid")});
  model.set_weights({Tensor({2, 1}, {0.0f, 0.0f}), Tensor({1}, {0.0f})});
  model.compile("binary_crossentropy", nn::optimizers::SGD(1e-6f), {"acc"});
  CHECK(model.metrics() == std::vector<std::string>{"acc"});
  const Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
  const nn::History h = model.fit(x, y, {.batch_size = 4, .shuffle = false, .validation_data = {x, y}, .verbose = 0});
  CHECK(h.history.count("acc") == 1);
  CHECK(h.history.count("val_acc") == 1);
  CHECK(h.history.count("accuracy") == 0);
  CHECK(h["acc"][0] == doctest::Approx(0.5));
  CHECK(h["val_loss"][0] == doctest::Approx(0.693147).epsilon(1e-5));
  CHECK(model.evaluate(x, y, 32, 0).size() == 2);
}

// Item 10. A NaN loss still stops fit with the message by default; .on_nan = "throw" makes
// it an nn::ValueError that cannot go unnoticed, with the same message, and the bad batch
// is not applied either way.
TEST_CASE("keras: fit's .on_nan = \"throw\" turns the NaN stop into an nn::ValueError") {
  Tensor x({8, 1}, 1e30f), y({8, 1}, 1.0f);  // unscaled inputs: the loss overflows at once
  auto model = line_model();
  model->set_weights({Tensor({1, 1}, {1.0f}), Tensor({1}, {0.0f})});  // predictions of 1e30
  const std::vector<Tensor> before = model->get_weights();
  CHECK_THROWS_WITH_AS(model->fit(x, y, {.verbose = 0, .on_nan = "throw"}),
                       doctest::Contains("fit: the loss became infinite at epoch 1, batch 1"), nn::ValueError);
  CHECK(model->get_weights()[0][0] == before[0][0]);
  CHECK(model->optimizer().iterations() == 0);
  const nn::History stopped = model->fit(x, y, {.verbose = 0});  // the default: stop and say why
  CHECK(stopped.stop_reason.find("epoch 1, batch 1") != std::string::npos);
  CHECK(stopped.epochs() == 0);
  CHECK_THROWS_WITH_AS(model->fit(x, y, {.verbose = 0, .on_nan = "ignore"}),
                       doctest::Contains("on_nan must be \"stop\" or \"throw\""), nn::ValueError);
  // The documented default.
  CHECK(nn::FitOptions{}.on_nan == "stop");
}
