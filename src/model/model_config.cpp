// config.json <-> ModelConfig, with nlohmann/json (Debian's nlohmann-json3-dev). The JSON
// library is used here only, in a .cpp file: the installed headers do not include it, so a
// program using nnscratch needs neither the header nor anything more on its link line.
#if !__has_include(<nlohmann/json.hpp>)
#error "nnscratch needs the header-only JSON library nlohmann/json to build (it reads and writes a model file's config.json). Install it: 'sudo apt-get install nlohmann-json3-dev' on Debian/Ubuntu ('brew install nlohmann-json', 'dnf install json-devel'); make run and make test install it for you."
#endif
#include "model/model_config.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tensor/error.h"

namespace nn {
namespace {

// Objects keep the order keys were written in (so "class_name" comes first, and a layer's
// arguments in its constructor's order), and numbers that are not whole are floats: the
// float a layer holds (momentum 0.99f) is written in its shortest form ("0.99") and read
// back as exactly that float, which a double in between would not guarantee.
using Json = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool, std::int64_t, std::uint64_t,
                                  float>;

// ---------------------------------------------------------------------------------------
// Writing

Json to_json(const Config::Value& value, const std::string& key) {
  struct Convert {
    const std::string& key;
    Json operator()(bool b) const { return b; }
    Json operator()(int i) const { return i; }
    Json operator()(float f) const {
      if (!std::isfinite(f)) throw Error("the config value \"" + key + "\" is " + std::to_string(f) + "; JSON holds finite numbers only");
      return f;
    }
    Json operator()(const std::string& s) const { return s; }
    Json operator()(const Shape& s) const { return Json(s); }
  };
  return std::visit(Convert{key}, value);
}

Json to_json(const Config& config) {
  Json out = Json::object();
  for (const auto& [key, value] : config.items()) out[key] = to_json(value, key);
  return out;
}

Json to_json(const InboundTensor& t) { return Json::array({t.layer, t.node_index, t.tensor_index}); }

Json to_json(const std::vector<InboundTensor>& tensors) {
  Json out = Json::array();
  for (const InboundTensor& t : tensors) out.push_back(to_json(t));
  return out;
}

// One line, with a space after every ':' and ',': {"units": 10, "activation": "relu"}.
std::string one_line(const Json& j) {
  if (j.is_object()) {
    std::string out = "{";
    for (auto it = j.begin(); it != j.end(); ++it)
      out += (it == j.begin() ? "" : ", ") + Json(it.key()).dump() + ": " + one_line(it.value());
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < j.size(); ++i) out += (i ? ", " : "") + one_line(j[i]);
    return out + "]";
  }
  return j.dump();
}

bool holds_object(const Json& j) {
  if (j.is_object()) return true;
  if (j.is_array())
    for (const Json& e : j)
      if (holds_object(e)) return true;
  return false;
}

constexpr size_t kLineWidth = 120;

// `j` at `indent` spaces, its first line following `prefix` (e.g. the "key": before it).
void pretty(const Json& j, size_t indent, size_t prefix, std::string& out) {
  const bool flat = j.is_object() ? std::none_of(j.begin(), j.end(), [](const Json& v) { return holds_object(v); })
                                  : !holds_object(j);
  const std::string line = one_line(j);
  if (!j.is_structured() || j.empty() || (flat && indent + prefix + line.size() <= kLineWidth)) {
    out += line;
    return;
  }
  const std::string inner(indent + 2, ' ');
  out += j.is_object() ? "{\n" : "[\n";
  size_t i = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++i) {
    out += inner;
    size_t key_width = 0;
    if (j.is_object()) {
      const std::string key = Json(it.key()).dump() + ": ";
      out += key;
      key_width = key.size();
    }
    pretty(it.value(), indent + 2, key_width, out);
    out += i + 1 < j.size() ? ",\n" : "\n";
  }
  out += std::string(indent, ' ') + (j.is_object() ? "}" : "]");
}

}  // namespace

namespace {

// A model's "config" object: its name, its layers, and (functional) its inputs and
// outputs; a nested model's layer entry holds the same object as its "config".
Json model_json(const ModelConfig& mc) {
  const bool functional = mc.class_name == "Functional";
  Json layers = Json::array();
  for (const LayerConfig& l : mc.layers) {
    Json entry = Json::object();
    entry["class_name"] = l.class_name;
    entry["name"] = l.name;
    try {
      entry["config"] = l.model ? model_json(*l.model) : to_json(l.config);
    } catch (const Error& e) {
      throw Error("layer \"" + l.name + "\": " + e.what());
    }
    if (functional) {
      Json nodes = Json::array();
      for (const auto& node : l.inbound_nodes) nodes.push_back(to_json(node));
      entry["inbound_nodes"] = nodes;
    }
    layers.push_back(entry);
  }
  Json config = Json::object();
  config["name"] = mc.name;
  config["layers"] = layers;
  if (functional) {
    config["input_layers"] = to_json(mc.input_layers);
    config["output_layers"] = to_json(mc.output_layers);
  }
  return config;
}

}  // namespace

std::string model_config_to_json(const ModelConfig& mc) {
  const Json config = model_json(mc);
  Json root = Json::object();
  root["format_version"] = kModelFormatVersion;
  root["class_name"] = mc.class_name;
  root["config"] = config;
  if (mc.training_config) {
    const TrainingConfig& t = *mc.training_config;
    Json optimizer = Json::object();
    optimizer["class_name"] = t.optimizer;
    optimizer["config"] = to_json(t.optimizer_config);
    Json training = Json::object();
    training["loss"] = t.loss;
    training["metrics"] = t.metrics;
    training["optimizer_config"] = optimizer;
    root["training_config"] = training;
  }
  std::string out;
  try {
    pretty(root, 0, 0, out);
  } catch (const nlohmann::json::exception& e) {  // a name that is not UTF-8
    throw Error(std::string("cannot write config.json: ") + e.what() + "; use UTF-8 (or plain ASCII) names");
  }
  return out + "\n";
}

// ---------------------------------------------------------------------------------------
// Reading: every key checked for presence and type before use, each problem named with
// where it is ("layer 3 (\"dense\"): ...").

namespace {

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    // With no place to name, the problem reads on from the source: "config.json is not valid JSON".
    throw IoError(where.empty() ? source_ + " " + problem : source_ + ": " + where + ": " + problem);
  }

  static const char* type_name(const Json& j) {
    if (j.is_null()) return "null";
    if (j.is_boolean()) return "true/false";
    if (j.is_number_float()) return "a number with a fraction";
    if (j.is_number()) return "a whole number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "a list";
    return "an object";
  }

  // Only `allowed` keys, and every one of `required` present.
  void check_keys(const Json& obj, const std::vector<std::string>& required, const std::vector<std::string>& optional,
                  const std::string& where) const {
    if (!obj.is_object()) fail(where, std::string("should be an object {...}, but it is ") + type_name(obj));
    for (const std::string& key : required)
      if (!obj.contains(key)) fail(where, "the key \"" + key + "\" is missing");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      if (std::find(required.begin(), required.end(), key) == required.end() &&
          std::find(optional.begin(), optional.end(), key) == optional.end()) {
        std::string known;
        for (const std::string& k : required) known += (known.empty() ? "\"" : ", \"") + k + "\"";
        for (const std::string& k : optional) known += (known.empty() ? "\"" : ", \"") + k + "\"";
        fail(where, "unknown key \"" + key + "\" (expected " + known + ")");
      }
    }
  }

  std::string string_at(const Json& obj, const std::string& key, const std::string& where, bool non_empty = true) const {
    const Json& v = obj.at(key);
    if (!v.is_string()) fail(where, "\"" + key + "\" should be a string, but it is " + type_name(v));
    const std::string& s = v.get_ref<const std::string&>();
    if (non_empty && s.empty()) fail(where, "\"" + key + "\" is empty");
    return s;
  }

  int whole_number(const Json& v, const std::string& what, const std::string& where) const {
    if (v.is_number_unsigned()) {
      if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT_MAX)) fail(where, what + " does not fit an int");
      return static_cast<int>(v.get<std::uint64_t>());
    }
    if (v.is_number_integer()) {
      const std::int64_t i = v.get<std::int64_t>();
      if (i < INT_MIN || i > INT_MAX) fail(where, what + " does not fit an int");
      return static_cast<int>(i);
    }
    fail(where, what + " should be a whole number, but it is " + type_name(v));
  }

  Config::Value value(const Json& v, const std::string& key, const std::string& where) const {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_float()) {
      const float f = v.get<float>();
      if (!std::isfinite(f)) fail(where, "\"" + key + "\" is a number too large for a float");
      return f;
    }
    if (v.is_number()) return whole_number(v, "\"" + key + "\"", where);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      Shape list;
      for (const Json& e : v) {
        if (!e.is_number() || e.is_number_float())
          fail(where, "\"" + key + "\" is a list holding " + type_name(e) + "; a list in a layer's config holds whole numbers");
        list.push_back(whole_number(e, "an entry of \"" + key + "\"", where));
      }
      return list;
    }
    fail(where, "\"" + key + "\" is " + type_name(v) +
                    "; a layer's config holds numbers, strings, true/false and lists of whole numbers");
  }

  Config config(const Json& obj, const std::string& where) const {
    if (!obj.is_object()) fail(where, std::string("\"config\" should be an object {...}, but it is ") + type_name(obj));
    Config out;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const Config::Value v = value(it.value(), it.key(), where);
      std::visit([&](const auto& x) { out.set(it.key(), x); }, v);
    }
    return out;
  }

  // [layer name, node index, tensor index]
  InboundTensor inbound_tensor(const Json& j, const std::string& where) const {
    if (!j.is_array() || j.size() != 3 || !j[0].is_string())
      fail(where, "an input should be [layer name, node index, tensor index], e.g. [\"dense\", 0, 0], but it is " +
                      one_line(j));
    InboundTensor t{j[0].get<std::string>(), whole_number(j[1], "the node index", where),
                    whole_number(j[2], "the tensor index", where)};
    if (t.node_index < 0 || t.tensor_index < 0) fail(where, "the node and tensor indices of " + one_line(j) + " must be >= 0");
    return t;
  }

  std::vector<InboundTensor> tensor_list(const Json& j, const std::string& where) const {
    if (!j.is_array()) fail(where, std::string("should be a list of inputs, but it is ") + type_name(j));
    std::vector<InboundTensor> out;
    for (const Json& e : j) out.push_back(inbound_tensor(e, where));
    return out;
  }

 private:
  std::string source_;
};

std::string layer_where(size_t i, const std::string& name) {
  return "layer " + std::to_string(i + 1) + (name.empty() ? "" : " (\"" + name + "\")");
}

}  // namespace

namespace {

// The calls of one layer that inputs may name: Keras's node indices first..first + count - 1
// (a nested model's start at 1, Graph::node_index says why; an InputLayer has node 0).
struct NodeRange {
  int first = 0;
  size_t count = 0;
  bool has(int index) const { return index >= first && static_cast<size_t>(index - first) < count; }
  std::string text() const {
    if (count == 0) return "no calls";
    return count == 1 ? "only call " + std::to_string(first)
                      : "calls " + std::to_string(first) + ".." + std::to_string(first + static_cast<int>(count) - 1);
  }
};

// A model's "config" object, where `scope` places it in the file ("" for the outermost, else
// e.g. "layer 4 (\"decoder\"): " for a nested one). `names` collects every layer name seen
// in the file, so a nested model's layers cannot take an outer layer's name (their weights
// would share the key "<layer>/<param>").
constexpr int kMaxNesting = 32;  // models inside models: far more than anyone writes, and a bounded recursion

ModelConfig parse_model(const Parser& p, const Json& cfg, const std::string& class_name, const std::string& scope,
                        std::set<std::string>& names, int depth = 0) {
  if (depth > kMaxNesting)
    p.fail(scope + "config", "models are nested more than " + std::to_string(kMaxNesting) + " deep; nnscratch reads up to " +
                                 std::to_string(kMaxNesting));
  ModelConfig mc;
  mc.class_name = class_name;
  const bool functional = mc.class_name == "Functional";
  const std::string config_where = scope + "config";
  if (functional)
    p.check_keys(cfg, {"name", "layers", "input_layers", "output_layers"}, {}, config_where);
  else
    p.check_keys(cfg, {"name", "layers"}, {}, config_where);
  mc.name = p.string_at(cfg, "name", config_where);
  const Json& layers = cfg.at("layers");
  if (!layers.is_array() || layers.empty()) p.fail(config_where, "\"layers\" should be a list of at least one layer");

  // Layer entries, in order; remember which calls (nodes) each one has, so an input can be
  // checked to name a call that exists.
  std::map<std::string, NodeRange> calls;  // layer name -> its node indices
  for (size_t i = 0; i < layers.size(); ++i) {
    const Json& entry = layers[i];
    std::string where = scope + layer_where(i, "");
    if (functional)
      p.check_keys(entry, {"class_name", "name", "config", "inbound_nodes"}, {}, where);
    else
      p.check_keys(entry, {"class_name", "name", "config"}, {}, where);
    LayerConfig l;
    l.name = p.string_at(entry, "name", where);
    where = scope + layer_where(i, l.name);
    l.class_name = p.string_at(entry, "class_name", where);
    if (names.count(l.name))
      p.fail(where, "two layers are named \"" + l.name + "\"; layer names must be unique (in nested models too)");
    names.insert(l.name);
    const bool nested = l.class_name == "Functional";
    if (nested)  // a model inside this one: its "config" is a whole model's
      l.model = parse_model(p, entry.at("config"), "Functional", where + ": ", names, depth + 1);
    else
      l.config = p.config(entry.at("config"), where);
    const bool is_input = l.class_name == "InputLayer";
    if (!functional) {
      if (i == 0 && !is_input) p.fail(where, "a Sequential model's first layer should be its InputLayer");
      if (i > 0 && is_input) p.fail(where, "an InputLayer can only be a Sequential model's first layer");
    } else {
      const Json& nodes = entry.at("inbound_nodes");
      if (!nodes.is_array()) p.fail(where, std::string("\"inbound_nodes\" should be a list, but it is ") + Parser::type_name(nodes));
      for (const Json& node : nodes) {
        std::vector<InboundTensor> inputs = p.tensor_list(node, where + ": inbound_nodes");
        if (inputs.empty()) p.fail(where, "a call in \"inbound_nodes\" lists no input");
        l.inbound_nodes.push_back(std::move(inputs));
      }
      if (is_input && !l.inbound_nodes.empty()) p.fail(where, "an InputLayer takes no inputs: its \"inbound_nodes\" should be []");
      if (!is_input && l.inbound_nodes.empty()) p.fail(where, "\"inbound_nodes\" is empty: the layer is connected to nothing");
    }
    // An InputLayer is one node (the model's input) without being called on anything.
    calls[l.name] = is_input ? NodeRange{0, 1} : NodeRange{nested ? 1 : 0, std::max<size_t>(1, l.inbound_nodes.size())};
    mc.layers.push_back(std::move(l));
  }

  // Each input names a call that exists. Layers are listed by their first call, so a
  // shared layer's later call may read a layer listed after it (or its own earlier call).
  for (size_t i = 0; functional && i < mc.layers.size(); ++i) {
    const LayerConfig& l = mc.layers[i];
    const std::string where = scope + layer_where(i, l.name);
    for (const auto& node : l.inbound_nodes)
      for (const InboundTensor& t : node) {
        auto it = calls.find(t.layer);
        if (it == calls.end())
          p.fail(where, "its input \"" + t.layer + "\" is not a layer listed before it, nor after it: no layer of " +
                            (scope.empty() ? "the model" : "model \"" + mc.name + "\"") + " has that name");
        if (!it->second.has(t.node_index))
          p.fail(where, "its input " + one_line(to_json(t)) + " names call " + std::to_string(t.node_index) + " of \"" +
                            t.layer + "\", which has " + it->second.text());
      }
  }

  if (functional) {
    mc.input_layers = p.tensor_list(cfg.at("input_layers"), config_where + ": input_layers");
    mc.output_layers = p.tensor_list(cfg.at("output_layers"), config_where + ": output_layers");
    if (mc.input_layers.empty() || mc.output_layers.empty())
      p.fail(config_where, "\"input_layers\" and \"output_layers\" should each name at least one layer");
    auto find = [&](const InboundTensor& t, const std::string& where) -> const LayerConfig& {
      for (const LayerConfig& l : mc.layers)
        if (l.name == t.layer) {
          if (!calls[l.name].has(t.node_index))
            p.fail(where, one_line(to_json(t)) + " names call " + std::to_string(t.node_index) + " of \"" + t.layer +
                              "\", which has " + calls[l.name].text());
          return l;
        }
      p.fail(where, "\"" + t.layer + "\" is not one of the layers");
    };
    for (const InboundTensor& t : mc.input_layers)
      if (find(t, config_where + ": input_layers").class_name != "InputLayer")
        p.fail(config_where + ": input_layers", "\"" + t.layer + "\" is not an InputLayer");
    for (const InboundTensor& t : mc.output_layers) find(t, config_where + ": output_layers");
  }
  return mc;
}

}  // namespace

ModelConfig model_config_from_json(const std::string& text, const std::string& source) {
  const Parser p(source);
  Json root;
  try {
    root = Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    p.fail("", std::string("is not valid JSON (") + e.what() + ")");
  }
  p.check_keys(root, {"format_version", "class_name", "config"}, {"training_config"}, "the top level");
  const Json& version = root.at("format_version");
  if (!version.is_number_integer() || version.get<std::int64_t>() != kModelFormatVersion)
    p.fail("", "has format_version " + one_line(version) + "; this nnscratch reads format_version " +
                   std::to_string(kModelFormatVersion) + " (was the file written by another version?)");

  const std::string class_name = p.string_at(root, "class_name", "the top level");
  if (class_name != "Functional" && class_name != "Sequential")
    p.fail("the top level", "the model class \"" + class_name + "\" is not one nnscratch knows (Functional, Sequential)");
  std::set<std::string> names;
  ModelConfig mc = parse_model(p, root.at("config"), class_name, "", names);

  if (root.contains("training_config")) {
    const Json& t = root.at("training_config");
    const std::string where = "training_config";
    p.check_keys(t, {"loss", "metrics", "optimizer_config"}, {}, where);
    TrainingConfig tc;
    tc.loss = p.string_at(t, "loss", where);
    const Json& metrics = t.at("metrics");
    if (!metrics.is_array()) p.fail(where, "\"metrics\" should be a list of names, e.g. [\"accuracy\"]");
    for (const Json& m : metrics) {
      if (!m.is_string()) p.fail(where, std::string("\"metrics\" holds ") + Parser::type_name(m) + "; it lists names");
      tc.metrics.push_back(m.get<std::string>());
    }
    const Json& opt = t.at("optimizer_config");
    p.check_keys(opt, {"class_name", "config"}, {}, where + ": optimizer_config");
    tc.optimizer = p.string_at(opt, "class_name", where + ": optimizer_config");
    tc.optimizer_config = p.config(opt.at("config"), where + ": optimizer_config");
    mc.training_config = std::move(tc);
  }
  return mc;
}

}  // namespace nn
