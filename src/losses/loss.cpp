#include "losses/loss.h"

namespace nn::losses {

float Loss::value_from_logits(const Tensor&, const Tensor&) const {
  throw Error(name() + " has no value from logits; ask computes_from_logits() first");
}

void Loss::gradient_from_logits(const Tensor&, const Tensor&, Tensor&) const {
  throw Error(name() + " has no gradient from logits; ask computes_from_logits() first");
}

size_t last_axis(const Tensor& t) { return t.rank() ? static_cast<size_t>(t.dim(-1)) : 1; }

size_t positions(const Tensor& t) {
  const size_t k = last_axis(t);
  return k ? t.size() / k : 0;
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

void Loss::check_probabilities(const Tensor& y_true, const std::string& where) const {
  const size_t k = y_true.row_size();
  for (size_t i = 0; i < y_true.size(); ++i) {
    if (y_true[i] >= 0.0f && y_true[i] <= 1.0f) continue;
    throw ValueError(where + ": " + name() + " needs targets between 0 and 1 (probabilities), but sample " +
                     std::to_string(i / k) + " has the target " + std::to_string(y_true[i]) +
                     (last_axis(y_true) > 1 ? "; one-hot encode class ids with nn::data::to_categorical(ids, " +
                                                  std::to_string(last_axis(y_true)) + ")"
                                            : "; binary labels are 0 or 1") +
                     ", or use mean_squared_error to predict arbitrary numbers");
  }
}

}  // namespace nn::losses
