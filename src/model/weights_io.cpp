// Model::save_weights / load_weights — every parameter in a NumPy .npz file, keyed
// "<layer>/<param>" ("dense/kernel", "dense/bias", "batch_normalization/moving_mean", ...),
// in layer order, so `numpy.load("w.npz")["dense/kernel"]` gives the (in, out) matrix.
// write_npz writes to a temporary file and renames it, and its bytes depend only on the
// weights, so two identical trainings produce identical files.
#include <map>

#include "model/model.h"
#include "model/npz.h"

namespace nn {

void Model::save_weights(const std::string& path) {
  std::vector<NamedTensor> entries;
  for (auto& layer : layers_)
    for (Param* p : layer->params()) entries.push_back({layer->name() + "/" + p->name, p->value});
  write_npz(path, entries);
}

void Model::load_weights(const std::string& path) {
  std::vector<NamedTensor> entries = read_npz(path);
  std::map<std::string, const Tensor*> by_name;
  for (auto& e : entries) by_name[e.name] = &e.value;
  // Check everything first, so a mismatched file leaves the model exactly as it was.
  std::vector<std::pair<Param*, const Tensor*>> plan;
  std::string problems;
  for (auto& layer : layers_) {
    for (Param* p : layer->params()) {
      const std::string key = layer->name() + "/" + p->name;
      auto it = by_name.find(key);
      if (it == by_name.end()) {
        problems += "\n  missing \"" + key + "\" " + shape_str(p->value.shape());
      } else if (it->second->shape() != p->value.shape()) {
        problems += "\n  \"" + key + "\" has shape " + shape_str(it->second->shape()) + ", the model needs " +
                    shape_str(p->value.shape());
      } else {
        plan.emplace_back(p, it->second);
      }
      by_name.erase(key);
    }
  }
  for (auto& [name, t] : by_name) problems += "\n  \"" + name + "\" in the file matches no layer of this model";
  if (!problems.empty())
    throw IoError("load_weights: " + path + " does not fit model \"" + name_ + "\":" + problems +
                  "\n(layer names come from construction order: build the model exactly as when it was saved, "
                  "or call nn::reset_layer_names() first)");
  for (auto& [p, t] : plan) p->value = *t;
}

}  // namespace nn
