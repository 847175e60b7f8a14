// The optimizer's and the Dropout generators' entries, shared by checkpoints and model
// files (the layout is in model/training_state.h).
#include "model/training_state.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"
#include "model/nested_model.h"
#include "tensor/error.h"

namespace nn {

const std::string kCheckpointPrefix = "checkpoint/";

namespace {

NpyArray text_array(const std::string& s) { return NpyArray(std::vector<int64_t>(s.begin(), s.end())); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Writing

void add_rng_entries(std::vector<NamedArray>& entries, const std::string& name, const RngState& st) {
  entries.push_back({kCheckpointPrefix + name + "/state", NpyArray(std::vector<uint64_t>(st.words, st.words + 4))});
  const int spares = st.has_spare_normal ? 1 : 0;
  entries.push_back({kCheckpointPrefix + name + "/spare_normal", Tensor({spares}, st.spare_normal)});
}

void add_optimizer_entries(std::vector<NamedArray>& entries, optimizers::Optimizer& opt,
                           const std::vector<Param*>& params) {
  opt.build_state(params);  // keeps existing state; creates zeros before the first step
  auto add = [&](const std::string& name, NpyArray value) {
    entries.push_back({kCheckpointPrefix + "optimizer/" + name, std::move(value)});
  };
  add("name", text_array(opt.name()));
  add("iterations", NpyArray(std::vector<int64_t>{opt.iterations()}));
  add("learning_rate", Tensor({1}, opt.learning_rate));
  for (auto& [state_name, tensor] : opt.state()) add(state_name, *tensor);
}

void add_layer_rng_entries(std::vector<NamedArray>& entries, const std::vector<std::shared_ptr<Layer>>& layers) {
  for (auto& layer : flatten_nested(layers))  // a nested model's Dropout and Sampling too
    if (Rng* g = layer->random_generator()) add_rng_entries(entries, "rng/" + layer->name(), g->state());
}

// ---------------------------------------------------------------------------------------
// Reading

CheckpointReader::CheckpointReader(const std::vector<NamedArray>& entries, std::string context,
                                   std::string consequence)
    : context_(std::move(context)), consequence_(std::move(consequence)) {
  for (auto& e : entries)
    if (e.name.rfind(kCheckpointPrefix, 0) == 0) by_name_[e.name.substr(kCheckpointPrefix.size())] = &e.value;
}

bool CheckpointReader::has(const std::string& name) const { return by_name_.count(name) > 0; }

Dtype CheckpointReader::dtype_of(const std::string& name) const { return by_name_.at(name)->dtype(); }

const NpyArray& CheckpointReader::need(const std::string& name, Dtype dtype, long size) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) fail("it has no entry \"" + kCheckpointPrefix + name + "\"");
  const NpyArray& array = *it->second;
  if (array.dtype() != dtype)
    fail("\"" + kCheckpointPrefix + name + "\" holds '" + array.descr() + "' numbers, expected '" + npy_descr(dtype) +
         "'");
  if (size >= 0 && array.size() != static_cast<size_t>(size))
    fail("\"" + kCheckpointPrefix + name + "\" holds " + std::to_string(array.size()) + " numbers, expected " +
         std::to_string(size));
  used_.insert(name);
  return array;
}

const std::vector<int64_t>& CheckpointReader::int64s(const std::string& name, long size) {
  return need(name, Dtype::int64, size).int64();
}

const std::vector<uint64_t>& CheckpointReader::uint64s(const std::string& name, long size) {
  return need(name, Dtype::uint64, size).uint64();
}

const std::vector<double>& CheckpointReader::float64s(const std::string& name, long size) {
  return need(name, Dtype::float64, size).float64();
}

const Tensor& CheckpointReader::float32s(const std::string& name, long size) {
  return need(name, Dtype::float32, size).float32();
}

int CheckpointReader::in_range(int64_t value, int64_t lo, int64_t hi, const std::string& what) {
  if (value < lo || value > hi)
    fail(what + " is " + std::to_string(value) + ", expected " + std::to_string(lo) + ".." + std::to_string(hi));
  return static_cast<int>(value);
}

RngState CheckpointReader::rng(const std::string& name) {
  RngState st;
  const std::vector<uint64_t>& words = uint64s(name + "/state", 4);
  std::copy(words.begin(), words.end(), st.words);
  if ((st.words[0] | st.words[1] | st.words[2] | st.words[3]) == 0)
    fail(kCheckpointPrefix + name + "/state is all zeros");
  const Tensor& spare = float32s(name + "/spare_normal");
  if (spare.size() > 1)
    fail(kCheckpointPrefix + name + "/spare_normal holds " + std::to_string(spare.size()) +
         " numbers, expected 0 or 1");
  st.has_spare_normal = spare.size() == 1;
  if (st.has_spare_normal) st.spare_normal = spare[0];
  return st;
}

std::string CheckpointReader::text(const std::string& name) {
  std::string s;
  for (int64_t code : int64s(name)) s += static_cast<char>(in_range(code, 32, 126, kCheckpointPrefix + name));
  return s;
}

std::vector<std::string> CheckpointReader::unused(const std::string& group) const {
  std::vector<std::string> out;
  for (auto& [name, array] : by_name_)
    if (name.rfind(group, 0) == 0 && !used_.count(name)) out.push_back(kCheckpointPrefix + name);
  return out;
}

std::vector<std::string> CheckpointReader::names_under(const std::string& group) const {
  std::vector<std::string> out;
  for (auto& [name, array] : by_name_)
    if (name.rfind(group, 0) == 0) out.push_back(name.substr(group.size()));
  return out;
}

void CheckpointReader::fail(const std::string& problem) const {
  throw IoError(context_ + ": " + problem + ". " + consequence_);
}

void OptimizerRestore::apply(optimizers::Optimizer& opt) const {
  for (auto& [tensor, saved] : state) *tensor = *saved;
  opt.set_iterations(iterations);
  opt.learning_rate = learning_rate;
}

OptimizerRestore read_optimizer_entries(CheckpointReader& r, optimizers::Optimizer& opt,
                                        const std::vector<Param*>& params, const std::string& other_kind_advice) {
  const std::string saved_name = r.text("optimizer/name");
  if (saved_name != opt.name())
    throw IoError(r.context() + " was written with the " + saved_name + " optimizer, but the model is compiled with " +
                  opt.name() + "; " + other_kind_advice);
  OptimizerRestore restore;
  const int64_t iterations = r.int64s("optimizer/iterations", 1)[0];
  if (iterations < 0) r.fail("the optimizer's step count is negative (" + std::to_string(iterations) + ")");
  restore.iterations = static_cast<long>(iterations);
  restore.learning_rate = r.float32s("optimizer/learning_rate", 1)[0];
  if (!(restore.learning_rate > 0.0f) || !std::isfinite(restore.learning_rate))
    r.fail("the saved learning rate is not a positive number");
  opt.build_state(params);  // makes the state tensors exist (as zeros) so they can be filled
  for (auto& [state_name, tensor] : opt.state()) {
    const Tensor& saved = r.float32s("optimizer/" + state_name, static_cast<long>(tensor->size()));
    if (!all_finite(saved.data(), saved.size())) r.fail("the optimizer state \"" + state_name + "\" holds NaN or inf");
    restore.state.emplace_back(tensor, &saved);
  }
  for (auto& extra : r.unused("optimizer/"))
    r.fail("\"" + extra + "\" matches no state of this " + opt.name() +
           " optimizer (was it created with other settings, e.g. momentum?)");
  return restore;
}

std::vector<std::pair<Rng*, RngState>> read_layer_rngs(CheckpointReader& r,
                                                       const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<std::pair<Rng*, RngState>> generators;
  for (auto& layer : flatten_nested(layers))
    if (Rng* g = layer->random_generator()) generators.emplace_back(g, r.rng("rng/" + layer->name()));
  for (auto& extra : r.unused("rng/"))
    r.fail("\"" + extra + "\" matches no layer of this model that draws random numbers (Dropout, Sampling)");
  return generators;
}

}  // namespace nn
