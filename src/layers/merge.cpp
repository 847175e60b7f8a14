#include "layers/merge.h"

#include "tensor/error.h"

namespace nn {

// Layer::build_for remembers the first input's shape and marks the layer built; it calls
// build() below, which hands over to build_inputs with the whole list.
Shape MergeLayer::build_for_inputs(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() < 2)
    throw ShapeError("layer \"" + name() + "\" (" + type() + ") merges several inputs: call it on a list of at "
                     "least 2 nodes, e.g. layers::" + type() + "()({a, b}); got " +
                     std::to_string(input_shapes.size()));
  if (built()) {
    if (input_shapes != input_shapes_) {
      std::string got;
      for (const Shape& s : input_shapes) got += (got.empty() ? "" : ", ") + shape_str(s);
      throw ShapeError("layer \"" + name() + "\" was built for other input shapes and cannot be reused on " + got);
    }
    return output_shape();
  }
  building_ = &input_shapes;
  struct Reset {
    const std::vector<Shape>*& p;
    ~Reset() { p = nullptr; }
  } reset{building_};
  Shape out = build_for(input_shapes.front());
  input_shapes_ = input_shapes;
  return out;
}

Shape MergeLayer::build(const Shape&) {
  if (!building_)
    throw Error("layer \"" + name() + "\" (" + type() + ") takes several inputs: call it on a list of nodes, "
                "layers::" + type() + "()({a, b}), or build it with build_for_inputs");
  return build_inputs(*building_);
}

void MergeLayer::forward(const Tensor&, Tensor&, bool) {
  throw Error("layer \"" + name() + "\" (" + type() + ") takes several inputs: use forward_inputs({&x1, &x2}, y, training)");
}

void MergeLayer::backward(const Tensor&, Tensor&) {
  throw Error("layer \"" + name() + "\" (" + type() + ") takes several inputs: use backward_inputs(dy, {&dx1, &dx2})");
}

void MergeLayer::check_inputs(const std::vector<const Tensor*>& xs) const {
  if (xs.size() != input_shapes_.size())
    throw ShapeError("layer \"" + name() + "\" (" + type() + ") was built for " + std::to_string(input_shapes_.size()) +
                     " inputs, got " + std::to_string(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = *xs[i];
    const Shape& want = input_shapes_[i];
    bool ok = x.rank() == static_cast<int>(want.size()) + 1 && x.dim(0) == xs[0]->dim(0);
    for (size_t d = 0; ok && d < want.size(); ++d) ok = x.shape()[d + 1] == want[d];
    if (!ok)
      throw ShapeError("layer \"" + name() + "\" (" + type() + ") expected input " + std::to_string(i) +
                       " of shape " + batch_shape_str(want) + " (the same N for every input), got " +
                       shape_str(x.shape()));
  }
}

}  // namespace nn
