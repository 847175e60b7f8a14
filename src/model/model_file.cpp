// Model::save and nn::load_model: a model as config.json + weights in one zip. What the
// file holds and why is in model/model_file.h; the JSON side is model/model_config.cpp.
#include "model/model_file.h"

#include <algorithm>
#include <map>
#include <new>
#include <tuple>

#include "layers/input.h"
#include "layers/layer_registry.h"
#include "losses/get.h"
#include "model/graph.h"
#include "model/model_config.h"
#include "model/nested_model.h"
#include "model/sequential.h"
#include "model/training_state.h"
#include "optimizers/adam.h"
#include "optimizers/sgd.h"
#include "tensor/file_io.h"

namespace nn {
namespace {

const std::string kConfigFile = "config.json";

// The optimizer's class and constructor arguments. Only the built-in optimizers can be
// rebuilt by load_model, so only they can be saved with include_optimizer.
std::pair<std::string, Config> optimizer_config(const optimizers::Optimizer& opt, const std::string& intro) {
  if (auto* adam = dynamic_cast<const optimizers::Adam*>(&opt))
    return {"Adam", Config()
                        .set("learning_rate", adam->learning_rate)
                        .set("beta_1", adam->beta_1)
                        .set("beta_2", adam->beta_2)
                        .set("epsilon", adam->epsilon)};
  if (auto* sgd = dynamic_cast<const optimizers::SGD*>(&opt))
    return {"SGD", Config().set("learning_rate", sgd->learning_rate).set("momentum", sgd->momentum)};
  throw Error(intro + "include_optimizer saves the optimizer by class so load_model can make it again, and \"" +
              opt.name() + "\" is not one of nnscratch's (Adam, SGD). Save without include_optimizer and compile "
              "the loaded model yourself");
}

std::unique_ptr<optimizers::Optimizer> optimizer_from_config(const std::string& class_name, const Config& c) {
  if (class_name == "Adam")
    return std::make_unique<optimizers::Adam>(c.get_float("learning_rate"), c.get_float("beta_1"),
                                              c.get_float("beta_2"), c.get_float("epsilon"));
  if (class_name == "SGD") return std::make_unique<optimizers::SGD>(c.get_float("learning_rate"), c.get_float("momentum"));
  throw ValueError("unknown optimizer class \"" + class_name + "\" (nnscratch has Adam and SGD)");
}

// A key of `config` that its reader did not take (a typo in a hand-edited file, "unit":
// 10), as a problem to report; "" when every key was read.
std::string unread_key_problem(const Config& config, const std::string& reader) {
  const std::vector<std::string> unread = config.unread_keys();
  if (unread.empty()) return "";
  std::string read;
  for (const auto& [key, value] : config.items())
    if (std::find(unread.begin(), unread.end(), key) == unread.end()) read += (read.empty() ? "\"" : ", \"") + key + "\"";
  return "\"" + unread.front() + "\" is not an argument of " + reader + " (it takes " +
         (read.empty() ? std::string("none") : read) + ")";
}

// Building a model draws initial weights (and Dropout's seeds) from the global generator;
// the file's weights replace them, so put the generator back as it was, even on failure.
class KeepGlobalRng {
 public:
  KeepGlobalRng() : saved_(global_rng().state()) {}
  ~KeepGlobalRng() { global_rng().set_state(saved_); }
  KeepGlobalRng(const KeepGlobalRng&) = delete;
  KeepGlobalRng& operator=(const KeepGlobalRng&) = delete;

 private:
  RngState saved_;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Saving

namespace {

// Keras's inbound_nodes of one layer of a graph: per call, [layer, node index, 0] of each input.
std::vector<std::vector<InboundTensor>> graph_inbound_nodes(const Graph& graph, const Layer& layer) {
  std::vector<std::vector<InboundTensor>> calls;
  for (const GraphNode& n : graph.nodes()) {
    if (n.layer.get() != &layer) continue;
    std::vector<InboundTensor> inputs;
    for (size_t j : n.inputs) inputs.push_back({graph.nodes()[j].layer->name(), graph.node_index(j), 0});
    calls.push_back(std::move(inputs));
  }
  return calls;
}

// The architecture of `model` as config.json writes it (model/model_config.h): each layer's
// class, name, arguments and calls; a nested model's layer holds that model's own architecture.
ModelConfig architecture(Model& model, const std::string& intro) {
  ModelConfig mc;
  const bool sequential = dynamic_cast<const Sequential*>(&model) != nullptr;
  mc.class_name = sequential ? "Sequential" : "Functional";
  mc.name = model.name();
  const auto& layers = model.layers();
  const Graph* graph = model.graph();
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer& layer = *layers[i];
    LayerConfig l;
    l.class_name = layer.type();
    l.name = layer.name();
    if (auto* nested = dynamic_cast<Functional*>(&layer)) {
      l.model = architecture(nested->model(), intro);
    } else {
      try {
        l.config = layer.get_config();
      } catch (const Error& e) {
        throw Error(intro + e.what());
      }
    }
    // A chain: each layer takes the one before it; a graph: every call, with what it reads.
    if (!sequential && i > 0) {
      if (graph)
        l.inbound_nodes = graph_inbound_nodes(*graph, layer);
      else
        l.inbound_nodes = {{InboundTensor{layers[i - 1]->name(), first_node_index(*layers[i - 1]), 0}}};
    }
    mc.layers.push_back(std::move(l));
  }
  if (sequential) return mc;
  if (!graph) {
    mc.input_layers = {InboundTensor{layers.front()->name(), 0, 0}};
    mc.output_layers = {InboundTensor{layers.back()->name(), first_node_index(*layers.back()), 0}};
    return mc;
  }
  for (size_t i : graph->input_nodes()) mc.input_layers.push_back({graph->nodes()[i].layer->name(), 0, 0});
  for (size_t i : graph->output_nodes()) mc.output_layers.push_back({graph->nodes()[i].layer->name(), graph->node_index(i), 0});
  return mc;
}

}  // namespace

void Model::save(const std::string& path, SaveOptions options) {
  const std::string intro = "save: '" + path + "': ";
  if (!built())
    throw Error(intro + "model \"" + name_ + "\" is not built yet (it has no weights): start it with an Input, or "
                "call fit or predict once, before saving");
  ModelConfig mc = architecture(*this, intro);

  std::vector<NamedArray> arrays = weight_entries();
  if (options.include_optimizer) {
    if (!compiled())
      throw Error(intro + "include_optimizer needs a compiled model; compile model \"" + name_ +
                  "\" first, or save without include_optimizer");
    if (heads_.size() > 1 || heads_[0].weight != 1.0f)
      throw Error(intro + "include_optimizer saves one loss by name, and model \"" + name_ + "\" was compiled with "
                  "a loss per output or with loss_weights, which model files do not hold yet. Save without "
                  "include_optimizer (architecture and weights), compile the loaded model as before, and use "
                  "save_checkpoint / resume_from to carry the training state");
    TrainingConfig tc;
    tc.loss = loss().name();
    try {
      losses::get(tc.loss);  // can load_model make this loss again by its name?
    } catch (const ValueError&) {
      throw Error(intro + "include_optimizer saves the loss by name so load_model can compile with it, and \"" +
                  tc.loss + "\" is not one of nnscratch's. Save without include_optimizer and compile the loaded "
                  "model yourself");
    }
    tc.metrics = metrics_;
    std::tie(tc.optimizer, tc.optimizer_config) = optimizer_config(*optimizer_, intro);
    mc.training_config = std::move(tc);
    add_optimizer_entries(arrays, *optimizer_, params());
    add_layer_rng_entries(arrays, layers_);
  }

  std::vector<uint8_t> zip;
  try {
    const std::string json = model_config_to_json(mc);
    std::vector<ZipEntry> files{{kConfigFile, std::vector<uint8_t>(json.begin(), json.end())}};
    for (const NamedArray& a : arrays) files.push_back(npy_file(a));
    zip = encode_zip(files);
  } catch (const Error& e) {
    throw IoError("cannot write '" + path + "': " + e.what());
  }
  write_file_atomic(path, zip);  // names the path itself on failure
}

// ---------------------------------------------------------------------------------------
// Loading: everything is built into objects only this function holds; any problem throws,
// and they are destroyed with it, so no half-built model ever escapes.

namespace {

// The layers of one model as load_model made them, each with its entry in config.json.
using MadeLayers = std::vector<std::pair<std::shared_ptr<Layer>, const LayerConfig*>>;

// A functional model's graph rebuilt from its config: its input and output nodes.
struct BuiltGraph {
  std::vector<Node> inputs, outputs;
  MadeLayers made;
};

BuiltGraph build_graph(const ModelConfig& mc, const std::string& where);
void check_all_used(Model& model, const MadeLayers& made, const std::string& where);

// The problems a layer's construction or build can raise, as an IoError at `where`.
template <class Make>
auto or_io_error(const std::string& where, const char* memory, Make&& make) {
  try {
    return make();
  } catch (const IoError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw IoError(where + ": " + memory);
  } catch (const std::exception& e) {  // unknown class, a missing argument, a bad value, a bad shape
    throw IoError(where + ": " + e.what());
  }
}

// Every layer of `mc`, from its class and arguments (a nested model: from its own config,
// connected, as a Functional layer), named as the file says.
MadeLayers make_layers(const ModelConfig& mc, const std::string& where_model) {
  MadeLayers made;
  for (size_t i = 0; i < mc.layers.size(); ++i) {
    const LayerConfig& l = mc.layers[i];
    const std::string where =
        where_model + ": layer " + std::to_string(i + 1) + " (\"" + l.name + "\", " + l.class_name + ")";
    std::shared_ptr<Layer> layer;
    if (l.model) {
      // The inner model's graph first, then the layer that runs it in this one.
      BuiltGraph inner = build_graph(*l.model, where_model + ": model \"" + l.name + "\"");
      auto nested = or_io_error(where, "its weights need more memory than there is",
                                [&] { return std::make_shared<Functional>(inner.inputs, inner.outputs, l.name); });
      check_all_used(nested->model(), inner.made, where_model + ": model \"" + l.name + "\"");
      layer = nested;
    } else {
      layer = or_io_error(where, "its arguments ask for more memory than there is",
                          [&] { return layer_from_config(l.class_name, l.config); });
      if (const std::string problem = unread_key_problem(l.config, l.class_name); !problem.empty())
        throw IoError(where + ": " + problem);
      if (layer->type() != l.class_name)
        throw IoError(where + ": the class registered as \"" + l.class_name + "\" makes layers whose type() is \"" +
                      layer->type() + "\"; register each class under the name its type() returns");
    }
    layer->set_name(l.name);
    made.emplace_back(std::move(layer), &l);
  }
  return made;
}

IoError build_error(const std::string& where_model, const LayerConfig& l, const std::string& problem) {
  return IoError(where_model + ": layer \"" + l.name + "\" (" + l.class_name + "): " + problem);
}

Node input_node(const std::shared_ptr<Layer>& layer, const LayerConfig& l, const std::string& where_model) {
  auto* input = dynamic_cast<layers::InputLayer*>(layer.get());
  try {
    layer->build_for(input->shape());
  } catch (const Error& e) {
    throw build_error(where_model, l, e.what());
  }
  return Node::root(layer, input->shape());
}

// The functional API rebuilds the graph call by call: nodes[{layer, node index}] is the
// output of that call (Keras's node index: a nested model's calls count from 1). A call runs
// once every input it names exists; layers are listed by their first call, so a shared
// layer's later call may wait for a layer listed after it. Passes over the pending calls go
// on while one of them can run.
BuiltGraph build_graph(const ModelConfig& mc, const std::string& where) {
  BuiltGraph g;
  g.made = make_layers(mc, where);
  std::map<std::pair<std::string, int>, Node> nodes;
  std::vector<std::pair<size_t, size_t>> pending;  // (index into made, call)
  std::map<std::string, size_t> calls_made;
  for (size_t i = 0; i < g.made.size(); ++i) {
    auto& [layer, l] = g.made[i];
    if (l->class_name == "InputLayer") {
      nodes[{l->name, 0}] = input_node(layer, *l, where);
      continue;
    }
    for (size_t c = 0; c < l->inbound_nodes.size(); ++c) pending.emplace_back(i, c);
  }
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (size_t k = 0; k < pending.size();) {
      auto& [layer, l] = g.made[pending[k].first];
      const auto& call = l->inbound_nodes[pending[k].second];
      std::vector<Node> inputs;
      for (const InboundTensor& t : call) {
        if (t.tensor_index != 0)
          throw build_error(where, *l, "it reads output " + std::to_string(t.tensor_index) + " of \"" + t.layer +
                                           "\"; nnscratch layers have one output each");
        auto it = nodes.find({t.layer, t.node_index});
        if (it == nodes.end()) break;
        inputs.push_back(it->second);
      }
      if (inputs.size() < call.size()) {  // an input not made yet: next pass
        ++k;
        continue;
      }
      if (pending[k].second != calls_made[l->name]) {  // a layer's calls are made in order
        ++k;
        continue;
      }
      const int node_index = static_cast<int>(pending[k].second) + first_node_index(*layer);
      try {
        nodes[{l->name, node_index}] = inputs.size() == 1 ? Node::apply(layer, inputs.front()) : Node::apply(layer, inputs);
        ++calls_made[l->name];
      } catch (const std::bad_alloc&) {
        throw build_error(where, *l, "its weights need more memory than there is");
      } catch (const Error& e) {
        throw build_error(where, *l, e.what());
      }
      pending.erase(pending.begin() + static_cast<long>(k));
      progress = true;
    }
  }
  if (!pending.empty()) {
    const LayerConfig& l = *g.made[pending.front().first].second;
    throw build_error(where, l, "its call " + std::to_string(pending.front().second) + " reads outputs that no call "
                                "makes before it (the connections form a loop)");
  }
  auto node_of = [&](const std::vector<InboundTensor>& list, const char* what) {
    std::vector<Node> out;
    for (const InboundTensor& t : list) {
      auto it = nodes.find({t.layer, t.node_index});
      if (it == nodes.end())
        throw IoError(where + ": " + what + " names \"" + t.layer + "\" call " + std::to_string(t.node_index) +
                      ", which the model does not have");
      out.push_back(it->second);
    }
    return out;
  };
  for (const InboundTensor& t : mc.input_layers)
    if (auto it = nodes.find({t.layer, t.node_index}); it == nodes.end() || !it->second.is_input())
      throw IoError(where + ": input_layers names \"" + t.layer + "\", which is not an InputLayer");
  g.inputs = node_of(mc.input_layers, "input_layers");
  g.outputs = node_of(mc.output_layers, "output_layers");
  return g;
}

// Every layer the file lists, and every call, is part of the model made from it.
void check_all_used(Model& model, const MadeLayers& made, const std::string& where) {
  if (model.layers().size() != made.size()) {
    std::string unused;
    for (auto& [layer, l] : made)
      if (std::none_of(model.layers().begin(), model.layers().end(), [&](auto& m) { return m == layer; }))
        unused += (unused.empty() ? "\"" : ", \"") + l->name + "\"";
    throw IoError(where + ": the layers " + unused + " are not on the way from input to output");
  }
  for (auto& [layer, l] : made)
    if (l->class_name != "InputLayer" && model.calls_of(*layer) != l->inbound_nodes.size())
      throw IoError(where + ": layer \"" + l->name + "\" is called " + std::to_string(l->inbound_nodes.size()) +
                    " times, but only " + std::to_string(model.calls_of(*layer)) + " of its calls lead to an output "
                    "(nnscratch builds chains and graphs in which every call leads to an output)");
}

std::unique_ptr<Model> build_model(const ModelConfig& mc, const std::string& where) {
  if (mc.class_name == "Sequential") {
    const MadeLayers made = make_layers(mc, where);
    auto seq = std::make_unique<Sequential>(std::initializer_list<LayerRef>{}, mc.name);
    seq->add(LayerRef(input_node(made[0].first, *made[0].second, where)));
    for (size_t i = 1; i < made.size(); ++i) {
      try {
        seq->add(LayerRef(made[i].first));
      } catch (const std::bad_alloc&) {
        throw build_error(where, *made[i].second, "its weights need more memory than there is");
      } catch (const Error& e) {
        throw build_error(where, *made[i].second, e.what());
      }
    }
    return seq;
  }
  BuiltGraph g = build_graph(mc, where);
  std::unique_ptr<Model> model;
  try {
    model = std::make_unique<Model>(g.inputs, g.outputs, mc.name);
  } catch (const Error& e) {
    throw IoError(where + ": " + e.what());
  }
  check_all_used(*model, g.made, where);  // (make_layers checked each nested model's own)
  return model;
}

}  // namespace

std::unique_ptr<Model> load_model(const std::string& path) {
  const std::string source = "load_model: '" + path + "'";
  const std::vector<uint8_t> bytes = read_file(path);  // IoError when missing or unreadable
  const std::vector<ZipEntry> files = decode_zip(bytes.data(), bytes.size(), source);  // IoError when damaged
  auto config_file = std::find_if(files.begin(), files.end(), [](const ZipEntry& f) { return f.name == kConfigFile; });
  if (config_file == files.end())
    throw IoError(source + " has no config.json, so it holds no architecture: it is a weights file (save_weights) "
                  "or a checkpoint. Build the model in code and call load_weights (or resume_from), or save whole "
                  "models with model.save");
  const ModelConfig mc = model_config_from_json(std::string(config_file->data.begin(), config_file->data.end()),
                                                source + ": config.json");
  const std::vector<NamedArray> arrays = npy_arrays(files, source);

  KeepGlobalRng keep_rng;
  // The layers, each from its class and arguments, connected as config.json says.
  std::unique_ptr<Model> model = build_model(mc, source + ": config.json");

  // The weights: every parameter, by name, with its shape; nothing missing, nothing extra.
  const auto weights = model->match_weights(arrays, source, "(config.json and the weights in the file disagree: the "
                                                            "file is damaged or was edited)");

  // The training state: compiled as it was, then the optimizer's and Dropout's memory.
  CheckpointReader state(arrays, source, "The file is damaged or was written by another version; no model was loaded");
  OptimizerRestore optimizer_state;
  std::vector<std::pair<Rng*, RngState>> generators;
  if (mc.training_config) {
    const TrainingConfig& t = *mc.training_config;
    const std::string where = source + ": config.json: training_config: ";
    try {
      std::unique_ptr<optimizers::Optimizer> opt = optimizer_from_config(t.optimizer, t.optimizer_config);
      if (const std::string problem = unread_key_problem(t.optimizer_config, t.optimizer); !problem.empty())
        throw ValueError(problem);
      model->compile(*losses::get(t.loss), *opt, t.metrics);
    } catch (const Error& e) {
      throw IoError(where + e.what());
    }
    if (!state.has_group("optimizer/"))
      state.fail("config.json has a training_config, but the file holds no optimizer state (checkpoint/optimizer/...)");
    optimizer_state = read_optimizer_entries(state, model->optimizer(), model->params(),
                                             "config.json and the optimizer state in the file disagree");
    generators = read_layer_rngs(state, model->layers());
  }
  for (const std::string& extra : state.unused(""))
    state.fail("\"" + extra + "\" is not part of a model file" +
               (mc.training_config ? "" : " saved without include_optimizer (config.json has no training_config)"));

  for (auto& [p, t] : weights) p->value = *t;
  if (mc.training_config) optimizer_state.apply(model->optimizer());
  for (auto& [g, st] : generators) g->set_state(st);
  return model;
}

}  // namespace nn
