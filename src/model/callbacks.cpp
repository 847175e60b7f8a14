#include "model/callbacks.h"

#include <cstdio>
#include <iostream>

#include "model/model.h"
#include "model/progress_bar.h"
#include "tensor/file_io.h"

namespace nn {

EarlyStopping::EarlyStopping(std::string monitor, int patience, float min_delta, bool restore_best_weights)
    : monitor_(std::move(monitor)), patience_(patience), min_delta_(min_delta), restore_best_(restore_best_weights),
      // Keras's rule of thumb: anything with "acc" in its name should go up, the rest down.
      lower_is_better_(monitor_.find("acc") == std::string::npos) {
  if (patience < 0) throw ValueError("EarlyStopping: patience must be >= 0, got " + std::to_string(patience));
}

void EarlyStopping::on_train_begin(Model& model) {
  best_ = std::numeric_limits<float>::infinity();
  wait_ = 0;
  stopped_epoch_ = -1;
  best_weights_.clear();
  // A fit resumed from a checkpoint starts with the epochs already run in its history:
  // count them as they were counted then, so it stops where the uninterrupted run would.
  // (The best weights of those epochs are not in the checkpoint: with
  // restore_best_weights, only an epoch run since can be put back.)
  const History* past = model.fit_progress().history;
  if (!past || !past->history.count(monitor_)) return;
  const std::vector<float>& values = past->history.at(monitor_);
  bool last_improved = true;
  for (float value : values) last_improved = improved(value);
  // The interrupted run had already decided to stop after its last finished epoch (the
  // checkpoint was written in the same epoch end): stop again, before any new epoch. The
  // same test as on_epoch_end's.
  if (!last_improved && wait_ >= patience_ && values.size() > 1) {
    stopped_epoch_ = static_cast<int>(values.size()) - 1;
    model.stop_training = true;
  }
}

bool EarlyStopping::improved(float value) {
  const float score = lower_is_better_ ? value : -value;  // smaller is better
  if (score < best_ - min_delta_) {
    best_ = score;
    wait_ = 0;
    return true;
  }
  ++wait_;
  return false;
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs, Model& model) {
  auto it = logs.find(monitor_);
  if (it == logs.end()) {
    std::string known;
    for (auto& [k, v] : logs) known += (known.empty() ? "" : ", ") + k;
    throw Error("EarlyStopping monitors \"" + monitor_ + "\", which this fit does not log (it logs: " + known +
                "); validation numbers need validation_data or validation_split");
  }
  if (improved(it->second)) {
    if (restore_best_) best_weights_ = model.get_weights();
    return;
  }
  if (wait_ >= patience_ && epoch > 0) {  // Keras: stop once `patience` epochs went by without progress
    stopped_epoch_ = epoch;
    model.stop_training = true;
  }
}

void EarlyStopping::on_train_end(Model& model) {
  if (stopped_epoch_ >= 0) {
    std::cout << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
    if (restore_best_ && !best_weights_.empty()) model.set_weights(best_weights_);
  }
}

CSVLogger::CSVLogger(std::string path) : path_(std::move(path)) {}

void CSVLogger::on_train_begin(Model& model) {
  text_.clear();
  columns_.clear();
  // A fit resumed from a checkpoint: the rows of the epochs already run come back from its
  // history (the same numbers, printed the same way), so the file loses none of them.
  const History* past = model.fit_progress().history;
  if (!past) return;
  for (int epoch = 0; epoch < past->epochs(); ++epoch) {
    Logs logs;
    for (auto& [k, values] : past->history) logs[k] = values[epoch];
    add_row(epoch, logs);
  }
}

void CSVLogger::on_epoch_end(int epoch, const Logs& logs, Model&) {
  add_row(epoch, logs);
  // Rewrite the whole file through a temporary name, so a crash never leaves half a row.
  write_file_atomic(path_, text_);
}

void CSVLogger::add_row(int epoch, const Logs& logs) {
  if (columns_.empty()) {
    text_ = "epoch";
    for (auto& [k, v] : logs) {
      columns_.push_back(k);
      text_ += "," + k;
    }
    text_ += "\n";
  }
  text_ += std::to_string(epoch);
  for (auto& k : columns_) {
    auto it = logs.find(k);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", it == logs.end() ? 0.0 : static_cast<double>(it->second));
    text_ += std::string(",") + buf;
  }
  text_ += "\n";
}

BatchSizeScheduler::BatchSizeScheduler(std::function<int(int, int)> schedule) : schedule_(std::move(schedule)) {
  if (!schedule_) throw Error("BatchSizeScheduler needs a schedule function");
}

void BatchSizeScheduler::on_epoch_begin(int epoch, Model&, int& batch_size) { batch_size = schedule_(epoch, batch_size); }

}  // namespace nn
