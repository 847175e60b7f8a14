// libFuzzer target: the reader of a model file's config.json (model_config_from_json, what
// nn::load_model parses the architecture with) on arbitrary text, and the layer Config it
// fills in (src/layers/config.h).
//
// Every input must end in an nn::Error (a clear message) or in a ModelConfig that survives
// a round trip: written again with model_config_to_json and read back, it is the same
// (the same classes, names, arguments with the same values and types, connections and
// training settings). A crash, a sanitizer report, another exception type, a write that
// fails on what was read, or a round trip that changes something is a bug that libFuzzer
// reports with the input.
//
// Each argument is also asked for as every type: the getters must return or throw
// nn::ValueError, as Dense::from_config and friends rely on.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/model_config.h"
#include "tensor/error.h"

namespace {

void ask_every_type(const nn::Config& config) {
  for (const auto& [key, value] : config.items()) {
    try { config.get_bool(key); } catch (const nn::ValueError&) {}
    try { config.get_int(key); } catch (const nn::ValueError&) {}
    try { config.get_float(key); } catch (const nn::ValueError&) {}
    try { config.get_string(key); } catch (const nn::ValueError&) {}
    try { config.get_shape(key); } catch (const nn::ValueError&) {}
  }
  if (!config.unread_keys().empty()) __builtin_trap();  // every key was just read
  try { config.get_int("no such key, surely"); } catch (const nn::ValueError&) {}
}

// Every layer's arguments, nested models' layers too.
void ask_every_layer(const nn::ModelConfig& config) {
  for (const nn::LayerConfig& layer : config.layers) {
    ask_every_type(layer.config);
    if (layer.model) ask_every_layer(*layer.model);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nn::ModelConfig config;
  try {
    config = nn::model_config_from_json(text, "fuzz input");
  } catch (const nn::Error&) {
    return 0;
  }
  // What was read can be written (an nn::Error here would be a bug: the reader let through
  // something the writer cannot hold) and reads back identically.
  const std::string again = nn::model_config_to_json(config);
  if (!(nn::model_config_from_json(again, "re-encoded fuzz input") == config)) __builtin_trap();
  ask_every_layer(config);
  if (config.training_config) ask_every_type(config.training_config->optimizer_config);
  return 0;
}
