// Losses by their Keras names, so model.compile("categorical_crossentropy", ...) reads as in
// the book:
//   "categorical_crossentropy"              CategoricalCrossentropy
//   "binary_crossentropy"                   BinaryCrossentropy
//   "mean_squared_error" (or "mse")         MeanSquaredError
// An unknown name is an nn::ValueError listing the known ones.
#pragma once
#include <memory>
#include <string>

#include "losses/loss.h"

namespace nn::losses {

std::unique_ptr<Loss> get(const std::string& name);

}  // namespace nn::losses
