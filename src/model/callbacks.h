// Callbacks: code that fit() calls at fixed moments, to watch or steer training.
// Derive from Callback, override the hooks you need, pass it in FitOptions::callbacks:
//   fit(x, y, {.epochs = 20, .callbacks = {std::make_shared<nn::EarlyStopping>("val_loss", 3)}});
#pragma once
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model/history.h"
#include "tensor/tensor.h"

namespace nn {

class Model;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Model&) {}
  // batch_size may be changed here: it is the batch size this epoch will use.
  virtual void on_epoch_begin(int /*epoch*/, Model&, int& /*batch_size*/) {}
  virtual void on_batch_end(int /*batch*/, const Logs&, Model&) {}
  virtual void on_epoch_end(int /*epoch*/, const Logs&, Model&) {}
  virtual void on_train_end(Model&) {}
};

// Stops training when `monitor` has not improved by more than min_delta for `patience`
// epochs; optionally puts back the best weights seen. A fit resumed from a checkpoint
// counts the epochs run before the interruption too (from its history) — but their
// weights are not in the checkpoint, so restore_best_weights can only put back weights of
// an epoch run since the resume.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::string monitor = "val_loss", int patience = 0, float min_delta = 0.0f,
                         bool restore_best_weights = false);
  void on_train_begin(Model&) override;
  void on_epoch_end(int epoch, const Logs& logs, Model& model) override;
  void on_train_end(Model& model) override;
  int stopped_epoch() const { return stopped_epoch_; }  // 0-based epoch, -1 when it never stopped

 private:
  std::string monitor_;
  int patience_;
  float min_delta_;
  bool restore_best_;
  bool lower_is_better_;
  float best_ = std::numeric_limits<float>::infinity();
  int wait_ = 0, stopped_epoch_ = -1;
  bool improved(float value);  // updates best_ and wait_ with one epoch's value
  std::vector<Tensor> best_weights_;
};

// Writes one CSV row per epoch (epoch,loss,accuracy,...) to `path`, rewriting the file
// atomically each epoch so it is always complete. A fit resumed from a checkpoint keeps
// the rows of the epochs run before the interruption.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path);
  void on_train_begin(Model&) override;
  void on_epoch_end(int epoch, const Logs& logs, Model& model) override;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::string> columns_;
  void add_row(int epoch, const Logs& logs);  // to text_ (the header first, once)
};

// The chapter's "increase the batch size as training goes on": schedule(epoch, current)
// returns the batch size for that epoch (0-based), e.g.
//   BatchSizeScheduler([](int epoch, int) { return 32 << std::min(epoch, 3); })
class BatchSizeScheduler : public Callback {
 public:
  explicit BatchSizeScheduler(std::function<int(int epoch, int current)> schedule);
  void on_epoch_begin(int epoch, Model& model, int& batch_size) override;

 private:
  std::function<int(int, int)> schedule_;
};

}  // namespace nn
