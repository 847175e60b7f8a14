// Whole-model files (src/model/model_file.h): model.save -> nn::load_model gives back a model
// that predicts bit-identically and trains on, for the chapter's MLP and CNN, a pooling CNN,
// Sequential models and the exercises' custom layers; with include_optimizer, training
// continues exactly as it would have. Every damaged or inconsistent file is a clear
// nn::IoError naming the file and the problem.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include "../tutorials/exercises/solutions/1_elu.h"
#include "../tutorials/exercises/solutions/3_rmsprop.h"
#include "../tutorials/exercises/solutions/4_prelu.h"
#include "chapter_models.h"
#include "data_fixtures.h"
#include "nn.h"
#include "test_util.h"

namespace fs = std::filesystem;
namespace L = nn::layers;
using nn::Node;
using nn::Tensor;

namespace {

using nn_test::same_bits;

void require_same_weights(nn::Model& a, nn::Model& b) {
  const std::vector<Tensor> wa = a.get_weights(), wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (size_t i = 0; i < wa.size(); ++i) {
    INFO("weight tensor ", i);
    REQUIRE(same_bits(wa[i], wb[i]));
  }
}

// Train a few steps so every weight, BatchNormalization's moving statistics and Dropout's
// generator have moved away from their starting values.
void train_steps(nn::Model& model, int steps, const nn::Shape& sample, uint64_t seed) {
  for (int s = 0; s < steps; ++s) {
    Tensor x, y;
    chapter::random_data(8, sample, model.output_shape()[0], seed + s, x, y);
    model.train_on_batch(x, y);
  }
}

// The file's config.json, as text.
std::string config_text(const std::string& path) {
  const std::string text = nn_test::zip_entry_text(path, "config.json");
  if (text.empty()) FAIL("no config.json in " << path);
  return text;
}

// Writes a copy of the model file `from` to `to`, with `edit` applied to its list of files.
void rewrite(const std::string& from, const std::string& to, const std::function<void(std::vector<nn::ZipEntry>&)>& edit) {
  const std::vector<uint8_t> bytes = nn::read_file(from);
  std::vector<nn::ZipEntry> files = nn::decode_zip(bytes.data(), bytes.size());
  edit(files);
  nn_test::write_file(to, nn::encode_zip(files));  // plain write: no fsync for each of the many copies
}

// The same, with `old_text` replaced by `new_text` (once, and it must be there) in config.json.
void rewrite_config(const std::string& from, const std::string& to, const std::string& old_text,
                    const std::string& new_text) {
  rewrite(from, to, [&](std::vector<nn::ZipEntry>& files) {
    for (nn::ZipEntry& f : files) {
      if (f.name != "config.json") continue;
      std::string text(f.data.begin(), f.data.end());
      const size_t at = text.find(old_text);
      REQUIRE_MESSAGE(at != std::string::npos, "config.json has no \"" << old_text << "\":\n" << text);
      text.replace(at, old_text.size(), new_text);
      f.data.assign(text.begin(), text.end());
    }
  });
}

// load_model's error message for `path`; fails the test unless it is an nn::IoError.
std::string load_error(const std::string& path) {
  try {
    nn::load_model(path);
  } catch (const nn::IoError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("load_model threw something other than nn::IoError: " << e.what());
  }
  FAIL("load_model accepted " << path);
  return "";
}

bool same_state(const nn::RngState& a, const nn::RngState& b) {
  return std::memcmp(a.words, b.words, sizeof a.words) == 0 && a.has_spare_normal == b.has_spare_normal &&
         (!a.has_spare_normal || a.spare_normal == b.spare_normal);
}

// save -> load_model -> the same predictions (bit for bit), weights, summary, name and kind.
std::unique_ptr<nn::Model> round_trip(nn::Model& model, const std::string& path, const Tensor& x) {
  model.save(path);
  std::unique_ptr<nn::Model> back = nn::load_model(path);
  REQUIRE(back);
  CHECK(back->name() == model.name());
  CHECK(back->summary_string() == model.summary_string());
  CHECK((dynamic_cast<nn::Sequential*>(back.get()) != nullptr) == (dynamic_cast<nn::Sequential*>(&model) != nullptr));
  require_same_weights(model, *back);
  CHECK(same_bits(back->predict(x), model.predict(x)));
  CHECK_FALSE(back->compiled());  // saved without include_optimizer
  return back;
}

// A layer that does not say how to rebuild it (no get_config).
class Doubler : public nn::LayerBase<Doubler> {
 public:
  Doubler() : LayerBase("doubler") {}
  std::string type() const override { return "Doubler"; }
  nn::Shape build(const nn::Shape& in) override { return in; }
  void forward(const Tensor& x, Tensor& y, bool) override {  // x: (N, ...) -> y: same shape
    y.resize(x.shape());
    for (size_t i = 0; i < x.size(); ++i) y[i] = 2 * x[i];
  }
  void backward(const Tensor& dy, Tensor& dx) override {  // dy: (N, ...) -> dx: same shape
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] = 2 * dy[i];
  }
};

// A layer that can be saved but is never registered.
class Halver : public nn::LayerBase<Halver> {
 public:
  Halver() : LayerBase("halver") {}
  std::string type() const override { return "Halver"; }
  nn::Config get_config() const override { return nn::Config(); }
  nn::Shape build(const nn::Shape& in) override { return in; }
  void forward(const Tensor& x, Tensor& y, bool) override {  // x: (N, ...) -> y: same shape
    y.resize(x.shape());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] / 2;
  }
  void backward(const Tensor& dy, Tensor& dx) override {  // dy: (N, ...) -> dx: same shape
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] = dy[i] / 2;
  }
};

// The smallest model worth damaging: input_1 -> dense (3, relu) -> dense_1 (2, softmax).
nn::Model tiny_model() {
  nn::reset_layer_names();
  nn::set_seed(11);
  Node input = L::Input({4});
  Node x = L::Dense(3, "relu")(input);
  Node output = L::Dense(2, "softmax")(x);
  return nn::Model(input, output);
}

}  // namespace

TEST_CASE("model file: the chapter's MLP round trip predicts bit-identically") {
  nn_test::TempDir tmp("model_file");
  nn::reset_layer_names();
  nn::set_seed(1);
  nn::Model model = chapter::mlp();
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  train_steps(model, 2, {32, 32, 3}, 100);
  Tensor x, y;
  chapter::random_data(5, {32, 32, 3}, 10, 9, x, y);
  round_trip(model, (tmp.path / "mlp.nnz").string(), x);
}

TEST_CASE("model file: the chapter's CNN (BatchNormalization, Dropout, LeakyReLU) round trip") {
  nn_test::TempDir tmp("model_file");
  nn::reset_layer_names();
  nn::set_seed(2);
  nn::Model model = chapter::cnn();  // 592,554 parameters on (32, 32, 3)
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  train_steps(model, 2, {32, 32, 3}, 200);  // moves BN's moving statistics away from 0 and 1
  Tensor x, y;
  chapter::random_data(5, {32, 32, 3}, 10, 8, x, y);
  const std::string path = (tmp.path / "cnn.nnz").string();
  round_trip(model, path, x);

  // config.json is readable: one layer per block, each layer's arguments on one line.
  const std::string json = config_text(path);
  CHECK(json.rfind("{\n  \"format_version\": 1,\n  \"class_name\": \"Functional\",\n", 0) == 0);
  CHECK(json.find("\"config\": {\"filters\": 32, \"kernel_size\": 3, \"strides\": 1, \"padding\": \"same\", "
                  "\"activation\": \"linear\"}") != std::string::npos);
  CHECK(json.find("\"config\": {\"momentum\": 0.99, \"epsilon\": 0.001}") != std::string::npos);
  CHECK(json.find("\"config\": {\"rate\": 0.5}") != std::string::npos);
  CHECK(json.find("\"inbound_nodes\": [[[\"input_1\", 0, 0]]]") != std::string::npos);
  CHECK(json.find("\"output_layers\": [[\"activation\", 0, 0]]") != std::string::npos);
}

TEST_CASE("model file: a CNN with MaxPooling2D round trip, and the file's bytes are reproducible") {
  nn_test::TempDir tmp("model_file");
  nn::reset_layer_names();
  nn::set_seed(3);
  nn::Model model = chapter::pooling_cnn();
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::SGD(0.05f, 0.9f), {});
  train_steps(model, 3, {16, 16, 3}, 300);
  Tensor x, y;
  chapter::random_data(7, {16, 16, 3}, 10, 7, x, y);
  const std::string a = (tmp.path / "a.nnz").string(), b = (tmp.path / "b.nnz").string();
  round_trip(model, a, x);
  CHECK(config_text(a).find("\"config\": {\"pool_size\": 2, \"strides\": 2, \"padding\": \"valid\"}") != std::string::npos);
  model.save(b);
  CHECK(nn::read_file(a) == nn::read_file(b));
  const std::vector<uint8_t> bytes = nn::read_file(a);
  CHECK(nn::decode_zip(bytes.data(), bytes.size()).front().name == "config.json");  // first, as Keras's .keras
  CHECK_FALSE(fs::exists(a + ".tmp"));
}

TEST_CASE("model file: Sequential models, built from an Input or from the first data") {
  nn_test::TempDir tmp("model_file");
  nn::reset_layer_names();
  nn::set_seed(4);
  Tensor x, y;
  chapter::random_data(6, {8, 8, 3}, 10, 6, x, y);
  nn::Sequential with_input({L::Input({8, 8, 3}), L::Flatten(), L::Dense(16, "tanh"), L::Dense(10, "softmax")});
  auto back = round_trip(with_input, (tmp.path / "seq.nnz").string(), x);
  CHECK(back->name() == "sequential");

  nn::Sequential lazy({L::Conv2D(4, 3, {.activation = "relu"}), L::MaxPooling2D(2, 1, "same"), L::Flatten(),
                       L::Dense(10, "sigmoid")});
  CHECK_THROWS_WITH_AS(lazy.save((tmp.path / "lazy.nnz").string()), doctest::Contains("not built yet"), nn::Error);
  lazy.predict(x);  // builds it from x's shape
  round_trip(lazy, (tmp.path / "lazy.nnz").string(), x);
}

TEST_CASE("model file: a loaded model compiles and trains; load_weights and NumPy read its weights") {
  nn_test::TempDir tmp("model_file");
  const std::string path = (tmp.path / "mlp.nnz").string();
  nn::reset_layer_names();
  nn::set_seed(5);
  nn::Model model = chapter::mlp({8, 8, 3});
  model.save(path);

  std::unique_ptr<nn::Model> back = nn::load_model(path);
  back->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.001f), {"accuracy"});
  Tensor x, y;
  chapter::random_data(64, {8, 8, 3}, 10, 5, x, y);
  const float before = back->evaluate(x, y, 32, 0)[0];
  back->fit(x, y, {.batch_size = 16, .epochs = 5, .verbose = 0});
  CHECK(back->evaluate(x, y, 32, 0)[0] < before);

  // The weights entries are exactly save_weights's, so load_weights reads a model file.
  const std::string weights = (tmp.path / "w.npz").string();
  model.save_weights(weights);
  const std::vector<nn::NamedArray> from_model_file = nn::read_npz(path), from_weights = nn::read_npz(weights);
  REQUIRE(from_model_file.size() == from_weights.size());
  for (size_t i = 0; i < from_weights.size(); ++i) {
    CHECK(from_model_file[i].name == from_weights[i].name);
    CHECK(same_bits(from_model_file[i].value.float32(), from_weights[i].value.float32()));
  }
  nn::reset_layer_names();
  nn::set_seed(99);
  nn::Model rebuilt = chapter::mlp({8, 8, 3});
  rebuilt.load_weights(path);
  require_same_weights(rebuilt, model);

  // Debian's python3-numpy, if installed: numpy.load lists the weights and config.json.
  const std::string python = "/usr/bin/python3";
  if (!fs::exists(python) || std::system((python + " -c 'import numpy' >/dev/null 2>&1").c_str()) != 0) {
    MESSAGE("numpy part skipped: " << python << " with numpy is not installed");
    return;
  }
  const std::string script = (tmp.path / "check.py").string();
  nn::write_file_atomic(script, std::string(R"(import json, sys, numpy as np
z = np.load(sys.argv[1])
assert sorted(z.files) == sorted(['config.json', 'dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias',
                                  'dense_2/kernel', 'dense_2/bias']), z.files
assert z['dense/kernel'].shape == (192, 200) and z['dense/kernel'].dtype == np.float32
config = json.loads(z['config.json'])
assert [l['class_name'] for l in config['config']['layers']] == ['InputLayer', 'Flatten', 'Dense', 'Dense', 'Dense']
assert config['config']['layers'][2]['config'] == {'units': 200, 'activation': 'relu'}
)"));
  CHECK(std::system((python + " " + script + " " + path).c_str()) == 0);
}

TEST_CASE("model file: include_optimizer continues training exactly as the uninterrupted run") {
  nn_test::TempDir tmp("model_file");
  const std::string path = (tmp.path / "cnn.nnz").string();
  const nn::Shape sample{8, 8, 3};
  nn::reset_layer_names();
  nn::set_seed(6);
  nn::Model model = chapter::cnn(sample);  // BatchNormalization and Dropout: state beyond the weights
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.002f, 0.8f, 0.95f, 1e-6f),
                {"accuracy"});
  train_steps(model, 3, sample, 600);
  model.save(path, {.include_optimizer = true});

  std::unique_ptr<nn::Model> back = nn::load_model(path);
  REQUIRE(back->compiled());
  CHECK(back->optimizer().name() == "Adam");
  CHECK(back->optimizer().iterations() == 3);
  CHECK(back->loss().name() == "categorical_crossentropy");
  CHECK(back->metrics() == std::vector<std::string>{"accuracy"});
  auto& adam = dynamic_cast<nn::optimizers::Adam&>(back->optimizer());
  CHECK(adam.learning_rate == 0.002f);
  CHECK(adam.beta_1 == 0.8f);
  CHECK(adam.beta_2 == 0.95f);
  CHECK(adam.epsilon == 1e-6f);

  // Both go on for three more steps on the same batches: the same losses, the same weights.
  for (int s = 3; s < 6; ++s) {
    Tensor x, y;
    chapter::random_data(8, sample, 10, 600 + s, x, y);
    const float want = model.train_on_batch(x, y), got = back->train_on_batch(x, y);
    CHECK(std::memcmp(&want, &got, sizeof want) == 0);
  }
  require_same_weights(model, *back);

  // SGD with momentum keeps its velocity too.
  nn::reset_layer_names();
  nn::set_seed(7);
  nn::Model mlp = chapter::mlp(sample);
  mlp.compile("categorical_crossentropy", nn::optimizers::SGD(0.05f, 0.9f), {});
  train_steps(mlp, 2, sample, 700);
  mlp.save(path, {.include_optimizer = true});
  std::unique_ptr<nn::Model> mlp_back = nn::load_model(path);
  train_steps(mlp, 2, sample, 710);
  train_steps(*mlp_back, 2, sample, 710);
  require_same_weights(mlp, *mlp_back);

  // Saved before any step, the optimizer's (zero) state still restores.
  nn::Model fresh = chapter::mlp(sample);
  fresh.compile("mse", nn::optimizers::Adam(), {});
  fresh.save(path, {.include_optimizer = true});
  CHECK(nn::load_model(path)->optimizer().iterations() == 0);
}

TEST_CASE("model file: custom layers load once registered (the exercises' ELU and PReLU)") {
  nn_test::TempDir tmp("model_file");
  nn::register_layer<ELU>("ELU");
  nn::register_layer<PReLU>("PReLU");
  nn::register_layer<ELU>("ELU");  // again: nothing happens
  CHECK(nn::is_layer_registered("PReLU"));
  CHECK_THROWS_AS(nn::register_layer<ELU>("Dense"), nn::ValueError);  // taken by another class

  nn::reset_layer_names();
  nn::set_seed(8);
  nn::Sequential seq({L::Input({6}), L::Dense(8), ELU(0.5f), L::Dense(8), PReLU(), L::Dense(3, "softmax")});
  seq.compile("categorical_crossentropy", nn::optimizers::Adam(0.01f), {});
  train_steps(seq, 3, {6}, 800);  // PReLU's slopes move away from 0
  Tensor x, y;
  chapter::random_data(9, {6}, 3, 80, x, y);
  for (float& v : x) v = 4.0f * v - 2.0f;  // negative inputs too, where ELU and PReLU differ from relu
  const std::string path = (tmp.path / "custom.nnz").string();
  round_trip(seq, path, x);
  CHECK(config_text(path).find("\"class_name\": \"ELU\",\n        \"name\": \"elu\",\n        \"config\": "
                               "{\"alpha\": 0.5}") != std::string::npos);

  Node input = L::Input({6});
  Node h = ELU(0.7f)(L::Dense(5)(input));
  Node output = L::Dense(2, "softmax")(PReLU()(h));
  nn::Model functional(input, output);
  round_trip(functional, path, x);
}

TEST_CASE("model file: a layer without get_config cannot be saved; an unregistered one cannot be loaded") {
  nn_test::TempDir tmp("model_file");
  const std::string path = (tmp.path / "m.nnz").string();
  nn::Sequential doubling({L::Input({3}), Doubler(), L::Dense(2)});
  CHECK_THROWS_WITH_AS(doubling.save(path), doctest::Contains("nn::Config get_config() const override"), nn::Error);
  CHECK_THROWS_WITH_AS(doubling.save(path), doctest::Contains("\"doubler\" (Doubler)"), nn::Error);
  CHECK_FALSE(fs::exists(path));

  nn::Sequential halving({L::Input({3}), Halver(), L::Dense(2)});
  halving.save(path);
  const std::string error = load_error(path);
  CHECK(error.find("unknown layer class \"Halver\"") != std::string::npos);
  CHECK(error.find("nn::register_layer<Halver>(\"Halver\")") != std::string::npos);
  CHECK(error.find(path) != std::string::npos);

  // Registered under a name that is not its type(): the loaded layer would not match the file.
  nn::register_layer<Halver>("HalfLayer");
  const std::string renamed = (tmp.path / "renamed.nnz").string();
  rewrite_config(path, renamed, "\"Halver\"", "\"HalfLayer\"");
  CHECK(load_error(renamed).find("register each class under the name its type() returns") != std::string::npos);
}

TEST_CASE("model file: what save refuses") {
  nn_test::TempDir tmp("model_file");
  const std::string path = (tmp.path / "m.nnz").string();
  nn::Model model = tiny_model();
  CHECK_THROWS_WITH_AS(model.save(path, {.include_optimizer = true}), doctest::Contains("compile"), nn::Error);
  model.compile("mse", RMSprop(), {});
  CHECK_THROWS_WITH_AS(model.save(path, {.include_optimizer = true}), doctest::Contains("\"RMSprop\" is not one of"),
                       nn::Error);
  CHECK_FALSE(fs::exists(path));
  model.save(path);  // without the optimizer it saves
  const auto before = nn::read_file(path);
  CHECK_THROWS_AS(model.save(path, {.include_optimizer = true}), nn::Error);  // a failed save keeps the old file
  CHECK(nn::read_file(path) == before);
}

TEST_CASE("model file: damaged or inconsistent files are clear nn::IoErrors, and change nothing") {
  nn_test::TempDir tmp("model_file");
  const std::string good = (tmp.path / "good.nnz").string(), bad = (tmp.path / "bad.nnz").string();
  nn::Model model = tiny_model();
  model.save(good);
  model.compile("categorical_crossentropy", nn::optimizers::Adam(), {"accuracy"});
  train_steps(model, 1, {4}, 900);
  const std::string with_optimizer = (tmp.path / "with_optimizer.nnz").string();
  model.save(with_optimizer, {.include_optimizer = true});
  const nn::RngState rng_before = nn::global_rng().state();

  struct Edit {
    std::string old_text, new_text, expect;
  };
  const Edit edits[] = {
      {"\"class_name\": \"Dense\"", "\"class_name\": \"Dense3D\"", "unknown layer class \"Dense3D\""},
      {"\"units\": 3,", "\"units\": 3, \"use_bias\": true,", "\"use_bias\" is not an argument of Dense"},
      {"\"units\": 3", "\"unit\": 3", "no key \"units\""},
      {"\"units\": 3", "\"units\": \"three\"", "should be a whole number"},
      {"\"units\": 3", "\"units\": 3.5", "should be a whole number"},
      {"\"units\": 3", "\"units\": -3", "units must be >= 1"},
      {"\"units\": 3", "\"units\": 4", "has shape"},
      {"\"units\": 3", "\"units\": 99999999999", "does not fit an int"},
      {"\"activation\": \"relu\"", "\"activation\": \"swish\"", "unknown activation \"swish\""},
      {"\"activation\": \"relu\"", "\"activation\": null", "is null"},
      {"\"format_version\": 1", "\"format_version\": 2", "format_version 2"},
      {"\"Functional\"", "\"Subclassed\"", "\"Subclassed\" is not one nnscratch knows"},
      {"\"name\": \"dense_1\"", "\"name\": \"dense\"", "two layers are named \"dense\""},
      {"[[[\"dense\", 0, 0]]]", "[[[\"dence\", 0, 0]]]", "\"dence\" is not a layer listed before it"},
      {"[[[\"dense\", 0, 0]]]", "[[[\"dense\", 1, 0]]]", "names call 1 of \"dense\""},
      {"[[[\"dense\", 0, 0]]]", "[[[\"dense\", 0]]]", "[layer name, node index, tensor index]"},
      {"[[[\"dense\", 0, 0]]]", "[[[\"dense\", 0, 0]], [[\"dense\", 0, 0]]]", "builds chains"},
      {"[[[\"dense\", 0, 0]]]", "[]", "connected to nothing"},
      {"\"output_layers\": [[\"dense_1\", 0, 0]]", "\"output_layers\": [[\"dense\", 0, 0]]", "not on the way"},
      {"\"input_layers\": [[\"input_1\", 0, 0]]", "\"input_layers\": [[\"dense\", 0, 0]]", "is not an InputLayer"},
      {"\"config\": {\"units\": 3, \"activation\": \"relu\"},", "", "the key \"config\" is missing"},
      {"\"format_version\": 1,", "\"format_version\": 1, \"keras_version\": \"2.11\",", "unknown key \"keras_version\""},
      {"\"shape\": [4]", "\"shape\": [0]", "no zero sizes"},
      {"\"shape\": [4]", "\"shape\": [4, \"x\"]", "holding a string"},
      {"{\n  \"format_version\"", "[\n  \"format_version\"", "not valid JSON"},
  };
  for (const Edit& e : edits) {
    CAPTURE(e.new_text);
    rewrite_config(good, bad, e.old_text, e.new_text);
    const std::string error = load_error(bad);
    CHECK_MESSAGE(error.find(e.expect) != std::string::npos, error);
    CHECK(error.find(bad) != std::string::npos);
  }

  auto check_error = [&](const std::function<void(std::vector<nn::ZipEntry>&)>& edit, const std::string& expect,
                         const std::string& from) {
    CAPTURE(expect);
    rewrite(from, bad, edit);
    const std::string error = load_error(bad);
    CHECK_MESSAGE(error.find(expect) != std::string::npos, error);
  };
  auto drop = [](const std::string& prefix) {
    return [prefix](std::vector<nn::ZipEntry>& files) {
      std::erase_if(files, [&](const nn::ZipEntry& f) { return f.name.rfind(prefix, 0) == 0; });
    };
  };
  auto set_config = [](const std::string& text) {
    return [text](std::vector<nn::ZipEntry>& files) {
      for (nn::ZipEntry& f : files)
        if (f.name == "config.json") f.data.assign(text.begin(), text.end());
    };
  };
  const std::string json = config_text(good);
  check_error(drop("config.json"), "has no config.json", good);
  check_error(set_config(json.substr(0, json.size() / 2)), "not valid JSON", good);  // a truncated config
  check_error(set_config(""), "not valid JSON", good);
  check_error(set_config("\xff\xfe garbage"), "not valid JSON", good);
  check_error(drop("dense/bias.npy"), "missing \"dense/bias\"", good);
  check_error([](std::vector<nn::ZipEntry>& files) { files.push_back(nn::npy_file({"extra/kernel", Tensor({2})})); },
              "\"extra/kernel\" in the file matches no layer", good);
  check_error(
      [](std::vector<nn::ZipEntry>& files) {
        for (nn::ZipEntry& f : files)
          if (f.name == "dense/kernel.npy") f = nn::npy_file({"dense/kernel", Tensor({3, 4})});
      },
      "\"dense/kernel\" has shape (3, 4), the model needs (4, 3)", good);
  // The optimizer state without the training_config that says how to compile, and back.
  check_error(drop("checkpoint/"), "holds no optimizer state", with_optimizer);
  check_error(
      [&](std::vector<nn::ZipEntry>& files) {
        const std::vector<uint8_t> bytes = nn::read_file(good);
        for (const nn::ZipEntry& f : nn::decode_zip(bytes.data(), bytes.size()))
          if (f.name == "config.json")
            for (nn::ZipEntry& g : files)
              if (g.name == "config.json") g.data = f.data;
      },
      "is not part of a model file saved without include_optimizer", with_optimizer);
  check_error(
      [](std::vector<nn::ZipEntry>& files) {
        for (nn::ZipEntry& f : files)
          if (f.name == "checkpoint/optimizer/m_0.npy") f = nn::npy_file({"checkpoint/optimizer/m_0", Tensor({5})});
      },
      "\"checkpoint/optimizer/m_0\" holds 5 numbers, expected 12", with_optimizer);
  rewrite_config(with_optimizer, bad, "\"class_name\": \"Adam\"", "\"class_name\": \"RMSprop\"");
  CHECK(load_error(bad).find("unknown optimizer class \"RMSprop\"") != std::string::npos);
  rewrite_config(with_optimizer, bad, "\"loss\": \"categorical_crossentropy\"", "\"loss\": \"huber\"");
  CHECK(load_error(bad).find("unknown loss \"huber\"") != std::string::npos);
  rewrite_config(with_optimizer, bad, "\"beta_1\": 0.9", "\"beta_1\": 1.5");
  CHECK(load_error(bad).find("Adam betas must be in [0, 1)") != std::string::npos);

  // Not there, not a zip, truncated anywhere, or any byte changed: an IoError, never a crash;
  // a change the zip's checks cannot see (in a field nothing reads) loads the same model.
  CHECK(load_error((tmp.path / "missing.nnz").string()).find("missing.nnz") != std::string::npos);
  nn::write_file_atomic(bad, std::string("PK\x03\x04 this is not really a zip archive"));
  CHECK(load_error(bad).find("end-of-central-directory") != std::string::npos);
  const std::vector<uint8_t> bytes = nn::read_file(good);
  for (size_t n = 0; n < bytes.size(); n += nn_test::quick() ? 37 : 5) {
    CAPTURE(n);
    nn_test::write_file(bad, std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
    load_error(bad);
  }
  const std::unique_ptr<nn::Model> reference = nn::load_model(good);
  nn::Rng rng(12);
  for (int trial = 0; trial < (nn_test::quick() ? 40 : 300); ++trial) {
    std::vector<uint8_t> damaged = bytes;
    damaged[rng.below(damaged.size())] ^= static_cast<uint8_t>(1 + rng.below(255));
    nn_test::write_file(bad, damaged);
    std::unique_ptr<nn::Model> back;
    try {
      back = nn::load_model(bad);
    } catch (const nn::IoError&) {
      continue;
    }
    require_same_weights(*back, *reference);
    CHECK(back->summary_string() == reference->summary_string());
  }
  // Loading, failed or not, leaves the global generator as it was.
  nn::load_model(good);
  CHECK(same_state(nn::global_rng().state(), rng_before));
}
