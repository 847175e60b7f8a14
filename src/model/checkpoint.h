// Checkpoints: save everything a training run needs to carry on after a crash, and resume.
//
//   auto ckpt = std::make_shared<nn::ModelCheckpoint>("out/ckpt.npz", nn::ModelCheckpointOptions{.save_freq = 100});
//   model.fit(x, y, {.epochs = 10, .callbacks = {ckpt}});      // killed half-way through...
//
//   // ...later, in a fresh process: build and compile the same model, then
//   model.resume_from("out/ckpt.npz");
//   model.fit(x, y, {.epochs = 10});   // carries on at the saved epoch and batch
//
// With the same data, options and seed, the resumed run ends with bit-identical weights to
// a run that was never interrupted. That needs more than the weights:
//   - the optimizer's memory: Adam's m and v for every weight and its step count t (the
//     bias correction depends on t); SGD's velocity;
//   - where fit was: the epoch, how many batches of it were done, this epoch's shuffled
//     order of the samples, and the shuffling generator (so later epochs shuffle the same);
//   - each Dropout layer's generator (so the same units are dropped);
//   - the running loss (and its parts) and accuracy of the unfinished epoch, and the history
//     so far.
// BatchNormalization's moving statistics are parameters, so they travel with the weights.
//
// The file is a NumPy .npz: the weights exactly as save_weights writes them (so
// load_weights reads a checkpoint too), plus entries under "checkpoint/". Every value is
// stored in its own type, so it comes back exactly: counts and positions as int64 ('<i8'),
// the seed and the generators' 64-bit states as uint64 ('<u8'), the running sums as
// float64 ('<f8'), and float32 ('<f4') for what is float in the model (weights, the
// optimizer's state, the history). In Python, numpy.load shows them all.
//
// Saving goes through write_npz: a temporary file, fsync, then rename over the old
// checkpoint. A crash at any moment leaves either the previous complete checkpoint or the
// new complete one, never half of one. A file that is damaged anyway (a failing disk, a
// copy cut short) fails its CRC-32 checks and resume_from says so, changing nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/callbacks.h"
#include "model/history.h"
#include "model/loss_parts.h"
#include "tensor/rng.h"

namespace nn {

struct ModelCheckpointOptions {
  // 0: at the end of every epoch (Keras's save_freq="epoch"). N > 0: after every N-th
  // batch, counted across epochs (the optimizer's step count), as Keras's save_freq=N.
  int save_freq = 0;
  int verbose = 0;  // 1: print a line each time the checkpoint is written
};

// Keras's ModelCheckpoint, always saving the full training state to one file path (each
// save replaces the previous one atomically).
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  void on_train_begin(Model& model) override;
  void on_batch_end(int batch, const Logs& logs, Model& model) override;
  void on_epoch_end(int epoch, const Logs& logs, Model& model) override;

  const std::string& filepath() const { return filepath_; }
  int saves() const { return saves_; }  // files written during the last fit

 private:
  void save(Model& model);
  std::string filepath_;
  ModelCheckpointOptions options_;
  int saves_ = 0;
};

// What Model::resume_from read from a checkpoint besides the weights, optimizer state and
// Dropout generators (which it restores at once): where the next fit starts.
struct ResumePoint {
  std::string path;      // the checkpoint, for messages
  int epoch = 0;         // the epoch to continue (0-based)
  int batches_done = 0;  // batches of it already done; 0 = start the epoch afresh
  int batch_size = 0;    // that epoch's batch size
  int samples = 0;       // training samples per epoch in the interrupted run
  uint64_t seed = 0;     // its FitOptions::seed
  std::vector<int> order;  // (samples) the epoch's row order; empty when batches_done == 0
  RngState shuffle_rng;    // the shuffling generator, as it was at the save
  LossTotals totals;       // the unfinished epoch's running totals (model/loss_parts.h)
  History history;       // the epochs finished before the save
};

// ---- Resuming inside fit ----
// fit asks a FitResume where to start, so the bookkeeping of resuming stays out of the
// training loop (model/fit.cpp). Without a resume point it describes a fresh run.

// Where one epoch of fit starts.
struct EpochStart {
  int batch_size = 0;                // this epoch's batch size
  std::vector<int> order = {};       // (samples) the rows, in the order the epoch visits them
  int first_step = 0;                // batches of it already done
  LossTotals totals = {};            // the running totals of those batches
};

class FitResume {
 public:
  // `point`: what resume_from read, or null. Checks that this fit continues that run (the
  // same FitOptions::seed and number of training samples; else nn::ValueError, changing
  // nothing), then puts back the shuffling generator and the history of finished epochs.
  FitResume(std::shared_ptr<const ResumePoint> point, uint64_t seed, int samples, Rng& shuffle_rng,
            History& history);
  int first_epoch() const;  // the epoch to start at, 0-based
  // True for the epoch a checkpoint was saved in the middle of: it carries on with
  // saved_epoch() instead of starting afresh.
  bool continues_epoch(int epoch) const;
  EpochStart saved_epoch() const;  // its batch size, order, batches done and totals

 private:
  std::shared_ptr<const ResumePoint> point_;
};

}  // namespace nn
