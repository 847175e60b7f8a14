#include "model/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>

#include "data/preprocessing.h"
#include "kernels/denormals.h"
#include "kernels/elementwise.h"
#include "layers/input.h"
#include "losses/get.h"
#include "model/graph.h"
#include "model/progress_bar.h"
#include "reference/mode.h"

namespace nn {

Model::Model(std::string name) : name_(std::move(name)) {}

// Keras names functional models as it names layers: "model", then "model_1", "model_2", ...
Model::Model(Node inputs, Node outputs, std::string name)
    : Model(std::vector<Node>{inputs}, std::vector<Node>{outputs}, std::move(name)) {}

Model::Model(std::vector<Node> inputs, std::vector<Node> outputs, std::string name)
    : name_(name.empty() ? unique_name("model") : std::move(name)), input_nodes_(inputs), output_nodes_(outputs) {
  const std::string who = "Model(inputs, outputs)";
  auto graph = std::make_shared<Graph>(inputs, outputs, who);  // checks the graph, orders its calls
  if (inputs.size() != 1 || outputs.size() != 1)
    throw Error(who + ": this nnscratch trains models with one input and one output; got " +
                std::to_string(inputs.size()) + " inputs and " + std::to_string(outputs.size()) + " outputs");
  if (graph->is_chain())
    set_layers(graph->layers());  // the plain path: each layer on the one before
  else
    set_graph(std::move(graph));
}

void Model::set_layers(std::vector<std::shared_ptr<Layer>> layers) {
  layers_ = std::move(layers);
  outputs_.assign(layers_.size(), Tensor());
  grads_.assign(layers_.size(), Tensor());
  // A layer hands dL/dx down only if some layer below it has weights to learn from it:
  // the first Dense behind a Flatten (or Flatten → Dropout) computes no dx at all.
  bool weights_below = input_gradient_;
  for (size_t i = 1; i < layers_.size(); ++i) {
    layers_[i]->set_input_gradient_needed(weights_below);
    weights_below = weights_below || layers_[i]->count_params(true) > 0;
  }
  // The pairs of layers training steps run fused (model/layer_fusion.h); the last layer
  // stays on its own, as the loss reads its output and may set its activation's backward.
  fused_.clear();
  fused_.resize(layers_.size());
  last_pass_fused_ = false;  // the last pass's fused steps are gone
  for (size_t i = 1; i + 2 < layers_.size(); ++i) fused_[i] = fuse_pair(*layers_[i], *layers_[i + 1]);
  configure_loss_from_logits();
  if (profile_on_) reset_profile();
}

void Model::ensure_built(const Tensor&) {}

const std::vector<std::shared_ptr<Layer>>& Model::layers() { return layers_; }

Layer& Model::get_layer(const std::string& name) {
  for (auto& l : layers_)
    if (l->name() == name) return *l;
  std::string known;
  for (auto& l : layers_) known += (known.empty() ? "" : ", ") + l->name();
  throw Error("model \"" + name_ + "\" has no layer named \"" + name + "\"; its layers are: " + known);
}

const Tensor& Model::layer_output(size_t index) const {
  if (!built()) throw Error("layer_output: model \"" + name_ + "\" has no layers yet; run forward first");
  if (index >= layers_.size())
    throw Error("layer_output(" + std::to_string(index) + "): model \"" + name_ + "\" has " +
                std::to_string(layers_.size()) + " layers, so the index must be 0.." +
                std::to_string(layers_.size() - 1) + " (0 is the input; layers() lists them)");
  if (index == 0) {
    if (!last_input_) throw Error("layer_output(0): run forward first");
    return *last_input_;
  }
  if (graph_) {  // a graph keeps every call's output; this is the layer's first call
    for (size_t i = 0; i < graph_->nodes().size(); ++i)
      if (graph_->nodes()[i].layer == layers_[index]) return graph_->value(i);
  }
  if (fused_at(index))  // (a fused pair writes its second layer's output, not its first's)
    throw Error("layer_output(" + std::to_string(index) + "): the last pass was a training step, which fused \"" +
                layers_[index]->name() + "\" with its neighbour (see set_layer_fusion), so its own output was "
                "not kept; call forward(x, training) first");
  return outputs_.at(index);
}

Shape Model::input_shape() {
  if (!built()) throw Error("model \"" + name_ + "\" is not built yet: give it an Input or call fit/predict first");
  return layers_.front()->output_shape();
}

Shape Model::output_shape() {
  if (!built()) throw Error("model \"" + name_ + "\" is not built yet: give it an Input or call fit/predict first");
  if (graph_) return graph_->nodes()[graph_->output_nodes()[0]].shape;
  return layers_.back()->output_shape();
}

std::vector<Param*> Model::params() {
  std::vector<Param*> all;
  for (auto& l : layers_)
    for (Param* p : l->params()) all.push_back(p);
  return all;
}

losses::Loss& Model::loss() {
  if (!loss_) throw Error("model \"" + name_ + "\" is not compiled: call compile(loss, optimizer) first");
  return *loss_;
}

optimizers::Optimizer& Model::optimizer() {
  if (!optimizer_) throw Error("model \"" + name_ + "\" is not compiled: call compile(loss, optimizer) first");
  return *optimizer_;
}

void Model::compile(const losses::Loss& loss, const optimizers::Optimizer& optimizer,
                    std::vector<std::string> metrics) {
  // "acc" is the same metric as "accuracy" and, as in Keras, keeps the name it was given:
  // the logs then say acc and val_acc.
  for (auto& m : metrics)
    if (m != "accuracy" && m != "acc")
      throw ValueError("unknown metric \"" + m + "\"; nnscratch knows: accuracy (or acc)");
  loss_ = loss.clone();
  optimizer_ = optimizer.clone();
  metrics_ = std::move(metrics);
  configure_loss_from_logits();
}

void Model::compile(const std::string& loss_name, const optimizers::Optimizer& optimizer,
                    std::vector<std::string> metrics) {
  compile(*losses::get(loss_name), optimizer, std::move(metrics));
}

// A softmax or sigmoid output with a cross-entropy (losses/loss.h): the output layer stops
// at z, which the model keeps in logits_ while applying the activation itself; the loss
// reads z for its value and hands the layer dL/dz, so the layer skips its activation's
// backward. Every other layer computes its full output (a layer that was last before
// Sequential::add is not any more).
void Model::configure_loss_from_logits() {
  loss_from_logits_ = false;
  for (size_t i = 1; i < layers_.size(); ++i) layers_[i]->set_logits_output(false);
  if (graph_)
    for (const GraphNode& n : graph_->nodes()) n.runner->set_logits_output(false);
  if (layers_.size() < 2 || !loss_) return record_layer_flags();
  if (graph_) {
    // The output call's own runner stops at z, unless another layer reads that output too
    // (it needs y = f(z), and would hand back dL/dy, not dL/dz).
    const size_t out = graph_->output_nodes()[0];
    if (graph_->readers(out) > 0) return record_layer_flags();
    Layer& last = *graph_->nodes()[out].runner;
    const auto act = last.output_activation();
    loss_from_logits_ = act && loss_->computes_from_logits(*act);
    if (loss_from_logits_) output_activation_ = *act;
    last.set_logits_output(loss_from_logits_);
    record_layer_flags();
    return;
  }
  Layer& last = *layers_.back();
  const auto act = last.output_activation();
  loss_from_logits_ = act && loss_->computes_from_logits(*act);
  if (loss_from_logits_) output_activation_ = *act;
  last.set_logits_output(loss_from_logits_);
  record_layer_flags();
}

void Model::record_layer_flags() {
  flags_.clear();
  if (graph_) {
    for (const GraphNode& n : graph_->nodes())
      if (!n.inputs.empty()) flags_.push_back({n.runner.get(), n.runner->input_gradient_needed(), n.runner->logits_output()});
    return;
  }
  for (size_t i = 1; i < layers_.size(); ++i)
    flags_.push_back({layers_[i].get(), layers_[i]->input_gradient_needed(), layers_[i]->logits_output()});
}

void Model::restore_layer_flags() {
  for (const LayerFlags& f : flags_) {
    if (f.layer->input_gradient_needed() != f.dx) f.layer->set_input_gradient_needed(f.dx);
    if (f.layer->logits_output() != f.logits) f.layer->set_logits_output(f.logits);
  }
}

void Model::set_input_gradient(bool on) {
  input_gradient_ = on;
  if (graph_) {
    graph_->set_input_gradient(on);
    record_layer_flags();
  } else if (built()) {
    set_layers(layers_);
  }
}

float Model::batch_loss(const Tensor& y_pred, const Tensor& y_true) {
  return loss_from_logits_ ? loss().value_from_logits(logits_, y_true) : loss().value(y_pred, y_true);
}

// Keras expands labels of shape (N) to (N, 1) for a model whose output is (N, 1)
// (compile_utils.match_dtype_and_rank): the usual way to pass binary labels.
const Tensor& Model::labels_for_output(const Tensor& y, Tensor& expanded) {
  if (y.rank() != 1 || output_shape() != Shape{1}) return y;
  expanded = y;
  expanded.reshape({y.dim(0), 1});
  return expanded;
}

void Model::check_data(const Tensor& x, const Tensor* y, const char* where) {
  const std::string w = where;
  Shape want = input_shape();
  Shape got_sample(x.shape().begin() + std::min<size_t>(1, x.shape().size()), x.shape().end());
  if (x.rank() < 1 || got_sample != want) {
    throw ShapeError(w + ": the model \"" + name_ + "\" expects inputs of shape " + batch_shape_str(want, "N") +
                     ", got " + shape_str(x.shape()));
  }
  if (x.dim(0) == 0) throw ValueError(w + ": the input holds no samples (shape " + shape_str(x.shape()) + ")");
  if (!all_finite(x.data(), x.size()))
    throw ValueError(w + ": the input contains NaN or infinite values; clean or rescale the data first");
  if (!y) return;
  Shape out = output_shape();
  Shape y_sample(y->shape().begin() + std::min<size_t>(1, y->shape().size()), y->shape().end());
  if (y->rank() < 1 || y->dim(0) != x.dim(0))
    throw ShapeError(w + ": x has " + std::to_string(x.dim(0)) + " samples but y has " +
                     (y->rank() ? std::to_string(y->dim(0)) : std::string("none")) + "; they must match");
  if (y_sample != out) {
    std::string hint;
    if (y->rank() == 1 && out.size() == 1 && out[0] > 1)
      hint = "; y holds class ids: one-hot encode them with nn::data::to_categorical(y, " + std::to_string(out[0]) +
             ")";
    throw ShapeError(w + ": the model's output has shape " + batch_shape_str(out, "N") + " but y has shape " +
                     shape_str(y->shape()) + hint);
  }
  if (!all_finite(y->data(), y->size())) throw ValueError(w + ": the targets contain NaN or infinite values");
  if (loss_) loss_->check_targets(*y, w);
}



double* Model::profile_total(double Profile::*total) { return profile_on_ ? &(profile_.*total) : nullptr; }

double* Model::profile_slot(size_t layer, bool backward_pass) {
  if (!profile_on_) return nullptr;
  LayerTiming& t = profile_.layers[layer - 1];  // the InputLayer has no row
  return backward_pass ? &t.backward_seconds : &t.forward_seconds;
}

const Tensor& Model::forward(const Tensor& x, bool training) { return forward_pass(x, training, false); }

const Tensor& Model::forward_pass(const Tensor& x, bool training, bool fuse) {
  if (!built()) ensure_built(x);
  last_pass_fused_ = fuse && training && fusion_on_ && !reference_mode();
  last_input_ = &x;
  restore_layer_flags();  // (another model running these layers may have changed them)
  if (profile_on_) {
    if (profile_.layers.size() + 1 != layers_.size()) reset_profile();  // the layers changed
    ++profile_.forward_passes;
  }
  if (graph_) {
    last_pass_fused_ = false;  // (a graph runs every layer on its own)
    return graph_forward({&x}, training);
  }
  const Tensor* current = &x;
  for (size_t i = 1; i < layers_.size(); ++i) {
    if (fused_at(i)) {  // layers i and i + 1 as one step, writing layer i + 1's output
      timed(profile_slot(i, false), [&] { fused_[i]->forward(*current, outputs_[i + 1]); });
      if (profile_on_) profile_.layers[i].fused_into = layers_[i]->name();  // layer i + 1's row
      current = &outputs_[++i];
      continue;
    }
    if (i + 1 == layers_.size() && loss_from_logits_) {
      // The output layer gives z; the activation turns it into the predictions here, so
      // the loss can compute from z (configure_loss_from_logits).
      timed(profile_slot(i, false), [&] {
        layers_[i]->forward(*current, logits_, training);
        outputs_[i].resize(logits_.shape());
        const size_t k = losses::last_axis(logits_);
        activation_forward(output_activation_, logits_.data(), outputs_[i].data(), logits_.size() / k, k);
      });
    } else {
      timed(profile_slot(i, false), [&] { layers_[i]->forward(*current, outputs_[i], training); });
    }
    current = &outputs_[i];
  }
  return *current;
}

void Model::backward(const Tensor& y_true) {
  const Tensor& y_pred = graph_ ? graph_->value(graph_->output_nodes()[0]) : outputs_.back();
  timed(profile_total(&Profile::loss_seconds), [&] {
    if (loss_from_logits_)
      loss().gradient_from_logits(logits_, y_true, loss_grad_);  // dL/dz from the logits: p - y
    else
      loss().gradient(y_pred, y_true, loss_grad_);
  });
  if (profile_on_) ++profile_.backward_passes;
  backward_from(loss_grad_, nullptr);
}

void Model::backward_from(const Tensor& dy_out, Tensor* dx) {
  if (graph_) return graph_backward(dy_out, dx);
  const Tensor* dy = &dy_out;
  for (size_t i = layers_.size() - 1; i >= 1; --i) {
    if (i >= 2 && fused_at(i - 1)) {  // layers i - 1 and i as one step
      timed(profile_slot(i - 1, true), [&] { fused_[i - 1]->backward(*dy, grads_[i - 1]); });
      dy = &grads_[--i];
    } else {
      timed(profile_slot(i, true), [&] { layers_[i]->backward(*dy, grads_[i]); });
      dy = &grads_[i];
    }
    if (!layers_[i]->input_gradient_needed()) break;  // nothing below has weights to learn
  }
  if (dx) {  // dL/d(input): what the first layer handed down (set_input_gradient(true))
    if (!layers_[1]->input_gradient_needed())
      throw Error("backward_from: model \"" + name_ + "\" computes no input gradient; call set_input_gradient(true)");
    dx->resize(grads_[1].shape());
    std::copy(grads_[1].begin(), grads_[1].end(), dx->begin());
  }
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

// The chapter's five steps (model.h), each one call.
Model::StepResult Model::train_step(const Tensor& xb, const Tensor& yb, double* correct) {
  StepGuard::Scope guarded(guard_, params());  // unless accepted, the step leaves no trace
  StepResult result;
  const Tensor& y_pred = forward_pass(xb, true, true);                                     // 1 forward
  timed(profile_total(&Profile::loss_seconds), [&] { result.loss = batch_loss(y_pred, yb); });  // 2 loss
  if (correct) *correct += count_correct(y_pred, yb);
  result.problem = StepGuard::check_loss(result.loss);
  if (result.problem.empty()) {
    backward(yb);                                                                          // 3 backward
    result.problem = StepGuard::check_gradients(layers_, result.loss);                     // 4 guard
  }
  if (!result.problem.empty()) return result;
  guarded.accept();
  timed(profile_total(&Profile::optimizer_seconds), [&] { optimizer().step(params()); });  // 5 step
  if (profile_on_) ++profile_.steps;
  return result;
}

const char* const Model::kBlowUpCauses =
    "Likely causes: a learning rate that is too high (try 10x smaller), or inputs that are not scaled "
    "(divide pixel values by 255).";

float Model::train_on_batch(const Tensor& x, const Tensor& y_given) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();  // compiled?
  ensure_built(x);
  Tensor expanded;
  const Tensor& y = labels_for_output(y_given, expanded);
  check_data(x, &y, "train_on_batch");
  StepResult step = train_step(x, y, nullptr);
  if (!step.problem.empty())
    throw ValueError("train_on_batch: " + step.problem + "; the weights were not updated. " + kBlowUpCauses);
  return step.loss;
}

std::pair<double, double> Model::evaluate_rows(const Tensor& x, const Tensor& y, size_t begin, size_t end,
                                               int batch_size, int verbose) {
  std::vector<int> order(end - begin);
  std::iota(order.begin(), order.end(), static_cast<int>(begin));
  const size_t bs = static_cast<size_t>(batch_size);
  const int steps = static_cast<int>((order.size() + bs - 1) / bs);
  ProgressBar bar(steps, verbose, std::cout, ProgressBar::stdout_is_terminal());
  double loss_sum = 0, correct = 0;
  for (size_t b = 0, step = 1; b < order.size(); b += bs, ++step) {
    const size_t count = std::min(bs, order.size() - b);
    data::gather_rows(x, order, b, count, batch_x_);
    data::gather_rows(y, order, b, count, batch_y_);
    const Tensor& y_pred = forward(batch_x_, false);
    loss_sum += static_cast<double>(batch_loss(y_pred, batch_y_)) * count;
    correct += count_correct(y_pred, batch_y_);
    Logs logs{{"loss", static_cast<float>(loss_sum / (b + count))}};
    for (const std::string& m : metrics_) logs[m] = static_cast<float>(correct / (b + count));
    if (step == static_cast<size_t>(steps))
      bar.finish(logs);
    else
      bar.update(static_cast<int>(step), logs);
  }
  const double n = static_cast<double>(order.size());
  return {loss_sum / n, correct / n};
}

std::vector<float> Model::evaluate(const Tensor& x, const Tensor& y_given, int batch_size, int verbose) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();
  ensure_built(x);
  Tensor expanded;
  const Tensor& y = labels_for_output(y_given, expanded);
  check_data(x, &y, "evaluate");
  if (batch_size < 1) throw ValueError("evaluate: batch_size must be >= 1, got " + std::to_string(batch_size));
  auto [loss_value, accuracy] = evaluate_rows(x, y, 0, static_cast<size_t>(x.dim(0)), batch_size, verbose);
  std::vector<float> result{static_cast<float>(loss_value)};
  for (size_t m = 0; m < metrics_.size(); ++m) result.push_back(static_cast<float>(accuracy));
  return result;
}

Tensor Model::predict(const Tensor& x, int batch_size) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  ensure_built(x);
  check_data(x, nullptr, "predict");
  if (batch_size < 1) throw ValueError("predict: batch_size must be >= 1, got " + std::to_string(batch_size));
  const size_t n = static_cast<size_t>(x.dim(0));
  Shape out_shape{static_cast<int>(n)};
  for (int d : output_shape()) out_shape.push_back(d);
  Tensor out(out_shape);
  const size_t row = out.row_size();
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (size_t b = 0; b < n; b += static_cast<size_t>(batch_size)) {
    const size_t count = std::min(static_cast<size_t>(batch_size), n - b);
    data::gather_rows(x, order, b, count, batch_x_);
    const Tensor& y = forward(batch_x_, false);
    std::copy(y.begin(), y.end(), out.data() + b * row);
  }
  return out;
}

std::vector<Tensor> Model::get_weights() {
  std::vector<Tensor> w;
  for (Param* p : params()) w.push_back(p->value);
  return w;
}

void Model::set_weights(const std::vector<Tensor>& weights) {
  auto ps = params();
  if (weights.size() != ps.size())
    throw ValueError("set_weights: model \"" + name_ + "\" has " + std::to_string(ps.size()) +
                     " weight tensors, got " + std::to_string(weights.size()));
  for (size_t i = 0; i < ps.size(); ++i)
    if (weights[i].shape() != ps[i]->value.shape())
      throw ShapeError("set_weights: weight " + std::to_string(i) + " (" + ps[i]->name + ") has shape " +
                       shape_str(ps[i]->value.shape()) + ", got " + shape_str(weights[i].shape()));
  for (size_t i = 0; i < ps.size(); ++i) ps[i]->value = weights[i];
}

}  // namespace nn
