// The training state that a checkpoint (model/checkpoint.h) and a model file saved with
// include_optimizer (model/model_file.h) both carry next to the weights: the optimizer's
// memory and the Dropout layers' generators. One writer and one reader, so the two files
// store them the same way, under the same entry names:
//
//   checkpoint/optimizer/name             '<i8' the optimizer's name, one character code each
//   checkpoint/optimizer/iterations       '<i8' (1)  steps taken
//   checkpoint/optimizer/learning_rate    '<f4' (1)
//   checkpoint/optimizer/<state>          '<f4'  Adam's m_0, v_0, m_1, ...; SGD's velocity_0, ...
//   checkpoint/rng/<layer>/state          '<u8' (4)  the generator of a layer drawing random numbers
//                                                    (Dropout, Sampling; a nested model's too): its four words
//   checkpoint/rng/<layer>/spare_normal   '<f4' (0 or 1) the normal number it holds back, if any
//
// Everything under "checkpoint/" is skipped by load_weights, so both files stay weights
// files too. Reading checks each entry's type, size and range before anything changes:
// the read_... functions return what to restore, and the caller applies it once every
// check has passed.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "layers/layer.h"
#include "model/npz.h"
#include "optimizers/optimizer.h"
#include "tensor/rng.h"

namespace nn {

extern const std::string kCheckpointPrefix;  // "checkpoint/"

// Appends checkpoint/<name>/state and checkpoint/<name>/spare_normal.
void add_rng_entries(std::vector<NamedArray>& entries, const std::string& name, const RngState& state);
// Appends the optimizer's entries; creates its state first (as zeros) if no step has run yet,
// so a file saved before training still restores.   params: the model's, in Keras order
void add_optimizer_entries(std::vector<NamedArray>& entries, optimizers::Optimizer& optimizer,
                           const std::vector<Param*>& params);
// Appends checkpoint/rng/<layer>/... for every layer that draws random numbers (Dropout,
// Sampling), a nested model's layers included.
void add_layer_rng_entries(std::vector<NamedArray>& entries, const std::vector<std::shared_ptr<Layer>>& layers);

// Reads the entries under "checkpoint/", checking each one's type, size and range. Every
// problem is an nn::IoError: "<context>: <problem>. <consequence>", e.g. context
// "resume_from: 'ckpt.npz'" and consequence "The checkpoint is damaged ...; the model was
// not changed".
class CheckpointReader {
 public:
  CheckpointReader(const std::vector<NamedArray>& entries, std::string context, std::string consequence);
  bool has(const std::string& name) const;
  Dtype dtype_of(const std::string& name) const;  // requires has(name)
  // The entry checkpoint/<name>: `dtype` numbers, `size` of them unless size < 0.
  const NpyArray& need(const std::string& name, Dtype dtype, long size = -1);
  const std::vector<int64_t>& int64s(const std::string& name, long size = -1);
  const std::vector<uint64_t>& uint64s(const std::string& name, long size = -1);
  const std::vector<double>& float64s(const std::string& name, long size = -1);
  const Tensor& float32s(const std::string& name, long size = -1);
  // `value`, which must lie in lo..hi (so it fits an int).
  int in_range(int64_t value, int64_t lo, int64_t hi, const std::string& what);
  RngState rng(const std::string& name);
  std::string text(const std::string& name);  // printable characters, one code each
  // The names under checkpoint/<group>/ not read by need(), with the prefix.
  std::vector<std::string> unused(const std::string& group) const;
  std::vector<std::string> names_under(const std::string& group) const;  // without the group
  bool has_group(const std::string& group) const { return !names_under(group).empty(); }
  const std::string& context() const { return context_; }
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::string context_, consequence_;
  std::map<std::string, const NpyArray*> by_name_;  // without the "checkpoint/" prefix
  std::set<std::string> used_;
};

// What read_optimizer_entries checked, ready to put into the optimizer.
struct OptimizerRestore {
  long iterations = 0;
  float learning_rate = 0;
  std::vector<std::pair<Tensor*, const Tensor*>> state;  // the optimizer's tensor, its saved value
  void apply(optimizers::Optimizer& optimizer) const;
};

// Checks the optimizer entries against `optimizer` (its kind, and one state tensor of the
// right size per state slot); creates the optimizer's state tensors (as zeros) to have
// something to fill. A saved optimizer of another kind is an IoError "<context> was written
// with the SGD optimizer, but ... is Adam" followed by `other_kind_advice`.
OptimizerRestore read_optimizer_entries(CheckpointReader& reader, optimizers::Optimizer& optimizer,
                                        const std::vector<Param*>& params, const std::string& other_kind_advice);

// The saved generator of every layer drawing random numbers (by name, nested models
// included); entries matching no such layer fail.
std::vector<std::pair<Rng*, RngState>> read_layer_rngs(CheckpointReader& reader,
                                                       const std::vector<std::shared_ptr<Layer>>& layers);

}  // namespace nn
