#include "model/graph.h"

#include <algorithm>
#include <functional>
#include <map>

#include "model/nested_model.h"
#include "tensor/error.h"

namespace nn {

Graph::Graph(const std::vector<Node>& inputs, const std::vector<Node>& outputs, const std::string& who) {
  if (inputs.empty()) throw Error(who + ": a model needs at least one input, made by layers::Input(shape)");
  if (outputs.empty()) throw Error(who + ": a model needs at least one output");
  std::map<const void*, size_t> index;  // Node::id() -> its position in nodes_
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Node& in = inputs[i];
    if (!in.valid() || !in.is_input())
      throw Error(who + ": inputs must be nodes made by layers::Input(shape) (input " + std::to_string(i) +
                  (in.valid() ? " is the output of layer \"" + in.layer().name() + "\")" : " is an empty Node)"));
    if (index.count(in.id()))
      throw Error(who + ": the input \"" + in.layer().name() + "\" is given twice; list each input once");
    index[in.id()] = nodes_.size();
    inputs_.push_back(nodes_.size());
    nodes_.push_back({in.layer_ptr(), in.layer_ptr(), {}, 0, in.shape(), false});
  }
  // Depth first from each output: a node is placed after everything it reads. Nodes never
  // change once made, so the graph has no cycles and the walk ends.
  std::function<size_t(const Node&)> place = [&](const Node& n) -> size_t {
    if (auto it = index.find(n.id()); it != index.end()) return it->second;
    if (n.is_input()) {
      std::string given;
      for (const Node& in : inputs) given += (given.empty() ? "\"" : ", \"") + in.layer().name() + "\"";
      throw Error(who + ": the outputs are not computed from the given inputs alone: they need the input \"" +
                  n.layer().name() + "\", which is not among the model's inputs (" + given + "); add it to them");
    }
    GraphNode g{n.layer_ptr(), n.layer_ptr(), {}, 0, n.shape(), false};
    for (const Node& from : n.inputs()) g.inputs.push_back(place(from));
    index[n.id()] = nodes_.size();
    nodes_.push_back(std::move(g));
    return nodes_.size() - 1;
  };
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (!outputs[k].valid()) throw Error(who + ": output " + std::to_string(k) + " is an empty Node");
    if (outputs[k].is_input())
      throw Error(who + ": the output is the input \"" + outputs[k].layer().name() +
                  "\" itself, but a model needs at least one layer; call a layer on the input first, e.g. "
                  "Node output = layers::Dense(10)(input)");
    outputs_.push_back(place(outputs[k]));
  }
  // Every input must feed some output.
  std::vector<size_t> readers(nodes_.size(), 0);
  for (const GraphNode& n : nodes_)
    for (size_t j : n.inputs) ++readers[j];
  for (size_t i : inputs_)
    if (readers[i] == 0)
      throw Error(who + ": the input \"" + nodes_[i].layer->name() + "\" is not used by any output; remove it "
                  "from the inputs, or connect it to the outputs");
  // Which call of its layer each node is, and the layer list (first calls' order).
  std::map<const Layer*, size_t> seen;
  for (GraphNode& n : nodes_) {
    n.call = seen[n.layer.get()]++;
    if (n.call == 0) {
      layers_.push_back(n.layer);
    } else {
      n.runner = n.layer->clone();  // a replica: its own buffers for this call's backward
    }
  }
  set_input_gradient(false);
  values_.assign(nodes_.size(), Tensor());
  grads_.assign(nodes_.size(), Tensor());
  dx_.resize(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) dx_[i].assign(nodes_[i].inputs.size(), Tensor());
  readers_ = std::move(readers);
}

bool Graph::is_chain() const {
  if (inputs_.size() != 1 || outputs_.size() != 1 || layers_.size() != nodes_.size()) return false;
  for (size_t i = 1; i < nodes_.size(); ++i)
    if (nodes_[i].inputs != std::vector<size_t>{i - 1}) return false;
  return outputs_[0] == nodes_.size() - 1;
}

size_t Graph::layer_index(const Layer& layer) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].get() == &layer) return i;
  throw Error("layer \"" + layer.name() + "\" is not part of this model");
}

size_t Graph::calls(const Layer& layer) const {
  return static_cast<size_t>(std::count_if(nodes_.begin(), nodes_.end(), [&](const GraphNode& n) { return n.layer.get() == &layer; }));
}

int Graph::node_index(size_t node) const {
  return static_cast<int>(nodes_[node].call) + first_node_index(*nodes_[node].layer);
}

std::vector<std::shared_ptr<Layer>> Graph::keras_layer_order() const {
  // Keras's _build_map: depth first back from each output, a node finished after its
  // inputs (post-order), a layer numbered when the walk first enters one of its calls.
  std::vector<size_t> finished;
  std::vector<char> done(nodes_.size(), 0);
  std::map<const Layer*, size_t> first_met;
  std::function<void(size_t)> walk = [&](size_t i) {
    if (done[i]) return;
    first_met.emplace(nodes_[i].layer.get(), first_met.size());
    for (size_t j : nodes_[i].inputs) walk(j);
    done[i] = 1;
    finished.push_back(i);
  };
  for (size_t o : outputs_) walk(o);
  // Depths from the outputs back (Keras's loop, step for step): a node is one deeper than
  // its deepest reader, and a layer as deep as its deepest call met so far.
  std::vector<int> node_depth(nodes_.size(), 0);
  std::map<const Layer*, int> layer_depth;
  for (auto it = finished.rbegin(); it != finished.rend(); ++it) {
    const GraphNode& n = nodes_[*it];
    const int depth = std::max(node_depth[*it], layer_depth[n.layer.get()]);
    layer_depth[n.layer.get()] = depth;
    node_depth[*it] = depth;
    for (size_t j : n.inputs) node_depth[j] = std::max(node_depth[j], depth + 1);
  }
  std::vector<std::shared_ptr<Layer>> order = layers_;
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    const int da = layer_depth[a.get()], db = layer_depth[b.get()];
    return da != db ? da > db : first_met[a.get()] < first_met[b.get()];
  });
  return order;
}

void Graph::set_input_gradient(bool on) {
  for (GraphNode& n : nodes_) {
    if (n.inputs.empty()) {  // an Input: "weights below" when its own gradient is wanted
      n.weights_below = on;
      continue;
    }
    bool below = false;  // does anything this call reads need a gradient?
    for (size_t j : n.inputs) below = below || nodes_[j].weights_below;
    n.runner->set_input_gradient_needed(below);
    n.weights_below = below || n.layer->count_params(true) > 0;
  }
}

void Graph::sync_replicas() {
  for (GraphNode& n : nodes_) {
    if (n.call == 0) continue;
    const std::vector<Param*> from = n.layer->params(), to = n.runner->params();
    for (size_t k = 0; k < from.size(); ++k) std::copy(from[k]->value.begin(), from[k]->value.end(), to[k]->value.begin());
  }
}

void Graph::collect_replica_grads() {
  for (GraphNode& n : nodes_) {  // in node order: the first call's part, then the second's, ...
    if (n.call == 0) continue;
    const std::vector<Param*> into = n.layer->params(), from = n.runner->params();
    for (size_t k = 0; k < from.size(); ++k) {
      if (!into[k]->trainable) continue;
      float* g = into[k]->grad.data();
      float* r = from[k]->grad.data();
      for (size_t e = 0, m = into[k]->grad.size(); e < m; ++e) {
        g[e] += r[e];
        r[e] = 0.0f;
      }
    }
  }
}

}  // namespace nn
