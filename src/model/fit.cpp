// Model::fit — the training loop, as Keras runs it: for each epoch, shuffle the rows, then
// for each mini-batch a training step and the callbacks; at the end of the epoch the
// validation, one row of history and the progress bar's last line. A guard stops (or, with
// .on_nan = "throw", throws) when the loss or a gradient becomes NaN or infinite. Resuming
// from a checkpoint only changes where the loop starts (FitResume, model/checkpoint.cpp).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>

#include "data/preprocessing.h"
#include "kernels/denormals.h"
#include "model/checkpoint.h"
#include "model/model.h"
#include "model/progress_bar.h"
#include "tensor/rng.h"

namespace nn {

namespace {

// A batch_size larger than the data is fine: as in Keras, the epoch is one smaller batch.
void check_fit_options(const FitOptions& o) {
  if (o.batch_size < 1) throw ValueError("fit: batch_size must be >= 1, got " + std::to_string(o.batch_size));
  if (o.on_nan != "stop" && o.on_nan != "throw")
    throw ValueError("fit: on_nan must be \"stop\" or \"throw\", got \"" + o.on_nan + "\"");
  if (o.epochs < 0) throw ValueError("fit: epochs must be >= 0, got " + std::to_string(o.epochs));
  if (!(o.validation_split >= 0.0f && o.validation_split < 1.0f))
    throw ValueError("fit: validation_split must be in [0, 1), got " + std::to_string(o.validation_split));
  if (o.verbose < 0 || o.verbose > 2) throw ValueError("fit: verbose must be 0, 1 or 2");
}

// A fresh epoch: all n rows, shuffled or in order. Shuffling is a permutation of row
// indices: batches are gathered into reused buffers, and the data set itself is never
// copied or moved. `batch_size` is the one on_epoch_begin left.
EpochStart fresh_epoch(int epoch, int batch_size, int n, bool shuffle, Rng& rng) {
  if (batch_size < 1)
    throw ValueError("fit: a callback set batch_size " + std::to_string(batch_size) + " for epoch " +
                     std::to_string(epoch + 1) + "; it must be >= 1");
  EpochStart start{.batch_size = batch_size};
  if (shuffle) {
    start.order = rng.permutation(n);
  } else {
    start.order.resize(static_cast<size_t>(n));
    std::iota(start.order.begin(), start.order.end(), 0);
  }
  return start;
}

// metrics: the names compile was given ("accuracy" or "acc"), which the logs keep.
Logs epoch_logs(double loss_sum, double correct, double seen, const std::vector<std::string>& metrics) {
  Logs logs{{"loss", static_cast<float>(loss_sum / seen)}};
  for (const std::string& m : metrics) logs[m] = static_cast<float>(correct / seen);
  return logs;
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y_given, FitOptions o) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();  // throws a clear error when compile() was not called
  ensure_built(x);
  Tensor y_expanded, y_val_expanded;  // labels (N) for an (N, 1) output, as (N, 1)
  const Tensor& y = labels_for_output(y_given, y_expanded);
  check_data(x, &y, "fit");
  const Tensor* x_val = o.validation_data.x;
  const Tensor* y_val = o.validation_data.y ? &labels_for_output(*o.validation_data.y, y_val_expanded) : nullptr;
  if (x_val) check_data(*x_val, y_val, "fit (validation_data)");

  // validation_split: like Keras, the last fraction of the data, taken before shuffling.
  const int n_all = x.dim(0);
  int n_train = n_all;
  if (!x_val && o.validation_split > 0.0f) n_train = data::validation_split_index(n_all, o.validation_split);
  check_fit_options(o);

  Rng local(o.seed);
  Rng& rng = o.seed ? local : global_rng();
  History history;
  // After resume_from: go on where the checkpoint was saved (model/checkpoint.cpp). The
  // point is this fit's alone; kept only when the checks throw, so a corrected call can use it.
  const FitResume resume(resume_, o.seed, n_train, rng, history);
  resume_.reset();
  // progress_ points at this function's locals: it is valid only while fit runs.
  progress_ = FitProgress{.samples = n_train, .seed = o.seed, .shuffle_rng = &rng, .history = &history,
                          .running = true};
  struct EndOfFit {
    FitProgress& p;
    ~EndOfFit() { p = FitProgress{}; }
  } end_of_fit{progress_};

  stop_training = false;
  for (auto& cb : o.callbacks) cb->on_train_begin(*this);

  int batch_size = o.batch_size;
  for (int epoch = resume.first_epoch(); epoch < o.epochs && !stop_training; ++epoch) {
    for (auto& cb : o.callbacks) cb->on_epoch_begin(epoch, *this, batch_size);
    // The epoch a checkpoint was saved in the middle of goes on with its order, batch size
    // and totals; any other is shuffled afresh.
    const EpochStart start = resume.continues_epoch(epoch) ? resume.saved_epoch()
                                                           : fresh_epoch(epoch, batch_size, n_train, o.shuffle, rng);
    batch_size = start.batch_size;
    const std::vector<int>& order = start.order;
    double loss_sum = start.loss_sum, correct = start.correct;
    const int steps = (n_train + batch_size - 1) / batch_size;
    progress_.epoch = epoch;
    progress_.batches_done = start.first_step;
    progress_.batch_size = batch_size;
    progress_.order = &order;
    progress_.loss_sum = loss_sum;
    progress_.correct = correct;
    if (o.verbose) std::cout << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(steps, o.verbose, std::cout, ProgressBar::stdout_is_terminal());
    for (int step = start.first_step; step < steps; ++step) {
      const size_t begin = static_cast<size_t>(step) * batch_size;
      const size_t count = std::min<size_t>(batch_size, n_train - begin);
      data::gather_rows(x, order, begin, count, batch_x_);
      data::gather_rows(y, order, begin, count, batch_y_);
      const StepResult result = train_step(batch_x_, batch_y_, &correct);
      if (!result.problem.empty()) {
        // The guard: stop now. train_step has not applied this batch, so the weights (and
        // any checkpoint, which callbacks write only after good batches) are the last
        // good ones.
        history.stop_reason = result.problem + " at epoch " + std::to_string(epoch + 1) + ", batch " +
                              std::to_string(step + 1) + "; training stopped before applying that batch. " +
                              kBlowUpCauses;
        if (o.verbose) std::cout << "\n";  // end the progress line first
        for (auto& cb : o.callbacks) cb->on_train_end(*this);
        if (o.on_nan == "throw") throw ValueError("fit: " + history.stop_reason);
        std::cerr << "fit stopped: " << history.stop_reason << "\n";
        return history;
      }
      loss_sum += static_cast<double>(result.loss) * count;
      progress_.batches_done = step + 1;
      progress_.loss_sum = loss_sum;
      progress_.correct = correct;
      const Logs so_far = epoch_logs(loss_sum, correct, static_cast<double>(begin + count), metrics_);
      for (auto& cb : o.callbacks) cb->on_batch_end(step, so_far, *this);
      if (step + 1 < steps) bar.update(step + 1, so_far);
    }
    // Every row has been seen (some maybe before a checkpoint the run resumed from).
    Logs logs = epoch_logs(loss_sum, correct, n_train, metrics_);
    if (x_val || n_train < n_all) {
      const Tensor& xv = x_val ? *x_val : x;
      const Tensor& yv = x_val ? *y_val : y;
      const size_t begin = x_val ? 0 : static_cast<size_t>(n_train);
      auto [val_loss, val_acc] = evaluate_rows(xv, yv, begin, static_cast<size_t>(xv.dim(0)), batch_size, 0);
      logs["val_loss"] = static_cast<float>(val_loss);
      for (const std::string& m : metrics_) logs["val_" + m] = static_cast<float>(val_acc);
    }
    bar.finish(logs);
    history.append(logs);
    // A run resumed from here would start the next epoch afresh.
    progress_.epoch = epoch + 1;
    progress_.batches_done = 0;
    progress_.order = nullptr;
    progress_.loss_sum = progress_.correct = 0;
    for (auto& cb : o.callbacks) cb->on_epoch_end(epoch, logs, *this);
  }
  for (auto& cb : o.callbacks) cb->on_train_end(*this);
  return history;
}

}  // namespace nn
