// Writes a few valid files in the official formats as the fuzzers' starting inputs
// (libFuzzer mutates them; starting from valid files reaches the deep checks quickly).
//   make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR NPZ_CORPUS_DIR MODEL_CONFIG_CORPUS_DIR
#include <cstdio>

#include "data_fixtures.h"
#include "model/model_config.h"
#include "model/npy.h"
#include "model/npz.h"

namespace {

// config.json of a small functional CNN (every built-in layer class) and of a Sequential
// MLP saved with include_optimizer, written as model.save writes them.
std::string functional_config() {
  nn::ModelConfig m{.class_name = "Functional", .name = "model", .layers = {}};
  auto add = [&](std::string cls, std::string name, nn::Config config, std::string input) {
    nn::LayerConfig l{.class_name = std::move(cls), .name = name, .config = std::move(config)};
    if (!input.empty()) l.inbound_nodes = {{nn::InboundTensor{input, 0, 0}}};
    m.layers.push_back(std::move(l));
    return name;
  };
  std::string x = add("InputLayer", "input_1", nn::Config().set("shape", nn::Shape{8, 8, 3}), "");
  x = add("Conv2D", "conv2d", nn::Config().set("filters", 4).set("kernel_size", 3).set("strides", 1).set("padding", "same")
                              .set("activation", "relu"), x);
  x = add("BatchNormalization", "batch_normalization", nn::Config().set("momentum", 0.99f).set("epsilon", 1e-3f), x);
  x = add("LeakyReLU", "leaky_re_lu", nn::Config().set("alpha", 0.3f), x);
  x = add("MaxPooling2D", "max_pooling2d", nn::Config().set("pool_size", 2).set("strides", 2).set("padding", "valid"), x);
  x = add("UpSampling2D", "up_sampling2d", nn::Config().set("size", nn::Shape{2, 2}), x);
  x = add("Conv2DTranspose", "conv2d_transpose",
          nn::Config().set("filters", 2).set("kernel_size", 3).set("strides", 2).set("padding", "same")
              .set("activation", "relu").set("use_bias", true), x);
  x = add("Reshape", "reshape", nn::Config().set("target_shape", nn::Shape{-1, 8}), x);
  x = add("Flatten", "flatten", nn::Config(), x);
  x = add("Dropout", "dropout", nn::Config().set("rate", 0.5f), x);
  x = add("Dense", "dense", nn::Config().set("units", 10).set("activation", "linear"), x);
  x = add("Activation", "activation", nn::Config().set("activation", "softmax"), x);
  m.input_layers = {{"input_1", 0, 0}};
  m.output_layers = {{x, 0, 0}};
  return nn::model_config_to_json(m);
}

// A graph with a nested model (Keras's layout: the layer's config is the inner model's), a
// layer called twice, Add and Concatenate; the nested model's first call is node 1.
std::string nested_config() {
  nn::ModelConfig inner{.class_name = "Functional", .name = "inner", .layers = {}};
  inner.layers.push_back({.class_name = "InputLayer", .name = "input_2", .config = nn::Config().set("shape", nn::Shape{4})});
  inner.layers.push_back({.class_name = "Dense", .name = "dense", .config = nn::Config().set("units", 4).set("activation", "tanh"),
                          .inbound_nodes = {{{"input_2", 0, 0}}, {{"dense", 0, 0}}}});
  inner.layers.push_back({.class_name = "Add", .name = "add", .config = nn::Config(),
                          .inbound_nodes = {{{"dense", 0, 0}, {"dense", 1, 0}}}});
  inner.input_layers = {{"input_2", 0, 0}};
  inner.output_layers = {{"add", 0, 0}};
  nn::ModelConfig m{.class_name = "Functional", .name = "model", .layers = {}};
  m.layers.push_back({.class_name = "InputLayer", .name = "input_1", .config = nn::Config().set("shape", nn::Shape{4})});
  m.layers.push_back({.class_name = "Functional", .name = "inner", .config = nn::Config(),
                      .inbound_nodes = {{{"input_1", 0, 0}}}, .model = inner});
  m.layers.push_back({.class_name = "Dense", .name = "dense_1", .config = nn::Config().set("units", 4).set("activation", "linear"),
                      .inbound_nodes = {{{"input_1", 0, 0}}}});
  m.layers.push_back({.class_name = "Concatenate", .name = "concatenate", .config = nn::Config().set("axis", -1),
                      .inbound_nodes = {{{"inner", 1, 0}, {"dense_1", 0, 0}}}});
  m.input_layers = {{"input_1", 0, 0}};
  m.output_layers = {{"concatenate", 0, 0}};
  return nn::model_config_to_json(m);
}

std::string sequential_config() {
  nn::ModelConfig m{.class_name = "Sequential", .name = "sequential", .layers = {}};
  m.layers.push_back({.class_name = "InputLayer", .name = "input_1", .config = nn::Config().set("shape", nn::Shape{784})});
  m.layers.push_back({.class_name = "Dense", .name = "dense", .config = nn::Config().set("units", 200).set("activation", "relu")});
  m.layers.push_back({.class_name = "PReLU", .name = "p_re_lu", .config = nn::Config()});
  m.layers.push_back({.class_name = "ELU", .name = "elu", .config = nn::Config().set("alpha", 1.0f)});
  m.training_config = nn::TrainingConfig{.loss = "categorical_crossentropy", .metrics = {"accuracy"}, .optimizer = "Adam",
                                         .optimizer_config = nn::Config().set("learning_rate", 5e-4f).set("beta_1", 0.9f)
                                                                 .set("beta_2", 0.999f).set("epsilon", 1e-7f)};
  return nn::model_config_to_json(m);
}

nn_test::Bytes bytes_of(const std::string& s) { return nn_test::Bytes(s.begin(), s.end()); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR NPZ_CORPUS_DIR MODEL_CONFIG_CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path idx = argv[1], cifar = argv[2], npz = argv[3], model_config = argv[4];
  std::filesystem::create_directories(idx);
  std::filesystem::create_directories(cifar);
  std::filesystem::create_directories(npz);
  std::filesystem::create_directories(model_config);
  nn_test::write_file(model_config / "seed_functional.json", bytes_of(functional_config()));
  nn_test::write_file(model_config / "seed_sequential.json", bytes_of(sequential_config()));
  nn_test::write_file(model_config / "seed_nested.json", bytes_of(nested_config()));
  nn_test::write_file(idx / "seed_images_1", nn_test::idx_images(1));
  nn_test::write_file(idx / "seed_images_3", nn_test::idx_images(3));
  nn_test::write_file(idx / "seed_labels_5", nn_test::idx_labels(5));
  nn_test::write_file(idx / "seed_labels_100", nn_test::idx_labels(100));
  nn_test::write_file(cifar / "seed_batch_1", nn_test::cifar_batch(1));
  nn_test::write_file(cifar / "seed_batch_2", nn_test::cifar_batch(2, 7));
  // A small weights file (a Dense layer's kernel and bias, a scalar, an empty array), one
  // with the checkpoints' 64-bit types, and bare .npy arrays: the fuzzer starts from the
  // structures it has to break.
  nn::Tensor kernel({3, 2}, {1.5f, -2, 0.25f, 3, -0.5f, 8}), bias({2}, {0.1f, -0.1f}), scalar({}, {7}), empty({0, 4});
  nn_test::write_file(npz / "seed_weights.npz",
                      nn::encode_npz({{"dense/kernel", kernel}, {"dense/bias", bias}, {"s", scalar}, {"e", empty}}));
  nn_test::write_file(npz / "seed_one_entry.npz", nn::encode_npz({{"w", bias}}));
  const nn::NpyArray counts({2, 2}, std::vector<int64_t>{-1, 0, 7, 1234567890123}),
      state(std::vector<uint64_t>{0, 0xFFFFFFFFFFFFFFFFull}), sums(std::vector<double>{0.5, -1e300});
  nn_test::write_file(npz / "seed_checkpoint_types.npz",
                      nn::encode_npz({{"counts", counts}, {"state", state}, {"sums", sums}, {"w", bias}}));
  nn_test::write_file(npz / "seed_array.npy", nn::encode_npy(kernel));
  nn_test::write_file(npz / "seed_int64_array.npy", nn::encode_npy(counts));
  return 0;
}
