// The loss side of a Model: compile, the loss of a batch and where backward starts, the
// layers that add a loss, and the names the logs use. The arithmetic and the names are
// those of model/loss_parts.h:
//   total = Σ_k w_k · loss_k(y_pred_k, y_true_k) + Σ_j added_j,   dtotal/dy_pred_k = w_k · dloss_k/dy_pred_k
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "losses/get.h"
#include "model/graph.h"
#include "model/model.h"
#include "model/nested_model.h"

namespace nn {

losses::Loss& Model::loss() {
  if (heads_.empty()) throw Error("model \"" + name_ + "\" is not compiled: call compile(loss, optimizer) first");
  return *heads_[0].loss;
}

float Model::loss_weight(size_t output) const { return output < heads_.size() ? heads_[output].weight : 1.0f; }

void Model::compile(const losses::Loss& loss, const optimizers::Optimizer& optimizer,
                    std::vector<std::string> metrics, CompileOptions options) {
  compile(LossList(loss), optimizer, std::move(metrics), std::move(options));
}

void Model::compile(const std::string& loss_name, const optimizers::Optimizer& optimizer,
                    std::vector<std::string> metrics, CompileOptions options) {
  compile(*losses::get(loss_name), optimizer, std::move(metrics), std::move(options));
}

void Model::compile(const LossList& losses, const optimizers::Optimizer& optimizer, std::vector<std::string> metrics,
                    CompileOptions options) {
  // "acc" is the same metric as "accuracy" and, as in Keras, keeps the name it was given:
  // the logs then say acc and val_acc.
  for (auto& m : metrics)
    if (m != "accuracy" && m != "acc")
      throw ValueError("unknown metric \"" + m + "\"; nnscratch knows: accuracy (or acc)");
  const size_t outputs = num_outputs();
  const std::string has = "compile: model \"" + name_ + "\" has " + outputs_described();
  if (losses.size() != 1 && losses.size() != outputs)
    throw ValueError(has + " but " + std::to_string(losses.size()) + " losses were given; give one loss per output, "
                     "in that order, or one loss for all of them");
  const std::vector<float>& w = options.loss_weights;
  if (!w.empty() && w.size() != outputs)
    throw ValueError(has + " but " + std::to_string(w.size()) + " loss_weights were given; give one weight per output");
  for (float weight : w)
    if (!std::isfinite(weight))
      throw ValueError("compile: loss_weights must be finite numbers, got " + std::to_string(weight));
  std::vector<OutputLoss> heads(outputs);
  for (size_t k = 0; k < outputs; ++k) {
    heads[k].loss = losses[losses.size() == 1 ? 0 : k].clone();
    heads[k].weight = w.empty() ? 1.0f : w[k];
  }
  heads_ = std::move(heads);
  optimizer_ = optimizer.clone();
  metrics_ = std::move(metrics);
  configure_loss_from_logits();
  if (built()) log_names();  // two parts logged under one name: say so now, not in the middle of fit
}

// A softmax or sigmoid output with a cross-entropy (losses/loss.h): the output layer stops
// at z, which the model keeps in the output's logits while applying the activation itself;
// the loss reads z for its value and hands the layer dL/dz, so the layer skips its
// activation's backward. Every other layer computes its full output (a layer that was last
// before Sequential::add is not any more).
void Model::configure_loss_from_logits() {
  for (OutputLoss& head : heads_) head.from_logits = false;
  for (size_t i = 1; i < layers_.size(); ++i) layers_[i]->set_logits_output(false);
  if (graph_)
    for (const GraphNode& n : graph_->nodes()) n.runner->set_logits_output(false);
  if (layers_.size() < 2 || heads_.empty()) return record_layer_flags();
  for (size_t k = 0; k < heads_.size(); ++k) {
    Layer* last = layers_.back().get();
    if (graph_) {
      // The output call's own runner stops at z, unless another layer reads that output too
      // (it needs y = f(z), and would hand back dL/dy, not dL/dz), or it is two outputs.
      const std::vector<size_t>& outs = graph_->output_nodes();
      const size_t out = outs[k];
      if (graph_->readers(out) > 0 || std::count(outs.begin(), outs.end(), out) > 1) continue;
      last = graph_->nodes()[out].runner.get();
    }
    const auto act = last->output_activation();
    OutputLoss& head = heads_[k];
    head.from_logits = act && head.loss->computes_from_logits(*act);
    if (head.from_logits) head.activation = *act;
    last->set_logits_output(head.from_logits);
  }
  record_layer_flags();
}

OutputLoss* Model::logits_head(size_t output) {
  return output < heads_.size() && heads_[output].from_logits ? &heads_[output] : nullptr;
}

BatchLoss Model::batch_loss(const TensorList& y_true) {
  BatchLoss b;
  const bool parts = heads_.size() > 1 || !added_names_.empty();
  if (parts) b.parts.assign(heads_.size() + added_names_.size(), 0.0f);
  for (size_t k = 0; k < heads_.size(); ++k) {
    const float value = heads_[k].value(output_value(k), y_true[k]);
    b.total += heads_[k].weight * value;
    if (parts) b.parts[k] = value;
  }
  for (const AddedLoss& a : added_losses_) {
    const float value = a.layer->added_loss();
    b.total += value;
    b.parts[heads_.size() + a.name] += value;
  }
  return b;
}

void Model::backward(const Tensor& y_true) { backward(TensorList(y_true)); }

void Model::backward(const TensorList& y_true) {
  loss();  // compiled?
  timed(profile_total(&Profile::loss_seconds), [&] {
    for (size_t k = 0; k < heads_.size(); ++k) heads_[k].gradient(output_value(k), y_true[k]);
  });
  if (profile_on_) ++profile_.backward_passes;
  if (!graph_) return backward_from(heads_[0].grad, nullptr);
  std::vector<const Tensor*> dys;
  for (const OutputLoss& head : heads_) dys.push_back(&head.grad);
  graph_backward(TensorList(std::move(dys)), nullptr);
}

// Keras expands labels of shape (N) to (N, 1) for an output of shape (N, 1)
// (compile_utils.match_dtype_and_rank): the usual way to pass binary labels.
TensorList Model::labels_for_outputs(const TensorList& y, std::vector<Tensor>& expanded) {
  expanded.resize(y.size());
  const std::vector<Shape> shapes = output_shapes();
  std::vector<const Tensor*> labels;
  for (size_t k = 0; k < y.size(); ++k) {
    if (k >= shapes.size() || y[k].rank() != 1 || shapes[k] != Shape{1}) {
      labels.push_back(&y[k]);
      continue;
    }
    expanded[k] = y[k];
    expanded[k].reshape({y[k].dim(0), 1});
    labels.push_back(&expanded[k]);
  }
  return TensorList(std::move(labels));
}

// Keras's "accuracy": binary accuracy (thresholded at 0.5) when the output's last axis is
// 1, else categorical accuracy (the most probable class is the true one); either way per
// position, so a (H, W, 1) output scores every pixel. Returns Σ over samples of the share
// of the sample's positions that are right: divided by N, the accuracy Keras reports.
double Model::count_correct(const Tensor& y_pred, const Tensor& y_true) const {
  const size_t k = losses::last_axis(y_pred), rows = losses::positions(y_pred);
  const size_t n = static_cast<size_t>(y_pred.dim(0));
  double correct = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* p = y_pred.data() + r * k;
    const float* t = y_true.data() + r * k;
    if (k == 1)
      correct += (p[0] > 0.5f) == (t[0] > 0.5f);
    else
      correct += std::max_element(p, p + k) - p == std::max_element(t, t + k) - t;
  }
  return rows ? correct * static_cast<double>(n) / static_cast<double>(rows) : 0.0;
}

void Model::count_correct(const TensorList& y_true, std::vector<double>& correct) const {
  if (metrics_.empty()) return;  // (nobody reads them)
  for (size_t k = 0; k < y_true.size() && k < correct.size(); ++k) correct[k] += count_correct(output_value(k), y_true[k]);
}

// ---- names ----

std::vector<std::string> Model::output_names() const {
  if (!output_names_.empty()) return output_names_;
  // Keras's Functional._set_output_names: the producing layer's name, "_1", "_2" on repeats.
  std::vector<std::string> names;
  std::map<std::string, int> next;  // the next suffix to try, per layer name
  auto add = [&](const std::string& base) {
    std::string name = base;
    while (std::find(names.begin(), names.end(), name) != names.end()) {
      int& n = next.try_emplace(base, 1).first->second;
      name = base + "_" + std::to_string(n++);
    }
    names.push_back(name);
  };
  if (graph_)
    for (size_t i : graph_->output_nodes()) add(graph_->nodes()[i].layer->name());
  else if (layers_.size() > 1)
    add(layers_.back()->name());
  else
    add(name_);  // (a Sequential not built yet)
  return names;
}

void Model::set_output_names(std::vector<std::string> names) {
  const std::string intro = "set_output_names: model \"" + name_ + "\" has " + std::to_string(num_outputs()) + " output" +
                            (num_outputs() == 1 ? "" : "s");
  if (names.size() != num_outputs())
    throw ValueError(intro + ", so give " + std::to_string(num_outputs()) + " name" + (num_outputs() == 1 ? "" : "s") +
                     ", got " + std::to_string(names.size()));
  std::set<std::string> seen;
  for (const std::string& n : names) {
    if (n.empty()) throw ValueError(intro + ": a name must not be empty");
    if (!seen.insert(n).second) throw ValueError(intro + ": the name \"" + n + "\" is given twice; each output needs its own");
  }
  output_names_ = std::move(names);
}

LogNames Model::log_names() const { return LogNames(output_names(), added_names_, metrics_); }

std::vector<std::string> Model::metrics_names() { return log_names().all(); }

// ---- added losses ----

void Model::find_added_losses(std::vector<Layer*>& out) const {
  auto visit = [&](Layer* layer) {
    if (auto* nested = dynamic_cast<Functional*>(layer)) return nested->model().find_added_losses(out);
    if (!layer->added_loss_name().empty()) out.push_back(layer);
  };
  if (graph_) {
    for (const GraphNode& n : graph_->nodes())  // each call's runner: a shared layer's later calls have their own
      if (!n.inputs.empty()) visit(n.runner.get());
  } else {
    for (size_t i = 1; i < layers_.size(); ++i) visit(layers_[i].get());
  }
}

void Model::record_added_losses() {
  std::vector<Layer*> layers;
  find_added_losses(layers);
  added_losses_.clear();
  added_names_.clear();
  for (Layer* layer : layers) {
    const std::string name = layer->added_loss_name();
    auto it = std::find(added_names_.begin(), added_names_.end(), name);
    if (it == added_names_.end()) it = added_names_.insert(added_names_.end(), name);
    added_losses_.push_back({layer, static_cast<size_t>(it - added_names_.begin())});
  }
}

}  // namespace nn
