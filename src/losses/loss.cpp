#include "losses/loss.h"

namespace nn::losses {

void Loss::fused_gradient(const Tensor&, const Tensor&, Tensor&) const {
  throw Error(name() + " has no fused gradient; ask fuses_with() first");
}

void Loss::check_shapes(const Tensor& y_pred, const Tensor& y_true) const {
  if (y_pred.shape() != y_true.shape() || y_pred.rank() < 1) {
    std::string hint;
    if (y_true.rank() == 1 && y_pred.rank() == 2 && y_pred.dim(1) > 1)
      hint = "; the targets look like class ids: convert them with nn::data::to_categorical(y, " +
             std::to_string(y_pred.dim(1)) + ")";
    throw ShapeError(name() + ": predictions have shape " + shape_str(y_pred.shape()) + " but targets have shape " +
                     shape_str(y_true.shape()) + ", they must match" + hint);
  }
}

}  // namespace nn::losses
