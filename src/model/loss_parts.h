// The loss of a model with several outputs, or with terms its layers add (Keras's
// compile(loss=[...], loss_weights=[...]) and Layer.add_loss), and its parts in the logs.
//
//   total            = Σ_k w_k · loss_k(y_pred_k, y_true_k)  +  Σ_j added_j
//   dtotal/dy_pred_k = w_k · dloss_k/dy_pred_k      where backward starts, at each output
//   dadded_j/d...    the layer's own business: its backward adds the term's gradient to its
//                    dx (layers/layer.h, added_loss), so it flows down like any other
//
// k runs over the outputs (one loss and one weight each; compile with one loss gives every
// output that loss, weight 1), j over the layers that add a loss (Sampling's KL divergence),
// wherever they sit, a nested model's layers included.
//
// The logs (History, the progress bar, evaluate) always hold "loss", the total. When the
// total has more than one part (several outputs, or added losses) they also hold each part:
// "<output name>_loss" per output, UNweighted, as Keras logs them (so loss = Σ w_k ·
// <output>_loss + Σ added), and each added loss under the name its layer gives it
// ("kl_loss"; layers giving the same name are summed). Then the metrics, per output as
// Keras names them: "accuracy" for one output, "<output name>_accuracy" for several. The
// validation numbers are the same names with "val_" in front.
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "layers/activations.h"
#include "losses/loss.h"
#include "model/history.h"
#include "tensor/tensor.h"

namespace nn {

// compile's options beyond the loss, optimizer and metrics:
//   model.compile(losses::BinaryCrossentropy(), optimizers::Adam(5e-4f), {}, {.loss_weights = {500}});
struct CompileOptions {
  // One weight per output: the loss trained on is Σ w_k · loss_k (+ the added losses).
  // Empty: every weight is 1.
  std::vector<float> loss_weights = {};
};

// One element of a braced list of losses (a temporary is fine: LossList copies it at once).
class LossRef {
 public:
  LossRef(const losses::Loss& loss) : loss_(&loss) {}  // NOLINT: implicit, for the braced list
  const losses::Loss& get() const { return *loss_; }

 private:
  const losses::Loss* loss_;
};

// One loss per output, for compile, in the order of the model's outputs:
//   model.compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizer);
class LossList {
 public:
  LossList(std::initializer_list<LossRef> losses);
  explicit LossList(const losses::Loss& one_for_all);
  size_t size() const { return losses_.size(); }
  const losses::Loss& operator[](size_t i) const { return *losses_[i]; }

 private:
  std::vector<std::shared_ptr<const losses::Loss>> losses_;  // clones
};

// One output's loss, as compile set it up.
struct OutputLoss {
  std::unique_ptr<losses::Loss> loss;
  float weight = 1.0f;
  // When the loss computes from the logits (losses/loss.h), the output's layer writes z into
  // `logits` and the model applies `activation` itself (Model::configure_loss_from_logits).
  bool from_logits = false;
  ActivationKind activation = ActivationKind::linear;
  Tensor logits;  // (N, output...): z of the last forward pass, when from_logits
  Tensor grad;    // (N, output...): w · dloss/d(output), or w · dloss/dz from the logits

  float value(const Tensor& y_pred, const Tensor& y_true) const;  // loss_k, unweighted; (N, output...) both
  void gradient(const Tensor& y_pred, const Tensor& y_true);      // into grad; (N, output...) both
};

// One batch's loss.
struct BatchLoss {
  float total = 0;           // what training minimises
  std::vector<float> parts;  // per output (unweighted), then per added-loss name; empty for one part
};

// Running sums over an epoch (or an evaluation): each batch's losses times its rows, and
// the correct predictions counted, so dividing by the rows seen gives Keras's means.
struct LossTotals {
  double loss = 0;
  std::vector<double> parts = {};    // as BatchLoss::parts
  std::vector<double> correct = {};  // per output

  static LossTotals zeros(size_t parts, size_t outputs);
  void add(const BatchLoss& batch, size_t rows);
  // For a checkpoint, one list: {loss, correct[0], parts..., correct[1], ...}. A model with
  // one output and a one-part loss gives {loss, correct}, the two numbers checkpoints held
  // before models had parts. from_flat reads it back (the sizes must match this model).
  std::vector<double> flat() const;
  static LossTotals from_flat(const std::vector<double>& flat, size_t parts, size_t outputs);
  static size_t flat_size(size_t parts, size_t outputs) { return 1 + parts + outputs; }
};

// The names the logs use (Keras's metrics_names), in Keras's order.
struct LogNames {
  std::vector<std::string> parts;                 // "<output>_loss"..., then the added losses; empty for one part
  std::vector<std::vector<std::string>> metrics;  // [output][metric]: "accuracy" or "<output>_accuracy"

  // output_names: one per output; added: the distinct added-loss names; metrics: compile's.
  // Two names that clash (an output called "kl" next to an added "kl_loss") are an nn::ValueError.
  LogNames(const std::vector<std::string>& output_names, const std::vector<std::string>& added,
           const std::vector<std::string>& metrics);
  std::vector<std::string> all() const;  // "loss", the parts, the metrics
  // The means: totals / rows, under prefix + name ("val_").
  Logs logs(const LossTotals& totals, double rows, const std::string& prefix = "") const;
  std::vector<float> values(const LossTotals& totals, double rows) const;  // in all()'s order
};

}  // namespace nn
