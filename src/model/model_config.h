// The architecture part of a model file: config.json, as text, and as the plain structs
// model.save fills in and nn::load_model builds from (model/model_file.h).
//
// The JSON follows Keras's get_config (Keras 2's model_config, in a readable subset):
//
//   {
//     "format_version": 1,
//     "class_name": "Functional",                   // or "Sequential"
//     "config": {
//       "name": "model",
//       "layers": [                                 // in the order they run
//         {
//           "class_name": "InputLayer",
//           "name": "input_1",
//           "config": {"shape": [28, 28, 1]},       // the constructor arguments (get_config)
//           "inbound_nodes": []
//         },
//         {
//           "class_name": "Dense",
//           "name": "dense",
//           "config": {"units": 200, "activation": "relu"},
//           "inbound_nodes": [[["input_1", 0, 0]]]
//         }, ...
//       ],
//       "input_layers": [["input_1", 0, 0]],
//       "output_layers": [["dense_2", 0, 0]]
//     },
//     "training_config": {...}                      // only when saved with include_optimizer
//   }
//
// Connections are written per layer, as Keras writes them, so graphs fit the same format:
// "inbound_nodes" lists one entry per call of the layer (a layer shared by two branches is
// called twice), and each call lists its inputs as [layer name, node index, tensor index]:
// the node index says which call of that layer produced the input, the tensor index which
// of its outputs. A chain has one call per layer with one input: [[["previous", 0, 0]]].
// A Sequential writes no connections (each layer takes the one before), as in Keras.
//
// A model called inside another (decoder(encoder_output), model/nested_model.h) is one layer
// of class "Functional" whose "config" is the inner model's own "config" object, layers
// and all, as Keras 2.11's Functional.get_config writes it:
//
//   {
//     "class_name": "Functional",
//     "name": "decoder",
//     "config": {"name": "decoder", "layers": [...], "input_layers": [["input_2", 0, 0]],
//                "output_layers": [["conv2d_3", 0, 0]]},
//     "inbound_nodes": [[["dense", 0, 0]]]
//   }
//
// and a layer reading its output names ["decoder", 1, 0]: Keras counts a nested model's calls
// from 1, its node 0 being the model's own inputs-to-outputs link (functional.py,
// _should_skip_first_node). Layer names are unique in the whole file, nested models
// included, as the weights of every layer are stored by "<layer>/<param>".
//
// This file knows JSON and the structure (names unique, inputs named before they are used,
// the right types); it knows nothing of particular layer classes: which arguments a Dense
// takes is Dense::from_config's business.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "layers/config.h"

namespace nn {

constexpr int kModelFormatVersion = 1;

// One input of one call of a layer: [layer name, node index, tensor index].
struct InboundTensor {
  std::string layer;
  int node_index = 0;    // which call of that layer
  int tensor_index = 0;  // which output of that call
  bool operator==(const InboundTensor&) const = default;
};

struct LayerConfig;  // below: a model's layers, which may themselves hold a model

// How the model was compiled, for a file saved with include_optimizer.
struct TrainingConfig {
  std::string loss;                  // Keras's name: "categorical_crossentropy"
  std::vector<std::string> metrics;  // {"accuracy"}, or empty
  std::string optimizer;             // its class: "Adam", "SGD"
  Config optimizer_config;           // its constructor arguments: learning_rate, beta_1, ...
  bool operator==(const TrainingConfig&) const = default;
};

struct ModelConfig {
  std::string class_name;           // "Functional" or "Sequential"
  std::string name;                 // the model's name
  std::vector<LayerConfig> layers;  // in the order they run
  std::vector<InboundTensor> input_layers = {}, output_layers = {};  // Functional only
  std::optional<TrainingConfig> training_config = {};                // the outermost model only
  bool operator==(const ModelConfig&) const = default;
};

struct LayerConfig {
  std::string class_name;  // what type() returns: "Dense"
  std::string name;        // the layer's name in the model: "dense_1"
  Config config;           // its constructor arguments (get_config)
  // Functional models: one entry per call, listing that call's inputs (empty for an
  // InputLayer). Sequential models: empty.
  std::vector<std::vector<InboundTensor>> inbound_nodes = {};
  // A nested model (class "Functional", model/nested_model.h): its own architecture, written
  // as the layer's "config", as Keras writes it (name, layers, input_layers, output_layers);
  // `config` is then empty. Calls of a nested model are counted from 1 (Graph::node_index).
  std::optional<ModelConfig> model = {};
  bool operator==(const LayerConfig&) const = default;
};

// config.json's text, pretty-printed for people: two-space indents, and one line for every
// object or list that holds no other object and fits in 120 columns. Throws nn::Error for
// what JSON cannot hold (NaN or infinite numbers, text that is not UTF-8).
std::string model_config_to_json(const ModelConfig& config);

// Parses and checks config.json. Any problem (not JSON, a missing or unknown key, a wrong
// type, a duplicate name, an input that names no earlier layer, ...) is an nn::IoError
// "<source>: <where>: <problem>", e.g. source "load_model: 'm.nnz': config.json".
ModelConfig model_config_from_json(const std::string& text, const std::string& source = "config.json");

}  // namespace nn
