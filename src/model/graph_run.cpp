// Running a model that is a graph (model/graph.h): forward node by node in topological
// order, backward in reverse, summing the gradients of a node read by several layers.
// A chain never comes here: model.cpp runs it as it always has (fused pairs and all).
#include <algorithm>

#include "kernels/elementwise.h"
#include "layers/merge.h"
#include "model/graph.h"
#include "model/model.h"

namespace nn {

void Model::set_graph(std::shared_ptr<Graph> graph) {
  graph_ = std::move(graph);
  layers_ = graph_->layers();
  outputs_.assign(layers_.size(), Tensor());
  grads_.assign(layers_.size(), Tensor());
  fused_.clear();  // layer fusion is a chain's: a graph runs every layer on its own
  last_pass_fused_ = false;
  graph_->set_input_gradient(input_gradient_);
  configure_loss_from_logits();
  if (profile_on_) reset_profile();
}

size_t Model::calls_of(const Layer& layer) const {
  if (graph_) return graph_->calls(layer);
  return static_cast<size_t>(std::count_if(layers_.begin(), layers_.end(), [&](auto& l) { return l.get() == &layer; }));
}

const Tensor& Model::graph_forward(const std::vector<const Tensor*>& xs, bool training) {
  Graph& g = *graph_;
  g.sync_replicas();  // a layer called twice: its later calls run with its current weights
  const auto& nodes = g.nodes();
  const size_t out = g.output_nodes()[0];
  auto value = [&](size_t j) -> const Tensor& {
    const auto& ins = g.input_nodes();
    const auto it = std::find(ins.begin(), ins.end(), j);
    return it != ins.end() ? *xs[static_cast<size_t>(it - ins.begin())] : g.value(j);
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
    timed(profile_slot(g.layer_index(*n.layer), false), [&] {
      if (i == out && loss_from_logits_) {  // z into logits_, the predictions f(z) here
        run(logits_);
        g.value(i).resize(logits_.shape());
        const size_t k = losses::last_axis(logits_);
        activation_forward(output_activation_, logits_.data(), g.value(i).data(), logits_.size() / k, k);
      } else {
        run(g.value(i));
      }
    });
  }
  return g.value(out);
}

void Model::graph_backward(const Tensor& dy, Tensor* dx) {
  Graph& g = *graph_;
  const auto& nodes = g.nodes();
  const size_t out = g.output_nodes()[0];
  // has[i]: node i's gradient holds something (a node no layer with weights sits below
  // gets none, and its layer no backward call).
  std::vector<char> has(nodes.size(), 0);
  g.grad(out) = dy;
  has[out] = 1;
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
      Tensor& into = g.grad(j);
      if (!has[j]) {  // the first reader's part (readers come in reverse node order)
        into.resize(dxs[k].shape());
        std::copy(dxs[k].begin(), dxs[k].end(), into.begin());
        has[j] = 1;
      } else {  // a node read by several layers: the sum of their gradients
        float* d = into.data();
        const float* add = dxs[k].data();
        for (size_t e = 0, m = into.size(); e < m; ++e) d[e] += add[e];
      }
    }
  }
  g.collect_replica_grads();  // a layer called twice learns from both calls
  if (dx) {  // dL/d(input) (set_input_gradient(true)); zero if no path carried any
    const size_t in = g.input_nodes()[0];
    if (has[in]) {
      dx->resize(g.grad(in).shape());
      std::copy(g.grad(in).begin(), g.grad(in).end(), dx->begin());
    } else {
      Shape shape{dy.dim(0)};
      shape.insert(shape.end(), nodes[in].shape.begin(), nodes[in].shape.end());
      dx->resize(shape);
      dx->fill(0.0f);
    }
  }
}

}  // namespace nn
