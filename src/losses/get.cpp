#include "losses/get.h"

#include "losses/binary_crossentropy.h"
#include "losses/categorical_crossentropy.h"
#include "losses/mean_squared_error.h"

namespace nn::losses {

std::unique_ptr<Loss> get(const std::string& name) {
  if (name == "categorical_crossentropy") return std::make_unique<CategoricalCrossentropy>();
  if (name == "binary_crossentropy") return std::make_unique<BinaryCrossentropy>();
  if (name == "mean_squared_error" || name == "mse") return std::make_unique<MeanSquaredError>();
  std::string hint;
  if (name == "sparse_categorical_crossentropy")
    hint = " (nnscratch has no sparse version: one-hot encode the class ids with nn::data::to_categorical and use "
           "\"categorical_crossentropy\")";
  throw ValueError("unknown loss \"" + name +
                   "\"; nnscratch knows: categorical_crossentropy, binary_crossentropy, mean_squared_error (or mse)" +
                   hint);
}

}  // namespace nn::losses
