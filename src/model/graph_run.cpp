// Running a model that is a graph (model/graph.h): forward node by node in topological
// order, backward in reverse from every output's loss gradient, summing the gradients of a
// node read by several layers.
// A chain never comes here: model.cpp runs it as it always has (fused pairs and all).
#include <algorithm>

#include "kernels/elementwise.h"
#include "layers/merge.h"
#include "model/graph.h"
#include "model/model.h"

namespace nn {

namespace {
// into += part, or into = part for the first part (then has becomes 1): a node read by
// several layers gets the sum of their gradients.
void add_gradient(Tensor& into, const Tensor& part, char& has) {
  if (!has) {
    into.resize(part.shape());
    std::copy(part.begin(), part.end(), into.begin());
    has = 1;
    return;
  }
  float* d = into.data();
  const float* add = part.data();
  for (size_t e = 0, m = into.size(); e < m; ++e) d[e] += add[e];
}
}  // namespace

void Model::set_graph(std::shared_ptr<Graph> graph) {
  graph_ = std::move(graph);
  layers_ = graph_->layers();
  outputs_.assign(layers_.size(), Tensor());
  grads_.assign(layers_.size(), Tensor());
  fused_.clear();  // layer fusion is a chain's: a graph runs every layer on its own
  last_pass_fused_ = false;
  graph_->set_input_gradient(input_gradient_);
  configure_loss_from_logits();
  record_added_losses();
  if (profile_on_) reset_profile();
}

size_t Model::calls_of(const Layer& layer) const {
  if (graph_) return graph_->calls(layer);
  return static_cast<size_t>(std::count_if(layers_.begin(), layers_.end(), [&](auto& l) { return l.get() == &layer; }));
}

void Model::graph_forward(const TensorList& xs, bool training) {
  Graph& g = *graph_;
  g.sync_replicas();  // a layer called twice: its later calls run with its current weights
  const auto& nodes = g.nodes();
  const auto& outs = g.output_nodes();
  auto value = [&](size_t j) -> const Tensor& {
    const auto& ins = g.input_nodes();
    const auto it = std::find(ins.begin(), ins.end(), j);
    return it != ins.end() ? xs[static_cast<size_t>(it - ins.begin())] : g.value(j);
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const GraphNode& n = nodes[i];
    if (n.inputs.empty()) continue;  // an Input: its value is the data
    auto run = [&](Tensor& y) {
      if (auto* merge = dynamic_cast<MergeLayer*>(n.runner.get())) {
        std::vector<const Tensor*> in;
        for (size_t j : n.inputs) in.push_back(&value(j));
        merge->forward_inputs(in, y, training);
      } else {
        n.runner->forward(value(n.inputs[0]), y, training);
      }
    };
    // An output whose loss computes from the logits: z into its logits, the predictions f(z) here.
    const auto out = std::find(outs.begin(), outs.end(), i);
    OutputLoss* head = out == outs.end() ? nullptr : logits_head(static_cast<size_t>(out - outs.begin()));
    timed(profile_slot(g.layer_index(*n.layer), false), [&] {
      if (head) {
        run(head->logits);
        g.value(i).resize(head->logits.shape());
        const size_t k = losses::last_axis(head->logits);
        activation_forward(head->activation, head->logits.data(), g.value(i).data(), head->logits.size() / k, k);
      } else {
        run(g.value(i));
      }
    });
  }
}

void Model::graph_backward(const TensorList& dys, Tensor* dx) {
  Graph& g = *graph_;
  const auto& nodes = g.nodes();
  // has[i]: node i's gradient holds something (a node no layer with weights sits below
  // gets none, and its layer no backward call).
  std::vector<char> has(nodes.size(), 0);
  // Each output starts with its dL/d(output); one that other layers read too (z_mean, an
  // output and Sampling's input) adds their dx to it below.
  for (size_t k = 0; k < dys.size(); ++k) add_gradient(g.grad(g.output_nodes()[k]), dys[k], has[g.output_nodes()[k]]);
  for (size_t i = nodes.size(); i-- > 0;) {
    const GraphNode& n = nodes[i];
    if (n.inputs.empty() || !has[i]) continue;
    std::vector<Tensor>& dxs = g.input_grads(i);
    timed(profile_slot(g.layer_index(*n.layer), true), [&] {
      if (auto* merge = dynamic_cast<MergeLayer*>(n.runner.get())) {
        std::vector<Tensor*> dx;
        for (Tensor& t : dxs) dx.push_back(&t);
        merge->backward_inputs(g.grad(i), dx);
      } else {
        n.runner->backward(g.grad(i), dxs[0]);
      }
    });
    if (!n.runner->input_gradient_needed()) continue;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const size_t j = n.inputs[k];
      if (!nodes[j].weights_below) continue;  // an Input, or nothing to learn below it
      add_gradient(g.grad(j), dxs[k], has[j]);  // (readers come in reverse node order)
    }
  }
  g.collect_replica_grads();  // a layer called twice learns from both calls
  if (dx) {  // dL/d(input) (set_input_gradient(true)); zero if no path carried any
    const size_t in = g.input_nodes()[0];
    if (has[in]) {
      dx->resize(g.grad(in).shape());
      std::copy(g.grad(in).begin(), g.grad(in).end(), dx->begin());
    } else {
      Shape shape{dys[0].dim(0)};
      shape.insert(shape.end(), nodes[in].shape.begin(), nodes[in].shape.end());
      dx->resize(shape);
      dx->fill(0.0f);
    }
  }
}

}  // namespace nn
