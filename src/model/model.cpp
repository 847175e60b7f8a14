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
  if (graph->is_chain())
    set_layers(graph->layers());  // the plain path: each layer on the one before
  else
    set_graph(std::move(graph));
}

void Model::set_layers(std::vector<std::shared_ptr<Layer>> layers) {
  layers_ = std::move(layers);
  chain_output_ = nullptr;
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
  record_added_losses();
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

Shape Model::input_shape() { return input_shapes().front(); }

Shape Model::output_shape() { return output_shapes().front(); }

std::vector<Shape> Model::input_shapes() {
  if (!built()) throw Error("model \"" + name_ + "\" is not built yet: give it an Input or call fit/predict first");
  if (!graph_) return {layers_.front()->output_shape()};
  std::vector<Shape> shapes;
  for (size_t i : graph_->input_nodes()) shapes.push_back(graph_->nodes()[i].shape);
  return shapes;
}

std::vector<Shape> Model::output_shapes() {
  if (!built()) throw Error("model \"" + name_ + "\" is not built yet: give it an Input or call fit/predict first");
  if (!graph_) return {layers_.back()->output_shape()};
  std::vector<Shape> shapes;
  for (size_t i : graph_->output_nodes()) shapes.push_back(graph_->nodes()[i].shape);
  return shapes;
}

size_t Model::num_inputs() const { return graph_ ? graph_->input_nodes().size() : 1; }

size_t Model::num_outputs() const { return graph_ ? graph_->output_nodes().size() : 1; }

std::vector<Param*> Model::params() {
  std::vector<Param*> all;
  for (auto& l : layers_)
    for (Param* p : l->params()) all.push_back(p);
  return all;
}

optimizers::Optimizer& Model::optimizer() {
  if (!optimizer_) throw Error("model \"" + name_ + "\" is not compiled: call compile(loss, optimizer) first");
  return *optimizer_;
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

Model::TimeSlot Model::profile_total(double Profile::*total) {
  return profile_on_ ? TimeSlot{&(profile_.*total)} : TimeSlot{};
}

Model::TimeSlot Model::profile_slot(size_t layer, bool backward_pass) {
  if (!profile_on_) return {};
  LayerTiming& t = profile_.layers[layer - 1];  // the InputLayer has no row
  return backward_pass ? TimeSlot{&t.backward_seconds, &t.backward_multiply_seconds}
                       : TimeSlot{&t.forward_seconds, &t.forward_multiply_seconds};
}

const Tensor& Model::forward(const Tensor& x, bool training) {
  forward_pass(TensorList(x), training, false);
  return output_value(0);
}

TensorList Model::forward(const TensorList& x, bool training) {
  if (x.size() != num_inputs())
    throw ValueError("forward: model \"" + name_ + "\" has " + std::to_string(num_inputs()) + " inputs, got " +
                     std::to_string(x.size()) + " arrays");
  forward_pass(x, training, false);
  std::vector<const Tensor*> outs;
  for (size_t k = 0; k < num_outputs(); ++k) outs.push_back(&output_value(k));
  return TensorList(std::move(outs));
}

const Tensor& Model::output_value(size_t k) const {
  if (graph_) return graph_->value(graph_->output_nodes()[k]);
  if (!chain_output_) throw Error("model \"" + name_ + "\" has no output yet: run forward first");
  return *chain_output_;
}

void Model::forward_pass(const TensorList& xs, bool training, bool fuse) {
  if (!built()) ensure_built(xs[0]);
  last_pass_fused_ = fuse && training && fusion_on_ && !reference_mode();
  last_input_ = &xs[0];
  restore_layer_flags();  // (another model running these layers may have changed them)
  if (profile_on_) {
    if (profile_.layers.size() + 1 != layers_.size()) reset_profile();  // the layers changed
    ++profile_.forward_passes;
  }
  if (graph_) {
    last_pass_fused_ = false;  // (a graph runs every layer on its own)
    return graph_forward(xs, training);
  }
  const Tensor* current = &xs[0];
  OutputLoss* logits = logits_head(0);
  for (size_t i = 1; i < layers_.size(); ++i) {
    if (fused_at(i)) {  // layers i and i + 1 as one step, writing layer i + 1's output
      timed(profile_slot(i, false), [&] { fused_[i]->forward(*current, outputs_[i + 1]); });
      if (profile_on_) profile_.layers[i].fused_into = layers_[i]->name();  // layer i + 1's row
      current = &outputs_[++i];
      continue;
    }
    if (i + 1 == layers_.size() && logits) {
      // The output layer gives z; the activation turns it into the predictions here, so
      // the loss can compute from z (configure_loss_from_logits).
      timed(profile_slot(i, false), [&] {
        layers_[i]->forward(*current, logits->logits, training);
        outputs_[i].resize(logits->logits.shape());
        const size_t k = losses::last_axis(logits->logits);
        activation_forward(logits->activation, logits->logits.data(), outputs_[i].data(), logits->logits.size() / k, k);
      });
    } else {
      timed(profile_slot(i, false), [&] { layers_[i]->forward(*current, outputs_[i], training); });
    }
    current = &outputs_[i];
  }
  chain_output_ = current;
}

void Model::backward_from(const Tensor& dy_out, Tensor* dx) {
  if (graph_) return graph_backward(TensorList(dy_out), dx);
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

// The chapter's five steps (model.h), each one call.
Model::StepResult Model::train_step(const TensorList& xb, const TensorList& yb, std::vector<double>* correct) {
  StepGuard::Scope guarded(guard_, params());  // unless accepted, the step leaves no trace
  StepResult result;
  forward_pass(xb, true, true);                                                           // 1 forward
  timed(profile_total(&Profile::loss_seconds), [&] { result.loss = batch_loss(yb); });  // 2 loss
  if (correct) count_correct(yb, *correct);
  result.problem = StepGuard::check_loss(result.loss.total);
  if (result.problem.empty()) {
    backward(yb);                                                                         // 3 backward
    timed(profile_total(&Profile::guard_seconds),                                         // 4 guard
          [&] { result.problem = StepGuard::check_gradients(layers_, result.loss.total); });
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

float Model::train_on_batch(const Tensor& x, const Tensor& y) { return train_on_batch(TensorList(x), TensorList(y)); }

float Model::train_on_batch(const TensorList& x, const TensorList& y_given) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();  // compiled?
  if (!x.empty()) ensure_built(x[0]);
  std::vector<Tensor> expanded;
  const TensorList y = labels_for_outputs(y_given, expanded);
  check_data(x, &y, "train_on_batch");
  StepResult step = train_step(x, y, nullptr);
  if (!step.problem.empty())
    throw ValueError("train_on_batch: " + step.problem + "; the weights were not updated. " + kBlowUpCauses);
  return step.loss.total;
}


LossTotals Model::evaluate_rows(const TensorList& x, const TensorList& y, size_t begin, size_t end, int batch_size,
                                int verbose, const LogNames& names) {
  std::vector<int> order(end - begin);
  std::iota(order.begin(), order.end(), static_cast<int>(begin));
  const size_t bs = static_cast<size_t>(batch_size);
  const int steps = static_cast<int>((order.size() + bs - 1) / bs);
  ProgressBar bar(steps, verbose, std::cout, ProgressBar::stdout_is_terminal());
  LossTotals totals = LossTotals::zeros(names.parts.size(), num_outputs());
  for (size_t b = 0, step = 1; b < order.size(); b += bs, ++step) {
    const size_t count = std::min(bs, order.size() - b);
    timed(profile_total(&Profile::data_seconds), [&] {
      gather_batch(x, order, b, count, batch_xs_);
      gather_batch(y, order, b, count, batch_ys_);
    });
    const TensorList yb(batch_ys_);
    forward_pass(TensorList(batch_xs_), false, false);
    totals.add(batch_loss(yb), count);
    count_correct(yb, totals.correct);
    const Logs logs = names.logs(totals, static_cast<double>(b + count));
    if (step == static_cast<size_t>(steps))
      bar.finish(logs);
    else
      bar.update(static_cast<int>(step), logs);
  }
  return totals;
}

std::vector<float> Model::evaluate(const Tensor& x, const Tensor& y, int batch_size, int verbose) {
  return evaluate(TensorList(x), TensorList(y), batch_size, verbose);
}

std::vector<float> Model::evaluate(const TensorList& x, const TensorList& y_given, int batch_size, int verbose) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  loss();
  if (!x.empty()) ensure_built(x[0]);
  std::vector<Tensor> expanded;
  const TensorList y = labels_for_outputs(y_given, expanded);
  check_data(x, &y, "evaluate");
  if (batch_size < 1) throw ValueError("evaluate: batch_size must be >= 1, got " + std::to_string(batch_size));
  const LogNames names = log_names();
  const size_t n = static_cast<size_t>(x[0].dim(0));
  return names.values(evaluate_rows(x, y, 0, n, batch_size, verbose, names), static_cast<double>(n));
}

Tensor Model::predict(const Tensor& x, int batch_size) { return predict(TensorList(x), batch_size); }

Tensor Model::predict(const TensorList& x, int batch_size) {
  if (num_outputs() != 1)
    throw Error("predict: model \"" + name_ + "\" has " + std::to_string(num_outputs()) + " outputs; "
                "predict_outputs(x) returns one tensor per output");
  return std::move(predict_outputs(x, batch_size).front());
}

std::vector<Tensor> Model::predict_outputs(const TensorList& x, int batch_size) {
  FlushDenormalsScope flush;  // subnormal numbers become 0 (kernels/denormals.h)
  if (!x.empty()) ensure_built(x[0]);
  check_data(x, nullptr, "predict");
  if (batch_size < 1) throw ValueError("predict: batch_size must be >= 1, got " + std::to_string(batch_size));
  const size_t n = static_cast<size_t>(x[0].dim(0));
  std::vector<Tensor> out;
  for (const Shape& shape : output_shapes()) {
    Shape batch{static_cast<int>(n)};
    batch.insert(batch.end(), shape.begin(), shape.end());
    out.emplace_back(batch);
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (size_t b = 0; b < n; b += static_cast<size_t>(batch_size)) {
    const size_t count = std::min(static_cast<size_t>(batch_size), n - b);
    timed(profile_total(&Profile::data_seconds), [&] { gather_batch(x, order, b, count, batch_xs_); });
    forward_pass(TensorList(batch_xs_), false, false);
    for (size_t k = 0; k < out.size(); ++k) {
      const Tensor& y = output_value(k);
      std::copy(y.begin(), y.end(), out[k].data() + b * out[k].row_size());
    }
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
