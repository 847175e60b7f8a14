// Model::summary — Keras 2.11's table (keras/utils/layer_utils.py, print_summary), character
// for character:
//   * 65 columns; fields start at columns 0 (after one space), 29 and 55;
//   * a graph that is not "sequential-like" (a merge, a branch, a layer called twice) gets
//     Keras's 98-column table with a fourth field, "Connected to": fields end at 32, 53, 65, 98;
//   * a field that does not fit (its column less 2 spaces) continues on the next line; a cut
//     falls right after "),", "},", "]," or "'," when one is in the part that fits (so every
//     input listed under "Connected to" gets a line of its own);
//   * every row is padded with spaces to the table's width;
//   * rows print plain counts, the totals print with thousands separators;
//   * an empty row after every layer, the last one too, then the closing rule;
//   * rows in the order of Keras's model.layers: for a graph, by depth (Graph::keras_layer_order).
// summary({.explain = true}) then shows how every number came about.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "model/graph.h"
#include "model/model.h"

namespace nn {
namespace {

const std::vector<int> kColumnEnds = {29, 55, 65};
// A graph that is not a chain (Keras: not "sequential-like") gets a fourth column,
// "Connected to", and Keras's wider table: 98 columns, fields ending at 32, 53, 65 and 98.
const std::vector<int> kGraphColumnEnds = {32, 53, 65, 98};

std::string with_separators(double v) {
  const std::string digits = std::to_string(static_cast<long long>(v + 0.5));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string bytes_str(double bytes) {
  char buf[32];
  if (bytes >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024);
  return buf;
}

// Keras's print_row: each field is cut to its column (2 spaces kept between columns), and
// what is left over is printed on further lines. A cut prefers to fall right after "),".
void print_row(std::ostream& os, std::vector<std::string> fields, const std::vector<int>& ends = kColumnEnds) {
  const int columns = static_cast<int>(ends.size());
  auto anything_left = [&] { return std::any_of(fields.begin(), fields.end(), [](auto& f) { return !f.empty(); }); };
  do {
    std::string line;
    for (int col = 0; col < columns; ++col) {
      const int start = col ? ends[col - 1] : 0;
      const int space = col != columns - 1 ? 2 : 0;
      size_t cutoff = static_cast<size_t>(ends[col] - start - space);
      std::string fit = fields[col].substr(0, cutoff);
      for (const char* brk : {"),", "},", "],", "',"}) {
        size_t at = fit.find(brk);
        if (at != std::string::npos) cutoff = std::min(cutoff, at + 2);
      }
      fit = fields[col].substr(0, cutoff);
      if (col == 0) line += ' ';
      line += fit + std::string(space, ' ');
      fields[col] = fields[col].size() > cutoff ? fields[col].substr(cutoff) : "";
      if (static_cast<int>(line.size()) < ends[col]) line.resize(ends[col], ' ');
    }
    os << line << "\n";
  } while (anything_left());
}

}  // namespace

// Keras's test (print_summary): sequential-like when every depth of the graph holds one
// call, that call reads one input, and no layer is called twice. Otherwise the table gets
// the "Connected to" column.
bool Model::graph_is_sequential_like() const {
  for (size_t i = 0; i < graph_->nodes().size(); ++i) {
    const GraphNode& n = graph_->nodes()[i];
    if (n.inputs.size() > 1 || graph_->readers(i) > 1 || n.call > 0) return false;
  }
  return graph_->input_nodes().size() == 1 && graph_->output_nodes().size() == 1;
}

// Keras's "Connected to" field (print_layer_summary_with_connections): str() of the Python
// list of "layer[node_index][tensor_index]" for every input of every call of this layer, in
// call order, e.g. ['dense[0][0]', 'dense_1[0][0]']; [] for an Input. The node index is
// Keras's (Graph::node_index: a nested model's first call is [1]).
std::string Model::connections(const Layer& layer) const {
  std::string out;
  for (const GraphNode& n : graph_->nodes()) {
    if (n.layer.get() != &layer) continue;
    for (size_t j : n.inputs) {
      const std::string index = std::to_string(graph_->node_index(j));
      out += (out.empty() ? "'" : ", '") + graph_->nodes()[j].layer->name() + "[" + index + "][0]'";
    }
  }
  return "[" + out + "]";
}

std::string Model::summary_string(SummaryOptions options) {
  if (!built())
    throw Error("model \"" + name_ + "\" has not been built yet: start it with layers::Input(shape), or call "
                "fit/predict once, before summary()");
  std::ostringstream os;
  const bool connected = graph_ && !graph_is_sequential_like();
  const std::vector<int>& ends = connected ? kGraphColumnEnds : kColumnEnds;
  const int width = ends.back();
  os << "Model: \"" << name_ << "\"\n" << std::string(width, '_') << "\n";
  if (connected)
    print_row(os, {"Layer (type)", "Output Shape", "Param #", "Connected to"}, ends);
  else
    print_row(os, {"Layer (type)", "Output Shape", "Param #"});
  os << std::string(width, '=') << "\n";
  // A Sequential model does not list its InputLayer, exactly as Keras.
  const size_t first = show_input_layer_in_summary() ? 0 : 1;
  size_t total = 0, trainable = 0;
  // The rows in Keras's order of model.layers (Graph::keras_layer_order: by depth).
  const std::vector<std::shared_ptr<Layer>> rows = graph_ ? graph_->keras_layer_order() : layers_;
  for (size_t i = first; i < rows.size(); ++i) {
    Layer& l = *rows[i];
    std::string shape = batch_shape_str(l.output_shape());
    if (l.type() == "InputLayer") shape = "[" + shape + "]";  // Keras shows an input's shape as a list
    // A layer whose calls give different shapes has none of its own (Keras's output_shape
    // raises, and print_summary writes "multiple").
    if (graph_)
      for (const GraphNode& n : graph_->nodes())
        if (n.layer.get() == &l && n.shape != l.output_shape()) shape = "multiple";
    if (connected) {
      print_row(os, {l.name() + " (" + l.type() + ")", shape, std::to_string(l.count_params()), connections(l)}, ends);
    } else {
      print_row(os, {l.name() + " (" + l.type() + ")", shape, std::to_string(l.count_params())});
    }
    // Keras 2.11's print_summary prints this empty row after every layer, the last one too
    // (it leaves it out only for the last layer of a nested block).
    os << std::string(width, ' ') << "\n";
  }
  os << std::string(width, '=') << "\n";
  for (auto& l : layers_) {
    total += l->count_params();
    trainable += l->count_params(true);
  }
  os << "Total params: " << with_separators(static_cast<double>(total)) << "\n"
     << "Trainable params: " << with_separators(static_cast<double>(trainable)) << "\n"
     << "Non-trainable params: " << with_separators(static_cast<double>(total - trainable)) << "\n"
     << std::string(width, '_') << "\n";
  if (!options.explain) return os.str();

  // ---- the arithmetic behind the table ----
  os << "\nWhere the numbers come from:\n";
  double flops = 0, activations = 0;
  for (size_t i = 1; i < layers_.size(); ++i) {
    Layer& l = *layers_[i];
    const size_t count = l.count_params();
    const std::string how = l.explain_params();
    os << "  " << l.name() << ": ";
    if (count == 0)
      os << "no weights (it only " << (l.type() == "Flatten" ? "reshapes" : "transforms") << " its input)\n";
    else
      os << how << " = " << with_separators(static_cast<double>(count)) << "\n";
    flops += l.forward_flops();
    activations += static_cast<double>(shape_size(l.output_shape()));
  }
  const int batch = 32;
  os << "  Each bias lets a unit shift its threshold: without it every weighted sum would be\n"
     << "  forced through zero when the input is zero.\n"
     << "\nCost of one sample:\n"
     << "  forward pass: " << with_separators(flops) << " FLOPs (a multiply-add counts as 2);\n"
     << "  a training step is about 3× that (forward, then dx and dW in backward).\n"
     << "\nMemory:\n"
     << "  parameters: " << with_separators(static_cast<double>(total)) << " × 4 bytes = "
     << bytes_str(4.0 * total) << " (their gradients the same again; Adam keeps 2 more copies)\n"
     << "  activations for a batch of " << batch << ": " << with_separators(activations * batch) << " floats = "
     << bytes_str(4.0 * activations * batch) << " (kept for backward, plus as much for the gradients)\n";
  return os.str();
}

void Model::summary(SummaryOptions options) { std::cout << summary_string(options) << std::flush; }

bool Model::show_input_layer_in_summary() const { return true; }

}  // namespace nn
