// Model::save_weights / load_weights — every parameter in a NumPy .npz file, keyed
// "<layer>/<param>" ("dense/kernel", "dense/bias", "batch_normalization/moving_mean", ...),
// in layer order, so `numpy.load("w.npz")["dense/kernel"]` gives the (in, out) matrix.
// write_npz writes to a temporary file and renames it, and its bytes depend only on the
// weights, so two identical trainings produce identical files.
//
// A checkpoint (model/checkpoint.h) is a weights file with more entries, all under
// "checkpoint/", and a model file (model/model_file.h) one with a config.json as well:
// load_weights reads the weights out of either.
#include <map>

#include "model/model.h"
#include "model/nested_model.h"
#include "model/npz.h"

namespace nn {

namespace {
// Every parameter with its key "<layer>/<param>"; a nested model (model/nested_model.h)
// contributes its own layers' keys, as its own save_weights writes them.
void named_params(const std::vector<std::shared_ptr<Layer>>& layers, std::vector<std::pair<std::string, Param*>>& out) {
  for (auto& layer : flatten_nested(layers))
    for (Param* p : layer->params()) out.emplace_back(layer->name() + "/" + p->name, p);
}
}  // namespace

std::vector<NamedArray> Model::weight_entries() {
  std::vector<std::pair<std::string, Param*>> named;
  named_params(layers_, named);
  std::vector<NamedArray> entries;
  for (auto& [key, p] : named) entries.push_back({key, p->value});
  return entries;
}

const char* const Model::kRebuildHint =
    "(layer names come from construction order: build the model exactly as when it was saved, "
    "or call nn::reset_layer_names() first)";

std::vector<std::pair<Param*, const Tensor*>> Model::match_weights(const std::vector<NamedArray>& entries,
                                                                   const std::string& what, const std::string& hint) {
  std::map<std::string, const NpyArray*> by_name;
  for (auto& e : entries)
    if (e.name.rfind("checkpoint/", 0) != 0) by_name[e.name] = &e.value;
  std::vector<std::pair<Param*, const Tensor*>> plan;
  std::string problems;
  std::vector<std::pair<std::string, Param*>> named;
  named_params(layers_, named);
  {
    for (auto& [key, p] : named) {
      auto it = by_name.find(key);
      if (it == by_name.end()) {
        problems += "\n  missing \"" + key + "\" " + shape_str(p->value.shape());
      } else if (it->second->dtype() != Dtype::float32) {
        problems += "\n  \"" + key + "\" holds '" + it->second->descr() +
                    "' numbers; weights are float32 ('<f4'): in NumPy, save a.astype('<f4')";
      } else if (it->second->shape() != p->value.shape()) {
        problems += "\n  \"" + key + "\" has shape " + shape_str(it->second->shape()) + ", the model needs " +
                    shape_str(p->value.shape());
      } else {
        plan.emplace_back(p, &it->second->float32());
      }
      by_name.erase(key);
    }
  }
  for (auto& [name, t] : by_name) problems += "\n  \"" + name + "\" in the file matches no layer of this model";
  if (!problems.empty())
    throw IoError(what + " does not fit model \"" + name_ + "\":" + problems + "\n" + hint);
  return plan;
}

void Model::save_weights(const std::string& path) { write_npz(path, weight_entries()); }

void Model::load_weights(const std::string& path) {
  std::vector<NamedArray> entries = read_npz(path);
  // Check everything first, so a mismatched file leaves the model exactly as it was.
  for (auto& [p, t] : match_weights(entries, "load_weights: " + path)) p->value = *t;
}

}  // namespace nn
