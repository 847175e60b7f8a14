// Human-readable class names, for printing predictions and labelling image grids.
#pragma once
#include <string>
#include <vector>

namespace nn::data {

// The ten names of a data set's classes, indexed by class id:
//   "cifar10"        airplane automobile bird cat deer dog frog horse ship truck
//   "fashion-mnist"  T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag Ankle boot
//   "mnist"          0 … 9
//   "shapes"         the synthetic set of make_shapes (see shapes.h)
// Any other name is an nn::Error listing the known ones.
std::vector<std::string> class_names(const std::string& dataset);

}  // namespace nn::data
