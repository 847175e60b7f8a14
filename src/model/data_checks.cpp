// Model::check_data: what fit, evaluate, predict and train_on_batch check before they touch
// a number, so that bad data is a clear error (naming the array at fault), never garbage
// trained on. The messages of a model with one input and one output call the arrays x and
// y, as its user does.
#include "kernels/elementwise.h"
#include "model/graph.h"
#include "model/model.h"

namespace nn {

// The arrays fit, evaluate, predict and train_on_batch were given: as many as the model has
// inputs (and outputs), each of its shape, all with the same number of samples, finite.
void Model::check_data(const TensorList& x, const TensorList* y, const char* where) {
  const std::string w = where;
  const std::vector<Shape> in_shapes = input_shapes();
  const bool one_in = in_shapes.size() == 1;
  auto input_name = [&](size_t i) {
    if (one_in) return std::string("x");
    return "input " + std::to_string(i) + " (\"" + graph_->nodes()[graph_->input_nodes()[i]].layer->name() + "\")";
  };
  if (x.size() != in_shapes.size())
    throw ValueError(w + ": the model \"" + name_ + "\" has " + std::to_string(in_shapes.size()) + " input" +
                     (one_in ? "" : "s") + " but got " + std::to_string(x.size()) + " array" + (x.size() == 1 ? "" : "s") +
                     "; pass one per input, in order, as a list: {x_1, x_2, ...}");
  for (size_t i = 0; i < x.size(); ++i) {
    const Tensor& xi = x[i];
    const Shape& want = in_shapes[i];
    Shape got_sample(xi.shape().begin() + std::min<size_t>(1, xi.shape().size()), xi.shape().end());
    if (xi.rank() < 1 || got_sample != want)
      throw ShapeError(w + ": the model \"" + name_ + "\" expects " + (one_in ? "inputs" : input_name(i)) + " of shape " +
                       batch_shape_str(want, "N") + ", got " + shape_str(xi.shape()));
    if (xi.dim(0) == 0) throw ValueError(w + ": the input holds no samples (shape " + shape_str(xi.shape()) + ")");
    if (xi.dim(0) != x[0].dim(0))
      throw ShapeError(w + ": every array must hold the same number of samples, but input 0 has " +
                       std::to_string(x[0].dim(0)) + " and " + input_name(i) + " has " + std::to_string(xi.dim(0)));
    if (!all_finite(xi.data(), xi.size()))
      throw ValueError(w + ": the input contains NaN or infinite values; clean or rescale the data first");
  }
  if (!y) return;
  const std::vector<Shape> out_shapes = output_shapes();
  const std::vector<std::string> names = output_names();
  const bool one_out = out_shapes.size() == 1;
  if (y->size() != out_shapes.size())
    throw ValueError(w + ": the model \"" + name_ + "\" has " + outputs_described() + " but got " +
                     std::to_string(y->size()) + " target array" + (y->size() == 1 ? "" : "s") +
                     "; pass one target per output, in order, as a list: {y_1, y_2, ...}");
  for (size_t k = 0; k < y->size(); ++k) {
    const Tensor& yk = (*y)[k];
    const std::string y_name = one_out ? "y" : "the target of output " + std::to_string(k) + " (\"" + names[k] + "\")";
    const Shape& out = out_shapes[k];
    Shape y_sample(yk.shape().begin() + std::min<size_t>(1, yk.shape().size()), yk.shape().end());
    if (yk.rank() < 1 || yk.dim(0) != x[0].dim(0))
      throw ShapeError(w + ": x has " + std::to_string(x[0].dim(0)) + " samples but " + y_name + " has " +
                       (yk.rank() ? std::to_string(yk.dim(0)) : std::string("none")) + "; they must match");
    if (y_sample != out) {
      std::string hint;
      if (yk.rank() == 1 && out.size() == 1 && out[0] > 1)
        hint = "; y holds class ids: one-hot encode them with nn::data::to_categorical(y, " + std::to_string(out[0]) +
               ")";
      throw ShapeError(w + ": the model's output" + (one_out ? "" : " \"" + names[k] + "\"") + " has shape " +
                       batch_shape_str(out, "N") + " but " + y_name + " has shape " + shape_str(yk.shape()) + hint);
    }
    if (!all_finite(yk.data(), yk.size())) throw ValueError(w + ": the targets contain NaN or infinite values");
    if (k < heads_.size()) heads_[k].loss->check_targets(yk, w);
  }
}

std::string Model::outputs_described() const {
  const std::vector<std::string> names = output_names();
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "" : ", ") + n;
  return std::to_string(names.size()) + (names.size() == 1 ? " output (" : " outputs (") + listed + ")";
}

}  // namespace nn
