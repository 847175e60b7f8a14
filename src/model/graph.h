// The graph of a functional model (Keras semantics): which layer calls run, in what order,
// each on which earlier outputs. A model that is a chain — one input, each layer called
// once on the output of the one before — runs as it always has (model.cpp); everything else
// (merges, a node read by several layers, a layer called twice) runs from this structure.
//
//   nodes      one per layer call, in a topological order: the model's inputs first, then
//              every call after all the calls it reads (a depth-first walk back from the
//              outputs, so the order depends only on how the model was written)
//   forward    node by node; a node's value is its layer's output for that call
//   backward   in reverse order; a node read by several layers gets the SUM of their dx
//   sharing    a layer called k times has k nodes. Its first call runs the layer itself;
//              each later call runs a replica (a clone) whose weights are copied from the
//              layer before every forward pass and whose gradients are added into the
//              layer's after backward, so the model has one set of weights, learning from
//              every call. (A layer keeps only its last forward for backward; a replica
//              per call keeps each one.) State a layer changes while training (a
//              BatchNormalization's moving statistics) follows the first call.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace nn {

struct GraphNode {
  std::shared_ptr<Layer> layer;   // the layer as the model lists it (shared by its calls)
  std::shared_ptr<Layer> runner;  // what runs this call: `layer` for its first, else a replica
  std::vector<size_t> inputs;     // the nodes this call reads (none for an Input)
  size_t call = 0;                // 0 for the layer's first call, 1 for its second... (Keras node_index)
  Shape shape;                    // of one sample of its output
  bool weights_below = false;     // this call or one it depends on has trainable weights
};

class Graph {
 public:
  // Checks that the outputs are computed from exactly these inputs (every output reachable
  // from them, every input used), and lays the nodes out. Throws an nn::Error saying which
  // node is wrong otherwise. `who` starts the messages ("Model(inputs, outputs)").
  Graph(const std::vector<Node>& inputs, const std::vector<Node>& outputs, const std::string& who);

  // One input, one output, every layer called once on the node before: the model.cpp path.
  bool is_chain() const;
  // Every layer once, in the order of its first call: inputs first (layers()[0] the first input).
  const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }
  const std::vector<GraphNode>& nodes() const { return nodes_; }
  const std::vector<size_t>& input_nodes() const { return inputs_; }
  const std::vector<size_t>& output_nodes() const { return outputs_; }
  size_t layer_index(const Layer& layer) const;  // its position in layers()
  size_t calls(const Layer& layer) const;        // how many nodes run it
  size_t readers(size_t node) const { return readers_[node]; }  // how many nodes read it
  // Keras's node_index of node i, the [layer, node_index, tensor_index] that config.json and
  // summary's "Connected to" write: which call of its layer it is. Keras counts a model's
  // calls from 1 when it is nested (node 0 of a Keras model links its own inputs to its
  // outputs), so the first call of a nested model (model/nested_model.h) is [name, 1, 0].
  int node_index(size_t node) const;
  // The layers in the order Keras's model.layers lists them (functional.py, _map_graph_network),
  // which summary() prints: by depth, the longest path from the layer's calls to an output,
  // deepest first; layers of one depth in the order a depth-first walk back from the outputs
  // first meets them. For a chain this is layers(); a branch that is shorter than its
  // neighbour moves later (Add(Dense(x), Dense(Dense(x))) lists the long branch's first Dense
  // before the short branch's).
  std::vector<std::shared_ptr<Layer>> keras_layer_order() const;

  // ---- running it (the model calls these; value(i) is node i's output) ----
  Tensor& value(size_t node) { return values_[node]; }
  Tensor& grad(size_t node) { return grads_[node]; }  // dL/d(value(node)), once summed
  std::vector<Tensor>& input_grads(size_t node) { return dx_[node]; }  // one dx per input of the node
  // Before a forward pass: every replica gets its layer's current weights.
  void sync_replicas();
  // Whether dL/d(input) is wanted (a nested model): sets each call's dx flag to match.
  void set_input_gradient(bool on);
  // After backward: every replica's gradients are added into its layer's, and zeroed.
  void collect_replica_grads();

 private:
  std::vector<GraphNode> nodes_;
  std::vector<size_t> inputs_, outputs_;
  std::vector<std::shared_ptr<Layer>> layers_;
  std::vector<Tensor> values_, grads_;
  std::vector<std::vector<Tensor>> dx_;
  std::vector<size_t> readers_;
};

}  // namespace nn
