// Shape: the list of a tensor's dimensions, outermost first (row-major).
// Shapes printed for people look like NumPy's: (32, 32, 3).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace nn {

using Shape = std::vector<int>;

// Product of the dimensions (1 for the empty shape of a scalar).
// Throws nn::ShapeError on a negative dimension or on overflow, so a corrupt file header
// can never turn into a gigantic or negative allocation.
size_t shape_size(const Shape& shape);

// "(32, 32, 3)"; a rank-1 shape prints as "(10,)" like Python does.
std::string shape_str(const Shape& shape);

// A sample shape with a batch dimension in front, as Keras prints it: "(None, 32, 32, 3)".
std::string batch_shape_str(const Shape& sample_shape, const std::string& batch = "None");

}  // namespace nn
