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
// copied or moved. `batch_size` is the one on_epoch_begin left; `totals` the running sums
// at zero.
EpochStart fresh_epoch(int epoch, int batch_size, int n, bool shuffle, Rng& rng, const LossTotals& totals) {
  if (batch_size < 1)
    throw ValueError("fit: a callback set batch_size " + std::to_string(batch_size) + " for epoch " +
                     std::to_string(epoch + 1) + "; it must be >= 1");
  EpochStart start{.batch_size = batch_size, .totals = totals};
  if (shuffle) {
    start.order = rng.permutation(n);
  } else {
    start.order.resize(static_cast<size_t>(n));
    std::iota(start.order.begin(), start.order.end(), 0);
  }
  return start;
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, FitOptions options) {
  return fit(TensorList(x), TensorList(y), std::move(options));
}

History Model::fit(const TensorList& x, const TensorList& y_given, FitOptions o) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();  // throws a clear error when compile() was not called
  if (!x.empty()) ensure_built(x[0]);
  std::vector<Tensor> y_expanded, y_val_expanded;  // labels (N) for an (N, 1) output, as (N, 1)
  const TensorList y = labels_for_outputs(y_given, y_expanded);
  check_data(x, &y, "fit");
  const bool has_val = !o.validation_data.empty();
  const TensorList& x_val = o.validation_data.x;
  const TensorList y_val = labels_for_outputs(o.validation_data.y, y_val_expanded);
  if (has_val) check_data(x_val, &y_val, "fit (validation_data)");
  const LogNames names = log_names();  // "loss", its parts, the metrics (model/loss_parts.h)

  // validation_split: like Keras, the last fraction of the data, taken before shuffling.
  const int n_all = x[0].dim(0);
  int n_train = n_all;
  if (!has_val && o.validation_split > 0.0f) n_train = data::validation_split_index(n_all, o.validation_split);
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

  // The batch buffers, one per array; the lists refer to them (they never move).
  batch_xs_.resize(x.size());
  batch_ys_.resize(y.size());
  const TensorList xb(batch_xs_), yb(batch_ys_);
  const LossTotals zero = LossTotals::zeros(names.parts.size(), num_outputs());  // an epoch's start
  int batch_size = o.batch_size;
  for (int epoch = resume.first_epoch(); epoch < o.epochs && !stop_training; ++epoch) {
    for (auto& cb : o.callbacks) cb->on_epoch_begin(epoch, *this, batch_size);
    // The epoch a checkpoint was saved in the middle of goes on with its order, batch size
    // and totals; any other is shuffled afresh.
    const EpochStart start = resume.continues_epoch(epoch)
                                 ? resume.saved_epoch()
                                 : fresh_epoch(epoch, batch_size, n_train, o.shuffle, rng, zero);
    batch_size = start.batch_size;
    const std::vector<int>& order = start.order;
    const int steps = (n_train + batch_size - 1) / batch_size;
    progress_.epoch = epoch;
    progress_.batches_done = start.first_step;
    progress_.batch_size = batch_size;
    progress_.order = &order;
    LossTotals& totals = progress_.totals;
    totals = start.totals;
    if (o.verbose) std::cout << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(steps, o.verbose, std::cout, ProgressBar::stdout_is_terminal());
    for (int step = start.first_step; step < steps; ++step) {
      const size_t begin = static_cast<size_t>(step) * batch_size;
      const size_t count = std::min<size_t>(batch_size, n_train - begin);
      timed(profile_total(&Profile::data_seconds), [&] {
        gather_batch(x, order, begin, count, batch_xs_);  // the same rows of every array
        gather_batch(y, order, begin, count, batch_ys_);
      });
      const StepResult result = train_step(xb, yb, &totals.correct);
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
      totals.add(result.loss, count);
      progress_.batches_done = step + 1;
      const Logs so_far = names.logs(totals, static_cast<double>(begin + count));
      for (auto& cb : o.callbacks) cb->on_batch_end(step, so_far, *this);
      if (step + 1 < steps) bar.update(step + 1, so_far);
    }
    // Every row has been seen (some maybe before a checkpoint the run resumed from).
    Logs logs = names.logs(totals, n_train);
    if (has_val || n_train < n_all) {
      const TensorList& xv = has_val ? x_val : x;
      const TensorList& yv = has_val ? y_val : y;
      const size_t begin = has_val ? 0 : static_cast<size_t>(n_train), end = static_cast<size_t>(xv[0].dim(0));
      const LossTotals val = evaluate_rows(xv, yv, begin, end, batch_size, 0, names);
      const Logs val_logs = names.logs(val, static_cast<double>(end - begin), "val_");
      logs.insert(val_logs.begin(), val_logs.end());
    }
    bar.finish(logs);
    history.append(logs);
    // A run resumed from here would start the next epoch afresh.
    progress_.epoch = epoch + 1;
    progress_.batches_done = 0;
    progress_.order = nullptr;
    progress_.totals = zero;
    for (auto& cb : o.callbacks) cb->on_epoch_end(epoch, logs, *this);
  }
  for (auto& cb : o.callbacks) cb->on_train_end(*this);
  return history;
}

}  // namespace nn
