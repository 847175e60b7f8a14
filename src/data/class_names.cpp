#include "data/class_names.h"

#include "data/shapes.h"
#include "tensor/error.h"

namespace nn::data {

std::vector<std::string> class_names(const std::string& dataset) {
  if (dataset == "cifar10")
    return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  // The names Keras's documentation gives for fashion_mnist.load_data().
  if (dataset == "fashion-mnist")
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  if (dataset == "mnist") return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  if (dataset == "shapes") return shape_class_names();
  throw Error("class_names: unknown data set '" + dataset +
              "'; expected one of \"cifar10\", \"fashion-mnist\", \"mnist\", \"shapes\".");
}

}  // namespace nn::data
