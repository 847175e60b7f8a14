#include "model/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>

#include "data/preprocessing.h"
#include "kernels/elementwise.h"
#include "layers/input.h"
#include "losses/get.h"
#include "model/progress_bar.h"

namespace nn {

Model::Model(std::string name) : name_(std::move(name)) {}

Model::Model(Node inputs, Node outputs, std::string name) : name_(std::move(name)) {
  if (!inputs.valid() || !inputs.is_input())
    throw Error("Model(inputs, outputs): inputs must be a node made by layers::Input(shape)");
  if (!outputs.valid()) throw Error("Model(inputs, outputs): outputs is an empty Node");
  // Walk back from the output to the input: that is the order the layers run in, reversed.
  std::vector<std::shared_ptr<Layer>> chain;
  Node n = outputs;
  while (n.valid() && !n.same_as(inputs)) {
    if (n.is_input())
      throw Error("Model(inputs, outputs): the output is not computed from the given input (it starts at \"" +
                  n.layer().name() + "\" instead of \"" + inputs.layer().name() + "\")");
    chain.push_back(n.layer_ptr());
    n = n.input();
  }
  chain.push_back(inputs.layer_ptr());
  std::reverse(chain.begin(), chain.end());
  set_layers(std::move(chain));
}

void Model::set_layers(std::vector<std::shared_ptr<Layer>> layers) {
  layers_ = std::move(layers);
  outputs_.assign(layers_.size(), Tensor());
  grads_.assign(layers_.size(), Tensor());
  for (size_t i = 1; i < layers_.size(); ++i) layers_[i]->set_input_gradient_needed(i > 1);
  // Which layers the one before can absorb in training steps (never the first real layer,
  // whose predecessor is the input, nor the last, whose output the loss reads).
  absorbable_.assign(layers_.size(), false);
  for (size_t i = 2; i + 1 < layers_.size(); ++i) absorbable_[i] = layers_[i - 1]->can_absorb(*layers_[i]);
  configure_loss_fusion();
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
  if (index == 0) {
    if (!last_input_) throw Error("layer_output(0): run forward first");
    return *last_input_;
  }
  if (last_pass_fused_ && index < layers_.size() &&
      (absorbable_[index] || (index + 1 < layers_.size() && absorbable_[index + 1])))
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
  for (auto& m : metrics) {
    if (m == "acc") m = "accuracy";
    if (m != "accuracy") throw ValueError("unknown metric \"" + m + "\"; nnscratch knows: accuracy");
  }
  loss_ = loss.clone();
  optimizer_ = optimizer.clone();
  metrics_ = std::move(metrics);
  configure_loss_fusion();
}

void Model::compile(const std::string& loss_name, const optimizers::Optimizer& optimizer,
                    std::vector<std::string> metrics) {
  compile(*losses::get(loss_name), optimizer, std::move(metrics));
}

// Softmax + categorical cross-entropy (or sigmoid + binary cross-entropy): the loss hands
// the last layer dL/dz directly, and that layer skips its activation's backward.
void Model::configure_loss_fusion() {
  if (layers_.size() < 2) return;
  Layer& last = *layers_.back();
  auto act = last.output_activation();
  fused_loss_ = loss_ && act && loss_->fuses_with(*act);
  last.set_output_activation_fused(fused_loss_);
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

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

const Tensor& Model::forward(const Tensor& x, bool training) { return forward_pass(x, training, false); }

const Tensor& Model::forward_pass(const Tensor& x, bool training, bool fuse) {
  if (!built()) ensure_built(x);
  last_pass_fused_ = fuse;
  const Tensor* current = &x;
  last_input_ = &x;
  if (profile_on_) {
    if (profile_.layers.size() + 1 != layers_.size()) reset_profile();  // the layers changed
    ++profile_.forward_passes;
  }
  for (size_t i = 1; i < layers_.size(); ++i) {
    // Tell every layer, on every pass, whether it does the next one's work: a layer can be
    // shared with another model where it is not followed by the same layer.
    const bool absorbs_next = fuse && i + 1 < layers_.size() && absorbable_[i + 1];
    layers_[i]->absorb(absorbs_next ? layers_[i + 1].get() : nullptr);
    if (fuse && absorbable_[i]) {  // done by layers_[i - 1]; its output stands for ours
      if (profile_on_) profile_.layers[i - 1].fused_into = layers_[i - 1]->name();
      continue;
    }
    if (profile_on_) {
      const auto t0 = Clock::now();
      layers_[i]->forward(*current, outputs_[i], training);
      profile_.layers[i - 1].forward_seconds += seconds_since(t0);
    } else {
      layers_[i]->forward(*current, outputs_[i], training);
    }
    current = &outputs_[i];
  }
  return *current;
}

void Model::backward(const Tensor& y_true) {
  const Tensor& y_pred = outputs_.back();
  const auto t_loss = profile_on_ ? Clock::now() : Clock::time_point{};
  if (fused_loss_)
    loss().fused_gradient(y_pred, y_true, loss_grad_);
  else
    loss().gradient(y_pred, y_true, loss_grad_);
  if (profile_on_) {
    profile_.loss_seconds += seconds_since(t_loss);
    ++profile_.backward_passes;
  }
  const Tensor* dy = &loss_grad_;
  for (size_t i = layers_.size() - 1; i >= 1; --i) {
    if (last_pass_fused_ && absorbable_[i]) continue;  // layers_[i - 1] takes our dL/dy as it is
    if (profile_on_) {
      const auto t0 = Clock::now();
      layers_[i]->backward(*dy, grads_[i]);
      profile_.layers[i - 1].backward_seconds += seconds_since(t0);
    } else {
      layers_[i]->backward(*dy, grads_[i]);
    }
    dy = &grads_[i];
  }
}

double Model::count_correct(const Tensor& y_pred, const Tensor& y_true) const {
  const size_t n = static_cast<size_t>(y_pred.dim(0));
  const size_t k = y_pred.size() / std::max<size_t>(n, 1);
  double correct = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* p = y_pred.data() + i * k;
    const float* t = y_true.data() + i * k;
    if (k == 1) {
      // Binary accuracy: a single sigmoid output, thresholded at 0.5.
      correct += (p[0] > 0.5f) == (t[0] > 0.5f);
    } else {
      // Categorical accuracy: the most probable class is the true one.
      correct += std::max_element(p, p + k) - p == std::max_element(t, t + k) - t;
    }
  }
  return correct;
}

// The guard against numbers that have blown up (NaN or ±inf): it runs before the optimizer
// step, so a batch that produced them changes no weight. BatchNormalization updates its
// moving statistics (non-trainable parameters) during the forward pass itself, before the
// guard can look, so they are copied first and put back when the batch is rejected.
Model::StepResult Model::train_step(const Tensor& xb, const Tensor& yb, double* correct) {
  keep_non_trainable(false);
  // Whatever way this step ends — applied, rejected by the guard, or an exception from a
  // layer — no layer stays fused after it (a layer may also serve in another model, or be
  // called on its own), and unless the update was applied the non-trainable parameters go
  // back to what they were.
  struct StepEnd {
    Model& model;
    bool applied = false;
    ~StepEnd() {
      for (auto& layer : model.layers_) layer->absorb(nullptr);
      if (!applied) model.keep_non_trainable(true);
    }
  } step_end{*this};
  const Tensor& y_pred = forward_pass(xb, true, fusion_on_);
  StepResult result;
  const auto t_loss = profile_on_ ? Clock::now() : Clock::time_point{};
  result.loss = loss().value(y_pred, yb);
  if (correct) *correct += count_correct(y_pred, yb);
  if (profile_on_) profile_.loss_seconds += seconds_since(t_loss);
  if (!std::isfinite(result.loss)) {
    result.problem = std::string("the loss became ") + (std::isnan(result.loss) ? "NaN" : "infinite");
    return result;  // no backward: the grads are still zero from the last step
  }
  backward(yb);
  for (auto& layer : layers_) {
    for (Param* p : layer->params()) {
      if (all_finite(p->grad.data(), p->grad.size())) continue;
      result.problem = "the gradient of " + layer->name() + "/" + p->name + " became NaN or infinite (the loss was " +
                       std::to_string(result.loss) + ")";
      for (Param* q : params()) std::fill(q->grad.begin(), q->grad.end(), 0.0f);  // a clean start next time
      return result;
    }
  }
  const auto t_step = profile_on_ ? Clock::now() : Clock::time_point{};
  step_end.applied = true;
  optimizer().step(params());
  if (profile_on_) {
    profile_.optimizer_seconds += seconds_since(t_step);
    ++profile_.steps;
  }
  return result;
}

void Model::keep_non_trainable(bool restore) {
  size_t i = 0;
  for (auto& layer : layers_)
    for (Param* p : layer->params()) {
      if (p->trainable) continue;
      if (restore) {
        // Into the existing storage (same shape): no allocation, so this cannot throw,
        // which it must not while an exception is already on its way out.
        const Tensor& saved = saved_non_trainable_[i];
        std::copy(saved.begin(), saved.end(), p->value.begin());
      } else {
        if (i == saved_non_trainable_.size()) saved_non_trainable_.emplace_back();
        saved_non_trainable_[i].resize(p->value.shape());
        std::copy(p->value.begin(), p->value.end(), saved_non_trainable_[i].begin());
      }
      ++i;
    }
}

const char* const Model::kBlowUpCauses =
    "Likely causes: a learning rate that is too high (try 10x smaller), or inputs that are not scaled "
    "(divide pixel values by 255).";

float Model::train_on_batch(const Tensor& x, const Tensor& y) {
  loss();  // compiled?
  ensure_built(x);
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
    loss_sum += static_cast<double>(loss().value(y_pred, batch_y_)) * count;
    correct += count_correct(y_pred, batch_y_);
    Logs logs{{"loss", static_cast<float>(loss_sum / (b + count))}};
    if (!metrics_.empty()) logs["accuracy"] = static_cast<float>(correct / (b + count));
    if (step == static_cast<size_t>(steps))
      bar.finish(logs);
    else
      bar.update(static_cast<int>(step), logs);
  }
  const double n = static_cast<double>(order.size());
  return {loss_sum / n, correct / n};
}

std::vector<float> Model::evaluate(const Tensor& x, const Tensor& y, int batch_size, int verbose) {
  loss();
  ensure_built(x);
  check_data(x, &y, "evaluate");
  if (batch_size < 1) throw ValueError("evaluate: batch_size must be >= 1, got " + std::to_string(batch_size));
  auto [loss_value, accuracy] = evaluate_rows(x, y, 0, static_cast<size_t>(x.dim(0)), batch_size, verbose);
  std::vector<float> result{static_cast<float>(loss_value)};
  if (!metrics_.empty()) result.push_back(static_cast<float>(accuracy));
  return result;
}

Tensor Model::predict(const Tensor& x, int batch_size) {
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
