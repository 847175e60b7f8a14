// ModelCheckpoint, Model::save_checkpoint and Model::resume_from. The file layout and the
// reasons for each entry are in model/checkpoint.h.
//
//   <layer>/<param>                       the weights, exactly as save_weights writes them
//   checkpoint/format                     (1)  layout version, 1
//   checkpoint/position                   (4)  epoch, batches done, batch size, samples
//   checkpoint/seed                       (4)  FitOptions::seed              (64-bit)
//   checkpoint/order                      (samples) the epoch's row order (mid-epoch only)
//   checkpoint/shuffle_rng                (24) the shuffling generator       (6 × 64-bit)
//   checkpoint/epoch_totals               (8)  loss sum, correct count       (2 doubles' bits)
//   checkpoint/optimizer/name             the optimizer's name, one character code per float
//   checkpoint/optimizer/iterations       (4)  steps taken                   (64-bit)
//   checkpoint/optimizer/learning_rate    (1)
//   checkpoint/optimizer/<state>          Adam's m_0, v_0, m_1, ...; SGD's velocity_0, ...
//   checkpoint/rng/<layer>                (24) a Dropout layer's generator   (6 × 64-bit)
//   checkpoint/history/<key>              (epochs) e.g. checkpoint/history/loss
#include "model/checkpoint.h"

#include <bit>
#include <cmath>
#include <iostream>
#include <map>
#include <set>

#include "kernels/elementwise.h"
#include "model/model.h"
#include "model/npz.h"

namespace nn {
namespace {

constexpr float kFormat = 1;
const std::string kPrefix = "checkpoint/";
constexpr int kMaxWhole = 1 << 24;  // every whole number up to 2^24 is exact in a float

// ---- numbers into floats ----

void put_u64(std::vector<float>& out, uint64_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<float>((v >> (16 * i)) & 0xFFFF));
}

void put_rng(std::vector<float>& out, const RngState& st) {
  for (uint64_t w : st.words) put_u64(out, w);
  put_u64(out, st.has_spare_normal ? 1 : 0);
  put_u64(out, std::bit_cast<uint32_t>(st.spare_normal));
}

void put_whole(std::vector<float>& out, long v, const std::string& what) {
  if (v < 0 || v > kMaxWhole)
    throw Error("save_checkpoint: " + what + " = " + std::to_string(v) + " does not fit the checkpoint format (0.." +
                std::to_string(kMaxWhole) + ")");
  out.push_back(static_cast<float>(v));
}

Tensor vector_tensor(std::vector<float> values) {
  const int n = static_cast<int>(values.size());
  return Tensor({n}, std::move(values));
}

// ---- floats back into numbers, checking everything ----

class Reader {
 public:
  Reader(const std::vector<NamedTensor>& entries, std::string path) : path_(std::move(path)) {
    for (auto& e : entries)
      if (e.name.rfind(kPrefix, 0) == 0) by_name_[e.name.substr(kPrefix.size())] = &e.value;
  }
  bool has(const std::string& name) const { return by_name_.count(name) > 0; }
  // The entry checkpoint/<name>; `size` elements unless size < 0.
  const Tensor& need(const std::string& name, long size = -1) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) fail("it has no entry \"" + kPrefix + name + "\"");
    if (size >= 0 && it->second->size() != static_cast<size_t>(size))
      fail("\"" + kPrefix + name + "\" holds " + std::to_string(it->second->size()) + " numbers, expected " +
           std::to_string(size));
    used_.insert(name);
    return *it->second;
  }
  int whole(const Tensor& t, size_t i, long lo, long hi, const std::string& what) {
    const float v = t[i];
    if (!(v >= static_cast<float>(lo) && v <= static_cast<float>(hi)) || v != std::floor(v))
      fail(what + " is " + std::to_string(v) + ", expected a whole number in " + std::to_string(lo) + ".." +
           std::to_string(hi));
    return static_cast<int>(v);
  }
  uint64_t u64(const Tensor& t, size_t at, const std::string& what) {
    uint64_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint64_t>(whole(t, at + i, 0, 0xFFFF, what)) << (16 * i);
    return v;
  }
  RngState rng(const std::string& name) {
    const Tensor& t = need(name, 24);
    RngState st;
    for (int i = 0; i < 4; ++i) st.words[i] = u64(t, 4 * i, name);
    if ((st.words[0] | st.words[1] | st.words[2] | st.words[3]) == 0) fail(name + " is all zeros");
    const uint64_t spare = u64(t, 16, name);
    if (spare > 1) fail(name + " is damaged (its spare-normal flag is " + std::to_string(spare) + ")");
    st.has_spare_normal = spare == 1;
    const uint64_t bits = u64(t, 20, name);
    if (bits > 0xFFFFFFFFu) fail(name + " is damaged");
    st.spare_normal = std::bit_cast<float>(static_cast<uint32_t>(bits));
    return st;
  }
  // The names under checkpoint/<group>/ not read by need().
  std::vector<std::string> unused(const std::string& group) const {
    std::vector<std::string> out;
    for (auto& [name, t] : by_name_)
      if (name.rfind(group, 0) == 0 && !used_.count(name)) out.push_back(kPrefix + name);
    return out;
  }
  std::vector<std::string> names_under(const std::string& group) const {
    std::vector<std::string> out;
    for (auto& [name, t] : by_name_)
      if (name.rfind(group, 0) == 0) out.push_back(name.substr(group.size()));
    return out;
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw IoError("resume_from: '" + path_ + "': " + problem +
                  ". The checkpoint is damaged or was written by another version; the model was not changed");
  }

 private:
  std::string path_;
  std::map<std::string, const Tensor*> by_name_;  // without the "checkpoint/" prefix
  std::set<std::string> used_;
};

std::string decode_text(Reader& r, const Tensor& t, const std::string& what) {
  std::string s;
  for (size_t i = 0; i < t.size(); ++i) s += static_cast<char>(r.whole(t, i, 32, 126, what));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Saving

void Model::save_checkpoint(const std::string& path) {
  optimizers::Optimizer& opt = optimizer();  // throws when not compiled
  if (!built()) throw Error("save_checkpoint: model \"" + name_ + "\" is not built yet; it has no weights to save");
  std::vector<NamedTensor> entries = weight_entries();
  auto add = [&](const std::string& name, std::vector<float> values) {
    entries.push_back({kPrefix + name, vector_tensor(std::move(values))});
  };
  const FitProgress& p = progress_;
  add("format", {kFormat});
  std::vector<float> position;
  put_whole(position, p.epoch, "epoch");
  put_whole(position, p.batches_done, "batches done");
  put_whole(position, p.batch_size, "batch size");
  put_whole(position, p.samples, "training samples");
  add("position", position);
  std::vector<float> seed;
  put_u64(seed, p.seed);
  add("seed", seed);
  if (p.order && p.batches_done > 0) {
    std::vector<float> order;
    order.reserve(p.order->size());
    for (int i : *p.order) put_whole(order, i, "a sample index");
    add("order", order);
  }
  std::vector<float> rng;
  put_rng(rng, p.shuffle_rng ? p.shuffle_rng->state() : global_rng().state());
  add("shuffle_rng", rng);
  std::vector<float> totals;
  put_u64(totals, std::bit_cast<uint64_t>(p.loss_sum));
  put_u64(totals, std::bit_cast<uint64_t>(p.correct));
  add("epoch_totals", totals);

  std::vector<float> name;
  for (char c : opt.name()) name.push_back(static_cast<float>(c));
  add("optimizer/name", name);
  std::vector<float> iterations;
  put_u64(iterations, static_cast<uint64_t>(opt.iterations()));
  add("optimizer/iterations", iterations);
  add("optimizer/learning_rate", {opt.learning_rate});
  for (auto& [state_name, tensor] : opt.state()) entries.push_back({kPrefix + "optimizer/" + state_name, *tensor});

  for (auto& layer : layers_) {
    if (Rng* g = layer->random_generator()) {
      std::vector<float> st;
      put_rng(st, g->state());
      add("rng/" + layer->name(), st);
    }
  }
  if (p.history)
    for (auto& [key, values] : p.history->history) add("history/" + key, values);
  write_npz(path, entries);
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), options_(options) {
  if (filepath_.empty()) throw ValueError("ModelCheckpoint: the file path is empty; give e.g. \"out/ckpt.npz\"");
  if (options_.save_freq < 0)
    throw ValueError("ModelCheckpoint: save_freq must be 0 (every epoch) or a number of batches >= 1, got " +
                     std::to_string(options_.save_freq));
}

void ModelCheckpoint::on_train_begin(Model&) { saves_ = 0; }

void ModelCheckpoint::save(Model& model) {
  model.save_checkpoint(filepath_);
  ++saves_;
  if (options_.verbose) {
    const FitProgress& p = model.fit_progress();
    std::cout << "\nModelCheckpoint: saved " << filepath_ << " (epoch " << p.epoch + 1 << ", after batch "
              << p.batches_done << ")\n";
  }
}

void ModelCheckpoint::on_batch_end(int, const Logs&, Model& model) {
  if (options_.save_freq > 0 && model.optimizer().iterations() % options_.save_freq == 0) save(model);
}

void ModelCheckpoint::on_epoch_end(int, const Logs&, Model& model) {
  if (options_.save_freq == 0) save(model);
}

// ---------------------------------------------------------------------------------------
// Resuming: read and check everything first, then change the model in one go.

void Model::resume_from(const std::string& path) {
  if (!compiled())
    throw Error("resume_from: compile model \"" + name_ +
                "\" first, with the same loss and optimizer as the interrupted run, then call resume_from");
  if (!built())
    throw Error("resume_from: model \"" + name_ +
                "\" is not built yet; start it with an Input layer so its weights exist before resuming");
  optimizers::Optimizer& opt = optimizer();
  const std::vector<NamedTensor> entries = read_npz(path);  // IoError if missing, truncated or corrupt
  Reader r(entries, path);
  if (!r.has("format"))
    throw IoError("resume_from: '" + path +
                  "' is not a checkpoint (it has no \"checkpoint/\" entries): it looks like a weights file; load "
                  "it with load_weights, or write checkpoints with the ModelCheckpoint callback");
  const Tensor& format = r.need("format", 1);
  if (format[0] != kFormat)
    r.fail("its format version is " + std::to_string(format[0]) + "; this nnscratch reads version 1");

  auto weights = match_weights(entries, "resume_from: '" + path + "'");

  // The optimizer: same kind, and one state tensor per state slot of this model.
  const std::string saved_name = decode_text(r, r.need("optimizer/name"), "checkpoint/optimizer/name");
  if (saved_name != opt.name())
    throw IoError("resume_from: '" + path + "' was written with the " + saved_name +
                  " optimizer, but the model is compiled with " + opt.name() +
                  "; compile it with the same optimizer as the interrupted run");
  const uint64_t iterations = r.u64(r.need("optimizer/iterations", 4), 0, "checkpoint/optimizer/iterations");
  const float learning_rate = r.need("optimizer/learning_rate", 1)[0];
  if (!(learning_rate > 0.0f) || !std::isfinite(learning_rate)) r.fail("the saved learning rate is not a positive number");
  opt.build_state(params());  // makes the state tensors exist (as zeros) so they can be filled
  std::vector<std::pair<Tensor*, const Tensor*>> state;
  for (auto& [state_name, tensor] : opt.state()) {
    const Tensor& saved = r.need("optimizer/" + state_name, static_cast<long>(tensor->size()));
    if (!all_finite(saved.data(), saved.size())) r.fail("the optimizer state \"" + state_name + "\" holds NaN or inf");
    state.emplace_back(tensor, &saved);
  }
  for (auto& extra : r.unused("optimizer/"))
    r.fail("\"" + extra + "\" matches no state of this " + opt.name() +
           " optimizer (was it created with other settings, e.g. momentum?)");

  // Dropout generators, by layer name.
  std::vector<std::pair<Rng*, RngState>> generators;
  for (auto& layer : layers_)
    if (Rng* g = layer->random_generator()) generators.emplace_back(g, r.rng("rng/" + layer->name()));
  for (auto& extra : r.unused("rng/")) r.fail("\"" + extra + "\" matches no Dropout layer of this model");

  // Where fit was.
  auto point = std::make_shared<ResumePoint>();
  point->path = path;
  const Tensor& pos = r.need("position", 4);
  point->epoch = r.whole(pos, 0, 0, kMaxWhole, "the epoch");
  point->batch_size = r.whole(pos, 2, 0, kMaxWhole, "the batch size");
  point->samples = r.whole(pos, 3, 0, kMaxWhole, "the number of samples");
  point->batches_done = r.whole(pos, 1, 0, kMaxWhole, "the batches done");
  point->seed = r.u64(r.need("seed", 4), 0, "checkpoint/seed");
  point->shuffle_rng = r.rng("shuffle_rng");
  const Tensor& totals = r.need("epoch_totals", 8);
  point->loss_sum = std::bit_cast<double>(r.u64(totals, 0, "checkpoint/epoch_totals"));
  point->correct = std::bit_cast<double>(r.u64(totals, 4, "checkpoint/epoch_totals"));
  if (point->batches_done > 0) {
    if (point->batch_size < 1) r.fail("batches are done but the batch size is 0");
    if (static_cast<long>(point->batches_done - 1) * point->batch_size >= point->samples)
      r.fail(std::to_string(point->batches_done) + " batches of " + std::to_string(point->batch_size) +
             " are more than the " + std::to_string(point->samples) + " samples");
    const Tensor& order = r.need("order", point->samples);
    std::vector<char> seen(static_cast<size_t>(point->samples), 0);
    point->order.resize(static_cast<size_t>(point->samples));
    for (size_t i = 0; i < order.size(); ++i) {
      const int row = r.whole(order, i, 0, point->samples - 1, "a sample index of checkpoint/order");
      if (seen[static_cast<size_t>(row)]++) r.fail("checkpoint/order lists sample " + std::to_string(row) + " twice");
      point->order[i] = row;
    }
  }
  for (const std::string& key : r.names_under("history/")) {
    const Tensor& values = r.need("history/" + key);
    if (values.size() != static_cast<size_t>(point->epoch))
      r.fail("the history of \"" + key + "\" has " + std::to_string(values.size()) + " epochs, the position says " +
             std::to_string(point->epoch));
    point->history.history[key].assign(values.begin(), values.end());
  }

  // Everything checked: now change the model.
  for (auto& [p, t] : weights) p->value = *t;
  for (auto& [tensor, saved] : state) *tensor = *saved;
  opt.set_iterations(static_cast<long>(iterations));
  opt.learning_rate = learning_rate;
  for (auto& [g, st] : generators) g->set_state(st);
  resume_ = std::move(point);
}

}  // namespace nn
