#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

#include "gradcheck.h"
#include "nn.h"

using nn::Node;
using nn::Tensor;
namespace L = nn::layers;

namespace {

// Keras pads every summary line to 65 characters.
std::string pad65(const std::string& s) { return s + std::string(65 - s.size(), ' ') + "\n"; }

nn::Model seed_model(bool activation_as_layer) {
  Node input = L::Input({32, 32, 3});
  Node x = L::Flatten()(input);
  x = L::Dense(200, "relu")(x);
  if (activation_as_layer) {
    x = L::Dense(150)(x);
    x = L::Activation("relu")(x);
  } else {
    x = L::Dense(150, "relu")(x);
  }
  Node output = L::Dense(10, "softmax")(x);
  return nn::Model(input, output);
}

// A learnable toy problem: the class is which of 3 input coordinates is largest.
void argmax_problem(int n, uint64_t seed, Tensor& x, Tensor& y) {
  nn::Rng rng(seed);
  x = Tensor({n, 3});
  Tensor ids({n});
  for (int i = 0; i < n; ++i) {
    int best = 0;
    for (int j = 0; j < 3; ++j) {
      x[i * 3 + j] = rng.uniform(-1, 1);
      if (x[i * 3 + j] > x[i * 3 + best]) best = j;
    }
    ids[i] = static_cast<float>(best);
  }
  y = nn::data::to_categorical(ids, 3);
}

}  // namespace

// Keras 2.11's print_summary prints the empty row after every layer, the last one too
// (is_nested_last is false at top level), before the closing rule (issue 18, item 7).
TEST_CASE("summary of the chapter's MLP matches Keras 2.11 character for character") {
  nn::reset_layer_names();
  nn::Model model = seed_model(false);
  const std::string blank = std::string(65, ' ') + "\n";
  const std::string expected = "Model: \"model\"\n" + std::string(65, '_') + "\n" +
                               pad65(" Layer (type)                Output Shape              Param #") +
                               std::string(65, '=') + "\n" +
                               pad65(" input_1 (InputLayer)        [(None, 32, 32, 3)]       0") + blank +
                               pad65(" flatten (Flatten)           (None, 3072)              0") + blank +
                               pad65(" dense (Dense)               (None, 200)               614600") + blank +
                               pad65(" dense_1 (Dense)             (None, 150)               30150") + blank +
                               pad65(" dense_2 (Dense)             (None, 10)                1510") + blank +
                               std::string(65, '=') + "\n" +
                               "Total params: 646,260\n"
                               "Trainable params: 646,260\n"
                               "Non-trainable params: 0\n" +
                               std::string(65, '_') + "\n";
  CHECK(model.summary_string() == expected);
  const std::string explained = model.summary_string({.explain = true});
  CHECK(explained.find("200 units × (3072 inputs + 1 bias) = 614,600") != std::string::npos);
  CHECK(explained.find("FLOPs") != std::string::npos);
}

TEST_CASE("summary of a Sequential model lists no InputLayer, like Keras") {
  nn::reset_layer_names();
  nn::Sequential seq({L::Input({784}), L::Dense(10, "softmax")});
  const std::string expected = "Model: \"sequential\"\n" + std::string(65, '_') + "\n" +
                               pad65(" Layer (type)                Output Shape              Param #") +
                               std::string(65, '=') + "\n" +
                               pad65(" dense (Dense)               (None, 10)                7850") +
                               std::string(65, ' ') + "\n" + std::string(65, '=') + "\n" +
                               "Total params: 7,850\nTrainable params: 7,850\nNon-trainable params: 0\n" +
                               std::string(65, '_') + "\n";
  CHECK(seq.summary_string() == expected);
  seq.add(L::Dense(4));
  CHECK(seq.summary_string().find(" dense_1 (Dense)             (None, 4)                 44") != std::string::npos);
}

TEST_CASE("a Dense given a name (Keras's name=) keeps it and takes no number from the count") {
  nn::reset_layer_names();
  nn::layers::Dense named(2, "linear", "z_mean"), first(3), second(3);
  CHECK(named.name() == "z_mean");
  CHECK(first.name() == "dense");  // as in Keras: the named layer did not use up "dense"
  CHECK(second.name() == "dense_1");
}

TEST_CASE("a long layer name wraps onto the next line as in Keras") {
  nn::reset_layer_names();
  Node in = L::Input({4});
  L::Dense d(2);
  d.set_name("a_rather_long_layer_name_here");
  Node out = d(in);
  nn::Model m(in, out);
  // Column 0 holds 27 characters; the rest of "a_rather_long_layer_name_here (Dense)" continues below.
  CHECK(m.summary_string().find(" a_rather_long_layer_name_he  (None, 2)                10        \n re (Dense)") != std::string::npos);
}

TEST_CASE("the seed model built both ways gives identical outputs") {
  nn::set_seed(7);
  nn::Model fused = seed_model(false);
  nn::Model separate = seed_model(true);
  separate.set_weights(fused.get_weights());
  nn::Rng rng(8);
  Tensor x = gradcheck::random_tensor({5, 32, 32, 3}, rng);
  Tensor a = fused.predict(x), b = separate.predict(x);
  REQUIRE(a.shape() == b.shape());
  for (size_t i = 0; i < a.size(); ++i) REQUIRE(a[i] == b[i]);
  for (int r = 0; r < 5; ++r) {
    double sum = 0;
    for (int c = 0; c < 10; ++c) sum += a[r * 10 + c];
    CHECK(sum == doctest::Approx(1.0));
  }
}

TEST_CASE("get_weights is in Keras order: kernel (in, out) then bias, per layer") {
  nn::set_seed(1);
  nn::Model m = seed_model(false);
  auto w = m.get_weights();
  REQUIRE(w.size() == 6);
  CHECK(w[0].shape() == nn::Shape{3072, 200});
  CHECK(w[1].shape() == nn::Shape{200});
  CHECK(w[4].shape() == nn::Shape{150, 10});
  w.pop_back();
  CHECK_THROWS_AS(m.set_weights(w), nn::ValueError);
}

TEST_CASE("shape errors are found when the model is built, naming both layers") {
  nn::reset_layer_names();
  Node in = L::Input({28, 28, 1});
  CHECK_THROWS_WITH_AS(L::Dense(10)(in), doctest::Contains("input_1"), nn::ShapeError);
  nn::Sequential seq({L::Input({28, 28})});
  CHECK_THROWS_WITH_AS(seq.add(L::Dense(3)), doctest::Contains("Flatten"), nn::ShapeError);
}

TEST_CASE("a small network learns XOR to 100% with Adam") {
  nn::set_seed(3);
  nn::Sequential model({L::Input({2}), L::Dense(8, "tanh"), L::Dense(1, "sigmoid")});
  model.compile(nn::losses::BinaryCrossentropy(), nn::optimizers::Adam(0.05f), {"accuracy"});
  Tensor x({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y({4, 1}, {0, 1, 1, 0});
  nn::History h = model.fit(x, y, {.batch_size = 4, .epochs = 300, .verbose = 0});
  CHECK(h["loss"].back() < 0.05f);
  CHECK(model.evaluate(x, y, 4, 0)[1] == 1.0f);
}

TEST_CASE("fit lowers the loss, evaluate and predict agree, train_on_batch returns the pre-update loss") {
  Tensor x, y;
  argmax_problem(600, 5, x, y);
  nn::set_seed(9);
  nn::Sequential model({L::Input({3}), L::Dense(16, "relu"), L::Dense(3, "softmax")});
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f), {"accuracy"});
  const float before = model.evaluate(x, y, 32, 0)[0];
  nn::History h = model.fit(x, y, {.batch_size = 32, .epochs = 30, .verbose = 0});
  CHECK(h.epochs() == 30);
  CHECK(h["loss"].back() < 0.5f * before);
  auto r = model.evaluate(x, y, 50, 0);
  CHECK(r[1] > 0.95f);
  Tensor p = model.predict(x);
  CHECK(nn::losses::CategoricalCrossentropy().value(p, y) == doctest::Approx(r[0]).epsilon(1e-4));

  Tensor xb = x.slice_rows(0, 16), yb = y.slice_rows(0, 16);
  const float expected = nn::losses::CategoricalCrossentropy().value(model.predict(xb), yb);
  CHECK(model.train_on_batch(xb, yb) == doctest::Approx(expected).epsilon(1e-5));
}

TEST_CASE("set_profile times every layer's passes, changes no result, and costs nothing when off") {
  Tensor x, y;
  argmax_problem(64, 7, x, y);
  auto make = [] {
    nn::set_seed(12);
    auto m = std::make_unique<nn::Sequential>(
        std::initializer_list<nn::LayerRef>{L::Input({3}), L::Dense(16, "relu"), L::Dense(3, "softmax")});
    m->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f), {"accuracy"});
    return m;
  };
  auto plain_model = make(), profiled_model = make();
  nn::Model &plain = *plain_model, &profiled = *profiled_model;
  CHECK(profiled.profile_report().find("no profile") != std::string::npos);
  profiled.set_profile(true);
  REQUIRE(profiled.profile().layers.size() == 2);
  CHECK(profiled.profile().layers[1].type == "Dense");
  for (int step = 0; step < 3; ++step)
    CHECK(profiled.train_on_batch(x.slice_rows(0, 32), y.slice_rows(0, 32)) ==
          plain.train_on_batch(x.slice_rows(0, 32), y.slice_rows(0, 32)));
  profiled.evaluate(x, y, 32, 0);  // two more forward passes (inference), no backward
  const auto& p = profiled.profile();
  CHECK(p.steps == 3);
  CHECK(p.backward_passes == 3);
  CHECK(p.forward_passes == 5);
  for (const auto& layer : p.layers) {
    CHECK(layer.forward_seconds > 0);
    CHECK(layer.backward_seconds > 0);
  }
  CHECK(p.optimizer_seconds > 0);
  const std::string report = profiled.profile_report();
  CHECK(report.find(p.layers[0].name) != std::string::npos);
  CHECK(report.find("3 optimizer steps") != std::string::npos);
  // Off: the totals stay where they were.
  profiled.set_profile(false);
  const double forward_before = p.layers[0].forward_seconds;
  profiled.train_on_batch(x.slice_rows(0, 32), y.slice_rows(0, 32));
  CHECK(profiled.profile().steps == 3);
  CHECK(profiled.profile().layers[0].forward_seconds == forward_before);
  // On again: from zero.
  profiled.set_profile(true);
  CHECK(profiled.profile().steps == 0);
  CHECK(profiled.profile().layers[0].forward_seconds == 0);
}

TEST_CASE("the profile splits out each layer's multiplies, the NaN guard and gathering the batches") {
  Tensor x, y;
  argmax_problem(64, 7, x, y);
  nn::set_seed(12);
  nn::Sequential model({L::Input({3}), L::Flatten(), L::Dense(16, "relu"), L::Dense(3, "softmax")});
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f), {"accuracy"});
  model.set_profile(true);
  model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  const auto& p = model.profile();
  REQUIRE(p.layers.size() == 3);
  CHECK(p.layers[0].forward_multiply_seconds == 0);  // Flatten multiplies nothing
  for (size_t i = 1; i < 3; ++i) {                   // each Dense: x·W forward, xᵀ·dz backward
    const auto& dense = p.layers[i];
    CHECK(dense.forward_multiply_seconds > 0);
    CHECK(dense.forward_multiply_seconds <= dense.forward_seconds);
    CHECK(dense.backward_multiply_seconds > 0);
    CHECK(dense.backward_multiply_seconds <= dense.backward_seconds);
  }
  CHECK(p.guard_seconds > 0);
  CHECK(p.data_seconds > 0);
  const std::string report = model.profile_report();
  for (const char* part : {"multiply", "NaN guard", "gathering the batch", "matrix multiplies"})
    CHECK_MESSAGE(report.find(part) != std::string::npos, part);
  // Off, the multiplies are not timed at all.
  model.set_profile(false);
  const double multiply_before = nn::gemm_seconds();
  model.train_on_batch(x.slice_rows(0, 16), y.slice_rows(0, 16));
  CHECK(nn::gemm_seconds() == multiply_before);
}

TEST_CASE("shuffling is reproducible under a seed") {
  Tensor x, y;
  argmax_problem(200, 6, x, y);
  std::vector<Tensor> results;
  for (int run = 0; run < 3; ++run) {
    nn::set_seed(11);
    nn::Sequential model({L::Input({3}), L::Dense(5, "relu"), L::Dense(3, "softmax")});
    model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f));
    model.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .seed = run == 2 ? 99u : 0u});
    results.push_back(model.get_weights()[0]);
  }
  for (size_t i = 0; i < results[0].size(); ++i) REQUIRE(results[0][i] == results[1][i]);
  bool differs = false;
  for (size_t i = 0; i < results[0].size(); ++i) differs |= results[0][i] != results[2][i];
  CHECK(differs);
}

TEST_CASE("validation_split takes the last fraction; validation_data is logged") {
  Tensor x, y;
  argmax_problem(100, 7, x, y);
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f), {"accuracy"});
  // 100 samples, split 0.2: 80 train (3 batches of 32 -> 32, 32, 16), 20 validation.
  int batches = 0;
  struct Counter : nn::Callback {
    int* count;
    explicit Counter(int* c) : count(c) {}
    void on_batch_end(int, const nn::Logs&, nn::Model&) override { ++*count; }
  };
  auto h = model.fit(x, y, {.epochs = 1, .validation_split = 0.2f, .verbose = 0,
                            .callbacks = {std::make_shared<Counter>(&batches)}});
  CHECK(batches == 3);
  const float val_loss = h["val_loss"][0];
  Tensor xv = x.slice_rows(80, 100), yv = y.slice_rows(80, 100);
  CHECK(val_loss == doctest::Approx(model.evaluate(xv, yv, 32, 0)[0]).epsilon(1e-5));
  auto h2 = model.fit(x, y, {.epochs = 1, .validation_data = {xv, yv}, .verbose = 0});
  CHECK(h2["val_accuracy"].size() == 1);
}

TEST_CASE("a batch-size schedule changes the batch size between epochs") {
  Tensor x, y;
  argmax_problem(64, 8, x, y);
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::SGD(0.1f));
  std::vector<int> seen;
  struct Recorder : nn::Callback {
    std::vector<int>* out;
    int batches = 0;
    explicit Recorder(std::vector<int>* o) : out(o) {}
    void on_epoch_begin(int, nn::Model&, int&) override { batches = 0; }
    void on_batch_end(int, const nn::Logs&, nn::Model&) override { ++batches; }
    void on_epoch_end(int, const nn::Logs&, nn::Model&) override { out->push_back(batches); }
  };
  auto schedule = std::make_shared<nn::BatchSizeScheduler>([](int epoch, int) { return 8 << epoch; });
  model.fit(x, y, {.epochs = 3, .verbose = 0, .callbacks = {schedule, std::make_shared<Recorder>(&seen)}});
  CHECK(seen == std::vector<int>{8, 4, 2});  // batch sizes 8, 16, 32 over 64 samples
}

TEST_CASE("early stopping stops when the monitored value stops improving") {
  Tensor x, y;
  argmax_problem(64, 9, x, y);
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  // A learning rate this tiny makes no visible progress, so patience runs out.
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::SGD(1e-9f));
  auto stop = std::make_shared<nn::EarlyStopping>("loss", 2, 0.01f);
  auto h = model.fit(x, y, {.epochs = 50, .verbose = 0, .callbacks = {stop}});
  CHECK(h.epochs() == 3);
  CHECK(stop->stopped_epoch() == 2);
}

TEST_CASE("progress line in Keras's format") {
  CHECK(nn::ProgressBar::bar(1563, 1563) == "1563/1563 [==============================]");
  CHECK(nn::ProgressBar::bar(12, 1563) == "  12/1563 [..............................]");
  CHECK(nn::ProgressBar::bar(800, 1563) == " 800/1563 [==============>...............]");
  CHECK(nn::ProgressBar::format_logs({{"loss", 1.37592f}, {"accuracy", 0.5108f}, {"val_loss", 1.5f}}) ==
        " - loss: 1.3759 - accuracy: 0.5108 - val_loss: 1.5000");
  CHECK(nn::ProgressBar::format_per_step(0.0021) == "2ms/step");
  CHECK(nn::ProgressBar::format_eta(65) == "ETA: 1:05");
  CHECK(nn::format_metric(0.00001234f) == "1.2340e-05");
  // Non-interactive: one line per epoch, ending in the logs.
  std::ostringstream out;
  nn::ProgressBar bar(10, 1, out, false);
  bar.update(5, {{"loss", 2.0f}});
  bar.finish({{"loss", 1.0f}});
  const std::string line = out.str();
  CHECK(line.rfind("10/10 [==============================] - ", 0) == 0);
  CHECK(line.find("/step - loss: 1.0000\n") != std::string::npos);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  std::ostringstream two;
  nn::ProgressBar line_mode(10, 2, two, true);
  line_mode.finish({{"loss", 1.0f}});
  CHECK(two.str().rfind("10/10 - ", 0) == 0);
}

TEST_CASE("bad input to fit, evaluate and predict gives clear errors") {
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  Tensor x({10, 3}), y({10, 3});
  for (int i = 0; i < 10; ++i) y[i * 3] = 1;
  CHECK_THROWS_WITH_AS(model.fit(x, y), doctest::Contains("compile"), nn::Error);
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam());
  CHECK_THROWS_WITH_AS(model.fit(Tensor({10, 4}), y, {.verbose = 0}), doctest::Contains("(N, 3)"), nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.fit(x, Tensor({9, 3}), {.verbose = 0}), doctest::Contains("samples"), nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.fit(x, Tensor({10}), {.verbose = 0}), doctest::Contains("to_categorical"),
                       nn::ShapeError);
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 0, .verbose = 0}), nn::ValueError);
  CHECK_THROWS_AS(model.fit(Tensor({0, 3}), Tensor({0, 3}), {.verbose = 0}), nn::ValueError);
  Tensor bad = x;
  bad[4] = std::nanf("");
  CHECK_THROWS_WITH_AS(model.predict(bad), doctest::Contains("NaN"), nn::ValueError);
  CHECK_THROWS_AS(model.evaluate(x, y, 0, 0), nn::ValueError);
  CHECK_THROWS_AS(model.compile(nn::losses::MeanSquaredError(), nn::optimizers::Adam(), {"precision"}),
                  nn::ValueError);
}

TEST_CASE("bad input to predict and evaluate: shapes, counts, empty data, batch sizes") {
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile("categorical_crossentropy", nn::optimizers::Adam(), {"accuracy"});
  Tensor x({10, 3}), y({10, 3});
  for (int i = 0; i < 10; ++i) y[i * 3 + i % 3] = 1;
  CHECK_THROWS_WITH_AS(model.predict(Tensor({10, 4})), doctest::Contains("expects inputs of shape (N, 3), got (10, 4)"),
                       nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.predict(Tensor({10, 3, 1})), doctest::Contains("(N, 3)"), nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.predict(Tensor()), doctest::Contains("(N, 3)"), nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.predict(Tensor({0, 3})), doctest::Contains("no samples"), nn::ValueError);
  CHECK_THROWS_WITH_AS(model.predict(x, 0), doctest::Contains("batch_size must be >= 1"), nn::ValueError);
  CHECK(model.predict(x, 1000).shape() == nn::Shape{10, 3});  // a batch larger than the data is one batch
  CHECK_THROWS_WITH_AS(model.evaluate(Tensor({10, 2}), y, 32, 0), doctest::Contains("(N, 3)"), nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.evaluate(x, Tensor({7, 3}), 32, 0), doctest::Contains("x has 10 samples but y has 7"),
                       nn::ShapeError);
  CHECK_THROWS_WITH_AS(model.evaluate(x, Tensor({10, 4}), 32, 0), doctest::Contains("output has shape (N, 3)"),
                       nn::ShapeError);
  CHECK_THROWS_AS(model.evaluate(Tensor({0, 3}), Tensor({0, 3}), 32, 0), nn::ValueError);
  CHECK_THROWS_AS(model.evaluate(x, y, -2, 0), nn::ValueError);
  Tensor nan_y = y;
  nan_y[5] = std::nanf("");
  CHECK_THROWS_WITH_AS(model.evaluate(x, nan_y, 32, 0), doctest::Contains("targets contain NaN"), nn::ValueError);
  nn::Sequential unbuilt({L::Dense(3)});
  CHECK_THROWS_WITH_AS(unbuilt.predict(Tensor({4})), doctest::Contains("cannot infer the input shape"), nn::ShapeError);
  nn::Sequential empty;
  CHECK_THROWS_WITH_AS(empty.predict(x), doctest::Contains("no layers"), nn::Error);
}

TEST_CASE("targets out of range for the loss: cross-entropy needs one-hot probabilities") {
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile("categorical_crossentropy", nn::optimizers::Adam());
  Tensor x({6, 3}), y({6, 3});
  for (int i = 0; i < 6; ++i) y[i * 3 + i % 3] = 1;
  Tensor scaled = y;
  scaled[4] = 255;  // labels as raw numbers
  CHECK_THROWS_WITH_AS(model.fit(x, scaled, {.batch_size = 2, .verbose = 0}), doctest::Contains("between 0 and 1"),
                       nn::ValueError);
  CHECK_THROWS_WITH_AS(model.fit(x, scaled, {.batch_size = 2, .verbose = 0}), doctest::Contains("sample 1"),
                       nn::ValueError);
  Tensor negative = y;
  negative[0] = -1;
  CHECK_THROWS_AS(model.evaluate(x, negative, 32, 0), nn::ValueError);
  Tensor zero_row = y;
  zero_row[3 * 2 + 2] = 0;  // sample 2 belongs to no class
  CHECK_THROWS_WITH_AS(model.fit(x, zero_row, {.batch_size = 2, .verbose = 0}),
                       doctest::Contains("the row of sample 2 sums to 0"), nn::ValueError);
  CHECK_THROWS_WITH_AS(model.train_on_batch(x, zero_row), doctest::Contains("to_categorical"), nn::ValueError);
  Tensor soft = y;  // label smoothing: rows still sum to 1, accepted
  for (float& v : soft) v = v * 0.9f + 0.1f / 3;
  CHECK_NOTHROW(model.fit(x, soft, {.batch_size = 2, .verbose = 0}));
  Tensor xv({2, 3}), yv({2, 3}, 2.0f);
  CHECK_THROWS_WITH_AS(model.fit(x, y, {.batch_size = 2, .validation_data = {xv, yv}, .verbose = 0}),
                       doctest::Contains("fit (validation_data)"), nn::ValueError);

  nn::Sequential binary({L::Input({3}), L::Dense(1, "sigmoid")});
  binary.compile("binary_crossentropy", nn::optimizers::Adam());
  Tensor labels({6, 1}, {0, 1, 1, 0, 2, 1});
  CHECK_THROWS_WITH_AS(binary.fit(x, labels, {.batch_size = 2, .verbose = 0}), doctest::Contains("binary labels are 0 or 1"),
                       nn::ValueError);
  // Mean squared error predicts any numbers: nothing to check.
  nn::Sequential regression({L::Input({3}), L::Dense(1)});
  regression.compile("mse", nn::optimizers::SGD(0.01f));
  CHECK_NOTHROW(regression.fit(x, labels, {.batch_size = 2, .verbose = 0}));
}

TEST_CASE("loss, activation and metric names: Keras names work, unknown ones are listed") {
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile("categorical_crossentropy", nn::optimizers::Adam(), {"accuracy"});
  CHECK(model.loss().name() == "categorical_crossentropy");
  model.compile("mse", nn::optimizers::Adam());
  CHECK(model.loss().name() == "mean_squared_error");
  model.compile("mean_squared_error", nn::optimizers::Adam());
  model.compile("binary_crossentropy", nn::optimizers::Adam());
  CHECK(model.loss().name() == "binary_crossentropy");
  CHECK_THROWS_WITH_AS(model.compile("categorical_crossentropyy", nn::optimizers::Adam()),
                       doctest::Contains("unknown loss \"categorical_crossentropyy\"; nnscratch knows: categorical_crossentropy, "
                                         "binary_crossentropy, mean_squared_error"),
                       nn::ValueError);
  CHECK_THROWS_WITH_AS(model.compile("sparse_categorical_crossentropy", nn::optimizers::Adam()),
                       doctest::Contains("to_categorical"), nn::ValueError);
  CHECK(model.loss().name() == "binary_crossentropy");  // a failed compile changes nothing
  CHECK_THROWS_WITH_AS(model.compile("mse", nn::optimizers::Adam(), {"f1"}), doctest::Contains("unknown metric"),
                       nn::ValueError);
  CHECK_THROWS_WITH_AS(L::Dense(3, "softmaxx"), doctest::Contains("linear relu sigmoid tanh softmax leaky_relu"),
                       nn::ValueError);
  CHECK_THROWS_WITH_AS(L::Activation("gelu"), doctest::Contains("unknown activation \"gelu\""), nn::ValueError);
  CHECK_THROWS_AS(L::Conv2D(4, 3, {.activation = "Relu"}), nn::ValueError);
}

TEST_CASE("bad fit options: epochs, verbose, validation_split, batch size") {
  nn::Sequential model({L::Input({3}), L::Dense(3)});
  model.compile("mse", nn::optimizers::SGD(0.01f));
  Tensor x({10, 3}), y({10, 3});
  CHECK_THROWS_WITH_AS(model.fit(x, y, {.batch_size = 2, .epochs = -1, .verbose = 0}), doctest::Contains("epochs must be >= 0"),
                       nn::ValueError);
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 2, .verbose = 3}), nn::ValueError);
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 2, .validation_split = 1.0f, .verbose = 0}), nn::ValueError);
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 2, .validation_split = -0.1f, .verbose = 0}), nn::ValueError);
  CHECK_THROWS_WITH_AS(model.fit(x, y, {.batch_size = -5, .verbose = 0}), doctest::Contains("batch_size must be >= 1"),
                       nn::ValueError);
  auto zero = std::make_shared<nn::BatchSizeScheduler>([](int, int) { return 0; });
  CHECK_THROWS_WITH_AS(model.fit(x, y, {.batch_size = 2, .verbose = 0, .callbacks = {zero}}),
                       doctest::Contains("a callback set batch_size 0"), nn::ValueError);
  CHECK(model.fit(x, y, {.batch_size = 10, .epochs = 0, .verbose = 0}).epochs() == 0);
}

TEST_CASE("a NaN loss stops fit with a message naming the epoch and batch") {
  Tensor x, y;
  argmax_problem(64, 10, x, y);
  for (float& v : x) v *= 1e30f;  // unscaled inputs: the loss overflows at once
  nn::set_seed(2);
  nn::Sequential model({L::Input({3}), L::Dense(8, "relu"), L::Dense(3)});
  model.compile(nn::losses::MeanSquaredError(), nn::optimizers::SGD(10.0f));
  const auto before = model.get_weights();
  auto h = model.fit(x, y, {.epochs = 5, .verbose = 0});
  CHECK(h.stop_reason.find("epoch 1, batch 1") != std::string::npos);
  CHECK(h.stop_reason.find("learning rate") != std::string::npos);
  CHECK(h.stop_reason.find("scaled") != std::string::npos);
  CHECK(h.epochs() == 0);
  // The bad batch was not applied: the weights are the initial ones, and no step counted.
  const auto after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i) CHECK(std::equal(before[i].begin(), before[i].end(), after[i].begin()));
  CHECK(model.optimizer().iterations() == 0);
  // train_on_batch refuses in the same way instead of returning a NaN and corrupting weights.
  Tensor xb = x.slice_rows(0, 4), yb = y.slice_rows(0, 4);
  CHECK_THROWS_WITH_AS(model.train_on_batch(xb, yb), doctest::Contains("the weights were not updated"),
                       nn::ValueError);
  CHECK(model.optimizer().iterations() == 0);
}

namespace {

// Passes its input through unchanged; on one chosen backward call it puts NaN into its
// parameter's gradient while the loss stays finite — a stand-in for a gradient that
// overflows somewhere inside a network.
class PoisonGradient : public nn::LayerBase<PoisonGradient> {
 public:
  explicit PoisonGradient(int poison_call) : LayerBase("poison_gradient"), poison_call_(poison_call) {}
  nn::Shape build(const nn::Shape& in) override {
    scale_ = {"scale", Tensor({1}, 1.0f), Tensor({1}), true};
    return in;
  }
  void forward(const Tensor& x, Tensor& y, bool) override {  // x: (N, K) -> y: (N, K)
    y.resize(x.shape());
    std::copy(x.begin(), x.end(), y.begin());
  }
  void backward(const Tensor& dy, Tensor& dx) override {  // dy: (N, K) -> dx: (N, K)
    if (++calls_ == poison_call_) scale_.grad[0] += std::nanf("");
    if (!input_gradient_needed()) return;
    dx.resize(dy.shape());
    std::copy(dy.begin(), dy.end(), dx.begin());
  }
  std::string type() const override { return "PoisonGradient"; }
  std::vector<nn::Param*> params() override { return {&scale_}; }

 private:
  int poison_call_, calls_ = 0;
  nn::Param scale_;
};

}  // namespace

TEST_CASE("a NaN gradient stops fit before the update; history, weights (moving statistics too) and the last checkpoint are the last good ones") {
  Tensor x, y;
  argmax_problem(40, 12, x, y);  // 5 batches of 8 an epoch
  nn::reset_layer_names();
  nn::set_seed(4);
  // The 7th backward pass (epoch 2, batch 2) produces a NaN gradient.
  // BatchNormalization updates its moving statistics in the forward pass, before the guard
  // sees the NaN: they must be put back too (get_weights includes them).
  nn::Sequential model({L::Input({3}), L::Dense(8, "relu"), L::BatchNormalization(), PoisonGradient(7),
                        L::Dense(3, "softmax")});
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.01f), {"accuracy"});
  const std::string ckpt =
      (std::filesystem::temp_directory_path() / ("nnscratch_nan_guard_" + std::to_string(::getpid()) + ".npz")).string();
  // After every good batch: a checkpoint, then a snapshot of the weights and of the file.
  struct Snapshot : nn::Callback {
    std::string path;
    std::vector<Tensor> weights;
    std::vector<uint8_t> file;
    explicit Snapshot(std::string p) : path(std::move(p)) {}
    void on_batch_end(int, const nn::Logs&, nn::Model& m) override {
      weights = m.get_weights();
      file = nn::read_file(path);
    }
  };
  auto snapshot = std::make_shared<Snapshot>(ckpt);
  auto checkpoint = std::make_shared<nn::ModelCheckpoint>(ckpt, nn::ModelCheckpointOptions{.save_freq = 1});
  const nn::History h = model.fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {checkpoint, snapshot}});
  INFO(h.stop_reason);
  CHECK(h.stop_reason.find("gradient of poison_gradient/scale became NaN or infinite") != std::string::npos);
  CHECK(h.stop_reason.find("at epoch 2, batch 2") != std::string::npos);
  CHECK(h.stop_reason.find("learning rate") != std::string::npos);
  CHECK(h.epochs() == 1);  // epoch 1 finished; epoch 2 did not
  CHECK(checkpoint->saves() == 6);
  CHECK(model.optimizer().iterations() == 6);
  const auto now = model.get_weights();
  REQUIRE(now.size() == snapshot->weights.size());
  for (size_t i = 0; i < now.size(); ++i)
    CHECK(std::equal(now[i].begin(), now[i].end(), snapshot->weights[i].begin()));
  CHECK(nn::read_file(ckpt) == snapshot->file);  // the last good checkpoint, untouched
  // The NaN was cleared with the other gradients: training can go on from here.
  for (nn::Param* p : model.params())
    for (float g : p->grad) REQUIRE(g == 0.0f);
  CHECK(std::isfinite(model.train_on_batch(x.slice_rows(0, 8), y.slice_rows(0, 8))));
  std::filesystem::remove(ckpt);
}

namespace {

// Passes its input through unchanged, except on one chosen training forward call: then it
// outputs NaN (`what` = "nan") or throws (`what` = "throw") — a forward pass that blows up.
class PoisonOutput : public nn::LayerBase<PoisonOutput> {
 public:
  PoisonOutput(int poison_call, std::string what)
      : LayerBase("poison_output"), poison_call_(poison_call), what_(std::move(what)) {}
  nn::Shape build(const nn::Shape& in) override { return in; }
  void forward(const Tensor& x, Tensor& y, bool training) override {  // x: (N, K) -> y: (N, K)
    y.resize(x.shape());
    std::copy(x.begin(), x.end(), y.begin());
    if (!training || ++calls_ != poison_call_) return;
    if (what_ == "throw") throw std::runtime_error("layer failed");
    std::fill(y.begin(), y.end(), std::nanf(""));
  }
  void backward(const Tensor& dy, Tensor& dx) override {  // dy: (N, K) -> dx: (N, K)
    dx.resize(dy.shape());
    std::copy(dy.begin(), dy.end(), dx.begin());
  }
  std::string type() const override { return "PoisonOutput"; }

 private:
  int poison_call_, calls_ = 0;
  std::string what_;
};

}  // namespace

TEST_CASE("a batch whose loss is NaN, or whose forward pass throws, leaves every weight and moving statistic") {
  for (const char* what : {"nan", "throw"}) {
    CAPTURE(what);
    nn::reset_layer_names();
    nn::set_seed(8);
    nn::Sequential model({L::Input({3}), L::Dense(4, "relu"), L::BatchNormalization(), PoisonOutput(2, what),
                          L::Dense(2, "softmax")});
    model.compile("categorical_crossentropy", nn::optimizers::Adam(0.01f));
    Tensor x({8, 3}), y({8, 2});
    nn::Rng rng(3);
    for (float& v : x) v = rng.normal();
    for (int i = 0; i < 8; ++i) y[2 * i + i % 2] = 1.0f;
    model.train_on_batch(x, y);
    const auto before = model.get_weights();
    if (std::string(what) == "nan")
      CHECK_THROWS_WITH_AS(model.train_on_batch(x, y), doctest::Contains("the loss became NaN"), nn::ValueError);
    else
      CHECK_THROWS_WITH(model.train_on_batch(x, y), "layer failed");
    const auto after = model.get_weights();
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) {
      CAPTURE(i);
      CHECK(std::equal(after[i].begin(), after[i].end(), before[i].begin()));
    }
    // The next batch trains normally and does move the moving statistics.
    model.train_on_batch(x, y);
    const Tensor& moving_mean = model.get_layer("batch_normalization").params()[2]->value;
    CHECK_FALSE(std::equal(moving_mean.begin(), moving_mean.end(), before[4].begin()));
  }
}

TEST_CASE("weights round-trip bit-exactly through .npz, and bad files leave the model untouched") {
  nn::reset_layer_names();
  nn::set_seed(5);
  nn::Sequential a({L::Input({6}), L::Dense(5, "relu"), L::Dense(3, "softmax")});
  const std::string path = "build/test_weights.npz";
  a.save_weights(path);
  nn::reset_layer_names();
  nn::set_seed(6);  // different initial weights
  nn::Sequential b({L::Input({6}), L::Dense(5, "relu"), L::Dense(3, "softmax")});
  b.load_weights(path);
  auto wa = a.get_weights(), wb = b.get_weights();
  for (size_t i = 0; i < wa.size(); ++i)
    for (size_t j = 0; j < wa[i].size(); ++j) REQUIRE(wa[i][j] == wb[i][j]);
  // The same weights give the same bytes.
  a.save_weights("build/test_weights_2.npz");
  CHECK(nn::read_file(path) == nn::read_file("build/test_weights_2.npz"));
  auto entries = nn::read_npz(path);
  CHECK(entries[0].name == "dense/kernel");
  CHECK(entries[0].value.shape() == nn::Shape{6, 5});
  CHECK(entries[3].name == "dense_1/bias");

  nn::reset_layer_names();
  nn::Sequential other({L::Input({6}), L::Dense(4, "relu"), L::Dense(3, "softmax")});
  const auto before = other.get_weights();
  CHECK_THROWS_WITH_AS(other.load_weights(path), doctest::Contains("\"dense/kernel\" has shape (6, 5)"), nn::IoError);
  const auto after = other.get_weights();
  for (size_t i = 0; i < before.size(); ++i)
    for (size_t j = 0; j < before[i].size(); ++j) REQUIRE(before[i][j] == after[i][j]);
  CHECK_THROWS_AS(other.load_weights("build/no_such_file.npz"), nn::IoError);
}

TEST_CASE("CSVLogger writes one complete row per epoch") {
  Tensor x, y;
  argmax_problem(64, 12, x, y);
  nn::Sequential model({L::Input({3}), L::Dense(3, "softmax")});
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.01f), {"accuracy"});
  const std::string path = "build/test_log.csv";
  auto h = model.fit(x, y, {.epochs = 3, .verbose = 0, .callbacks = {std::make_shared<nn::CSVLogger>(path)}});
  auto bytes = nn::read_file(path);
  const std::string text(bytes.begin(), bytes.end());
  CHECK(text.rfind("epoch,accuracy,loss\n0,", 0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == 4);
  CHECK(text.find("\n2,") != std::string::npos);
  char expected_loss[32];
  std::snprintf(expected_loss, sizeof expected_loss, ",%.6g\n", h["loss"][2]);
  CHECK(text.find(expected_loss) != std::string::npos);
  CHECK_THROWS_AS(model.fit(x, y, {.verbose = 0, .callbacks = {std::make_shared<nn::CSVLogger>("/proc/no_such_dir/x.csv")}}),
                  nn::IoError);
}

TEST_CASE("load_weights on a truncated or foreign file says so and changes nothing") {
  nn::reset_layer_names();
  nn::set_seed(8);
  nn::Sequential model({L::Input({4}), L::Dense(3, "softmax")});
  model.save_weights("build/test_weights_full.npz");
  auto bytes = nn::read_file("build/test_weights_full.npz");
  bytes.resize(bytes.size() / 2);
  nn::write_file_atomic("build/test_weights_half.npz", bytes.data(), bytes.size());
  const auto before = model.get_weights();
  CHECK_THROWS_AS(model.load_weights("build/test_weights_half.npz"), nn::IoError);
  const std::string text = "this is not a zip file";
  nn::write_file_atomic("build/test_weights_text.npz", text.data(), text.size());
  CHECK_THROWS_AS(model.load_weights("build/test_weights_text.npz"), nn::IoError);
  const auto after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i)
    for (size_t j = 0; j < before[i].size(); ++j) REQUIRE(before[i][j] == after[i][j]);
  // A file saved by a model whose layers have other names: every name is listed.
  nn::reset_layer_names();
  nn::Sequential renamed({L::Input({4}), L::Dense(3, "softmax")});
  renamed.layers()[1]->set_name("classifier");
  CHECK_THROWS_WITH_AS(renamed.load_weights("build/test_weights_full.npz"),
                       doctest::Contains("missing \"classifier/kernel\""), nn::IoError);
}

TEST_CASE("dx only where it is needed: no layer without weights below it computes dx, weight gradients unchanged") {
  namespace L = nn::layers;
  for (bool with_dropout : {false, true}) {
    CAPTURE(with_dropout);
    nn::reset_layer_names();
    nn::set_seed(4);
    nn::Node input = L::Input({4, 4, 2});
    nn::Node h = L::Flatten()(input);
    if (with_dropout) h = L::Dropout(0.0f)(h);  // rate 0: the same numbers either way
    nn::Node first = L::Dense(6, "relu")(h);
    nn::Model model(input, L::Dense(3, "softmax")(first));
    model.compile("categorical_crossentropy", nn::optimizers::SGD(0.1f));
    const auto& layers = model.layers();
    const size_t dense_at = with_dropout ? 3 : 2;
    for (size_t i = 1; i <= dense_at; ++i) CHECK_FALSE(layers[i]->input_gradient_needed());
    CHECK(layers[dense_at + 1]->input_gradient_needed());  // the second Dense feeds the first

    nn::Rng rng(2);
    nn::Tensor x({5, 4, 4, 2}), y({5, 3});
    for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
    for (int i = 0; i < 5; ++i) y[i * 3 + i % 3] = 1.0f;
    auto gradients = [&] {
      for (nn::Param* p : model.params()) p->grad.fill(0.0f);
      model.forward(x, true);
      model.backward(y);
      std::vector<nn::Tensor> g;
      for (nn::Param* p : model.params()) g.push_back(p->grad);
      return g;
    };
    const auto skipped = gradients();
    for (size_t i = 1; i < layers.size(); ++i) layers[i]->set_input_gradient_needed(true);  // every dx, as before
    const auto everything = gradients();
    REQUIRE(skipped.size() == everything.size());
    for (size_t i = 0; i < skipped.size(); ++i) {
      CAPTURE(i);
      for (size_t j = 0; j < skipped[i].size(); ++j) REQUIRE(skipped[i][j] == everything[i][j]);
    }
  }
}
