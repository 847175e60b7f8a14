// Model::fit — the training loop: epochs of shuffled mini-batches, with the Keras progress
// bar, validation, callbacks, and a guard that stops on a NaN loss.
#include <cmath>
#include <iostream>
#include <numeric>

#include "data/preprocessing.h"
#include "model/model.h"
#include "model/progress_bar.h"
#include "tensor/rng.h"

namespace nn {

namespace {

void check_fit_options(const FitOptions& o, int n) {
  if (o.batch_size < 1) throw ValueError("fit: batch_size must be >= 1, got " + std::to_string(o.batch_size));
  if (o.batch_size > n)
    throw ValueError("fit: batch_size " + std::to_string(o.batch_size) + " is larger than the " + std::to_string(n) +
                     " training samples; use a batch size of at most " + std::to_string(n));
  if (o.epochs < 0) throw ValueError("fit: epochs must be >= 0, got " + std::to_string(o.epochs));
  if (!(o.validation_split >= 0.0f && o.validation_split < 1.0f))
    throw ValueError("fit: validation_split must be in [0, 1), got " + std::to_string(o.validation_split));
  if (o.verbose < 0 || o.verbose > 2) throw ValueError("fit: verbose must be 0, 1 or 2");
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, FitOptions o) {
  loss();  // throws a clear error when compile() was not called
  ensure_built(x);
  check_data(x, &y, "fit");
  const Tensor* x_val = o.validation_data.x;
  const Tensor* y_val = o.validation_data.y;
  if (x_val) check_data(*x_val, y_val, "fit (validation_data)");

  // validation_split: like Keras, the last fraction of the data, taken before shuffling.
  const int n_all = x.dim(0);
  int n_train = n_all;
  if (!x_val && o.validation_split > 0.0f) n_train = data::validation_split_index(n_all, o.validation_split);
  check_fit_options(o, n_train);

  Rng local(o.seed);
  Rng& rng = o.seed ? local : global_rng();
  History history;
  stop_training = false;
  for (auto& cb : o.callbacks) cb->on_train_begin(*this);

  int batch_size = o.batch_size;
  for (int epoch = 0; epoch < o.epochs && !stop_training; ++epoch) {
    for (auto& cb : o.callbacks) cb->on_epoch_begin(epoch, *this, batch_size);
    if (batch_size < 1 || batch_size > n_train)
      throw ValueError("fit: a callback set batch_size " + std::to_string(batch_size) + " for epoch " +
                       std::to_string(epoch + 1) + "; it must be in 1.." + std::to_string(n_train));
    // Shuffling is a permutation of row indices: batches are gathered into reused
    // buffers, and the data set itself is never copied or moved.
    std::vector<int> order = o.shuffle ? rng.permutation(n_train) : std::vector<int>(n_train);
    if (!o.shuffle) std::iota(order.begin(), order.end(), 0);

    const int steps = (n_train + batch_size - 1) / batch_size;
    if (o.verbose) std::cout << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(steps, o.verbose, std::cout, ProgressBar::stdout_is_terminal());
    double loss_sum = 0, correct = 0;
    Logs logs;
    for (int step = 0; step < steps; ++step) {
      const size_t begin = static_cast<size_t>(step) * batch_size;
      const size_t count = std::min<size_t>(batch_size, n_train - begin);
      data::gather_rows(x, order, begin, count, batch_x_);
      data::gather_rows(y, order, begin, count, batch_y_);
      const float batch_loss = train_step(batch_x_, batch_y_, &correct);
      if (!std::isfinite(batch_loss)) {
        // The NaN guard: stop now, before the broken weights are used any further.
        history.stop_reason = "the loss became " + std::string(std::isnan(batch_loss) ? "NaN" : "infinite") +
                              " at epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(step + 1) +
                              ". Likely causes: a learning rate that is too high, or inputs that are not scaled "
                              "(divide pixel values by 255).";
        if (o.verbose) std::cout << "\n";  // end the progress line first
        std::cerr << "fit stopped: " << history.stop_reason << "\n";
        for (auto& cb : o.callbacks) cb->on_train_end(*this);
        return history;
      }
      loss_sum += static_cast<double>(batch_loss) * count;
      const double seen = static_cast<double>(begin + count);
      logs = {{"loss", static_cast<float>(loss_sum / seen)}};
      if (!metrics_.empty()) logs["accuracy"] = static_cast<float>(correct / seen);
      for (auto& cb : o.callbacks) cb->on_batch_end(step, logs, *this);
      if (step + 1 < steps) bar.update(step + 1, logs);
    }
    if (x_val || n_train < n_all) {
      const Tensor& xv = x_val ? *x_val : x;
      const Tensor& yv = x_val ? *y_val : y;
      const size_t begin = x_val ? 0 : static_cast<size_t>(n_train);
      auto [val_loss, val_acc] = evaluate_rows(xv, yv, begin, static_cast<size_t>(xv.dim(0)), batch_size, 0);
      logs["val_loss"] = static_cast<float>(val_loss);
      if (!metrics_.empty()) logs["val_accuracy"] = static_cast<float>(val_acc);
    }
    bar.finish(logs);
    history.append(logs);
    for (auto& cb : o.callbacks) cb->on_epoch_end(epoch, logs, *this);
  }
  for (auto& cb : o.callbacks) cb->on_train_end(*this);
  return history;
}

}  // namespace nn
