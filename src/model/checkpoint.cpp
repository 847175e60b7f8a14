// ModelCheckpoint, Model::save_checkpoint, Model::resume_from, and FitResume (how fit picks
// up a resumed run). The reasons for each entry are in model/checkpoint.h.
//
//   <layer>/<param>                       '<f4'  the weights, exactly as save_weights writes them
//   checkpoint/format                     '<i8' (1)  layout version, 2
//   checkpoint/position                   '<i8' (4)  epoch, batches done, batch size, samples
//   checkpoint/seed                       '<u8' (1)  FitOptions::seed
//   checkpoint/order                      '<i8' (samples) the epoch's row order (mid-epoch only)
//   checkpoint/shuffle_rng/state          '<u8' (4)  the shuffling generator's four words
//   checkpoint/shuffle_rng/spare_normal   '<f4' (0 or 1) the normal number it holds back, if any
//   checkpoint/epoch_totals               '<f8' (2+)  loss sum, correct count; for a loss of several
//                                         parts, then each part's sum and the other outputs'
//                                         correct counts (LossTotals::flat, model/loss_parts.h)
//   checkpoint/optimizer/...              the optimizer's name, steps, learning rate and state,
//   checkpoint/rng/<layer>/...            and each Dropout layer's generator: written and read
//                                         by model/training_state.h, which model files share
//   checkpoint/history/<key>              '<f4' (epochs) e.g. checkpoint/history/loss
//
// Format 1 (until this layout) stored every number as float32, 64-bit ones in four 16-bit
// pieces; resume_from recognises such a file and says so instead of misreading it.
#include "model/checkpoint.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <iostream>
#include <map>
#include <set>

#include "kernels/elementwise.h"
#include "model/model.h"
#include "model/npz.h"
#include "model/training_state.h"
#include "tensor/file_io.h"

namespace nn {
namespace {

constexpr int64_t kFormat = 2;
const std::string& kPrefix = kCheckpointPrefix;

NpyArray int64s(std::vector<int64_t> values) { return NpyArray(std::move(values)); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Saving

void Model::save_checkpoint(const std::string& path) {
  optimizers::Optimizer& opt = optimizer();  // throws when not compiled
  if (!built()) throw Error("save_checkpoint: model \"" + name_ + "\" is not built yet; it has no weights to save");
  std::vector<NamedArray> entries = weight_entries();
  auto add = [&](const std::string& name, NpyArray value) { entries.push_back({kPrefix + name, std::move(value)}); };
  const FitProgress& p = progress_;
  add("format", int64s({kFormat}));
  add("position", int64s({p.epoch, p.batches_done, p.batch_size, p.samples}));
  add("seed", NpyArray(std::vector<uint64_t>{p.seed}));
  if (p.order && p.batches_done > 0) add("order", int64s(std::vector<int64_t>(p.order->begin(), p.order->end())));
  add_rng_entries(entries, "shuffle_rng", p.shuffle_rng ? p.shuffle_rng->state() : global_rng().state());
  const LogNames names = log_names();
  const LossTotals totals =
      p.totals.correct.empty() ? LossTotals::zeros(names.parts.size(), num_outputs()) : p.totals;  // (outside fit)
  add("epoch_totals", NpyArray(totals.flat()));
  add_optimizer_entries(entries, opt, params());
  add_layer_rng_entries(entries, layers_);
  if (p.history)
    for (auto& [key, values] : p.history->history)
      add("history/" + key, Tensor({static_cast<int>(values.size())}, values));
  write_npz(path, entries);
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), options_(options) {
  if (filepath_.empty()) throw ValueError("ModelCheckpoint: the file path is empty; give e.g. \"out/ckpt.npz\"");
  if (options_.save_freq < 0)
    throw ValueError("ModelCheckpoint: save_freq must be 0 (every epoch) or a number of batches >= 1, got " +
                     std::to_string(options_.save_freq));
}

void ModelCheckpoint::on_train_begin(Model&) {
  saves_ = 0;
  remove_stale_temporary(filepath_);  // a run killed while saving left it; the checkpoint itself is intact
}

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
  const std::vector<NamedArray> entries = read_npz(path);  // IoError if missing, truncated or corrupt
  CheckpointReader r(entries, "resume_from: '" + path + "'",
                     "The checkpoint is damaged or was written by another version; the model was not changed");
  if (!r.has("format"))
    throw IoError("resume_from: '" + path +
                  "' is not a checkpoint (it has no \"checkpoint/format\" entry): it looks like a weights file or a "
                  "model file; load it with load_weights (or nn::load_model for a file model.save wrote), or write "
                  "checkpoints with the ModelCheckpoint callback");
  // Format 1 wrote its version, like every other number, as a float.
  if (r.dtype_of("format") == Dtype::float32)
    throw IoError("resume_from: '" + path + "' is a checkpoint of format 1, written by an older nnscratch that stored "
                  "every number as a float; this nnscratch reads format " + std::to_string(kFormat) +
                  ". Resume that run with the version that wrote it, or start it again (load_weights still reads "
                  "its weights); the model was not changed");
  const int64_t format = r.int64s("format", 1)[0];
  if (format != kFormat)
    r.fail("its format version is " + std::to_string(format) + "; this nnscratch reads version " +
           std::to_string(kFormat));

  auto weights = match_weights(entries, "resume_from: '" + path + "'");

  // The optimizer (same kind, one state tensor per state slot) and the Dropout generators.
  const OptimizerRestore optimizer_state =
      read_optimizer_entries(r, opt, params(), "compile it with the same optimizer as the interrupted run");
  const std::vector<std::pair<Rng*, RngState>> generators = read_layer_rngs(r, layers_);

  // Where fit was.
  auto point = std::make_shared<ResumePoint>();
  point->path = path;
  const std::vector<int64_t>& pos = r.int64s("position", 4);
  point->epoch = r.in_range(pos[0], 0, INT_MAX, "the epoch");
  point->batches_done = r.in_range(pos[1], 0, INT_MAX, "the batches done");
  point->batch_size = r.in_range(pos[2], 0, INT_MAX, "the batch size");
  point->samples = r.in_range(pos[3], 0, INT_MAX, "the number of samples");
  point->seed = r.uint64s("seed", 1)[0];
  point->shuffle_rng = r.rng("shuffle_rng");
  const size_t parts = log_names().parts.size(), outputs = num_outputs();
  if (r.has("epoch_totals") && r.dtype_of("epoch_totals") == Dtype::float64 &&
      r.float64s("epoch_totals").size() != LossTotals::flat_size(parts, outputs))
    r.fail("\"checkpoint/epoch_totals\" holds " + std::to_string(r.float64s("epoch_totals").size()) +
           " numbers, this model keeps " + std::to_string(LossTotals::flat_size(parts, outputs)) +
           " (its loss has other parts or outputs than the one that wrote it)");
  point->totals = LossTotals::from_flat(r.float64s("epoch_totals", static_cast<long>(LossTotals::flat_size(parts, outputs))),
                                        parts, outputs);
  if (point->batches_done > 0) {
    if (point->batch_size < 1) r.fail("batches are done but the batch size is 0");
    if (static_cast<int64_t>(point->batches_done - 1) * point->batch_size >= point->samples)
      r.fail(std::to_string(point->batches_done) + " batches of " + std::to_string(point->batch_size) +
             " are more than the " + std::to_string(point->samples) + " samples");
    const std::vector<int64_t>& order = r.int64s("order", point->samples);
    std::vector<char> seen(static_cast<size_t>(point->samples), 0);
    point->order.resize(static_cast<size_t>(point->samples));
    for (size_t i = 0; i < order.size(); ++i) {
      const int row = r.in_range(order[i], 0, point->samples - 1, "a sample index of checkpoint/order");
      if (seen[static_cast<size_t>(row)]++) r.fail("checkpoint/order lists sample " + std::to_string(row) + " twice");
      point->order[i] = row;
    }
  }
  for (const std::string& key : r.names_under("history/")) {
    const Tensor& values = r.float32s("history/" + key);
    if (values.size() != static_cast<size_t>(point->epoch))
      r.fail("the history of \"" + key + "\" has " + std::to_string(values.size()) + " epochs, the position says " +
             std::to_string(point->epoch));
    point->history.history[key].assign(values.begin(), values.end());
  }

  // Everything checked: now change the model.
  for (auto& [p, t] : weights) p->value = *t;
  optimizer_state.apply(opt);
  for (auto& [g, st] : generators) g->set_state(st);
  resume_ = std::move(point);
}

// ---------------------------------------------------------------------------------------
// FitResume: how the next fit carries on from resume_from's point.

FitResume::FitResume(std::shared_ptr<const ResumePoint> point, uint64_t seed, int samples, Rng& shuffle_rng,
                     History& history)
    : point_(std::move(point)) {
  if (!point_) return;
  const ResumePoint& r = *point_;
  // A resumed run must be the same run: same seed, same number of training samples. (A
  // checkpoint saved outside fit, between two fits, has samples = 0: no run to match.)
  if (r.samples > 0) {
    const std::string intro = "fit: resuming from '" + r.path + "', ";
    if (r.seed != seed)
      throw ValueError(intro + "which was written by a fit with seed " + std::to_string(r.seed) +
                       ", but this fit has seed " + std::to_string(seed) + "; pass .seed = " + std::to_string(r.seed) +
                       " to continue that run");
    if (r.samples != samples)
      throw ValueError(intro + "which was written by a fit on " + std::to_string(r.samples) +
                       " training samples, but this fit has " + std::to_string(samples) +
                       "; pass the same data and validation_split as the interrupted run");
  }
  // Saved outside fit, the generator recorded is the global one: it only matters to a
  // fit that shuffles with the global generator.
  if (r.samples > 0 || seed == 0) shuffle_rng.set_state(r.shuffle_rng);
  history = r.history;
}

int FitResume::first_epoch() const { return point_ ? point_->epoch : 0; }

bool FitResume::continues_epoch(int epoch) const {
  return point_ && epoch == point_->epoch && point_->batches_done > 0;
}

EpochStart FitResume::saved_epoch() const {
  // resume_from checked that the batches done fit in the epoch: batches_done <= steps.
  return EpochStart{.batch_size = point_->batch_size,
                    .order = point_->order,
                    .first_step = point_->batches_done,
                    .totals = point_->totals};
}

}  // namespace nn
