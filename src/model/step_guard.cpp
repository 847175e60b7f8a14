#include "model/step_guard.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"

namespace nn {

StepGuard::Scope::Scope(StepGuard& guard, const std::vector<Param*>& params) : guard_(guard) {
  guard.non_trainable_.clear();
  for (Param* p : params)
    if (!p->trainable) guard.non_trainable_.push_back(p);
  guard.saved_.resize(guard.non_trainable_.size());
  for (size_t i = 0; i < guard.saved_.size(); ++i) {
    const Tensor& value = guard.non_trainable_[i]->value;
    guard.saved_[i].resize(value.shape());
    std::copy(value.begin(), value.end(), guard.saved_[i].begin());
  }
}

StepGuard::Scope::~Scope() {
  if (accepted_) return;
  for (size_t i = 0; i < guard_.saved_.size(); ++i)
    std::copy(guard_.saved_[i].begin(), guard_.saved_[i].end(), guard_.non_trainable_[i]->value.begin());
}

std::string StepGuard::check_loss(float loss) {
  if (std::isfinite(loss)) return "";
  return std::string("the loss became ") + (std::isnan(loss) ? "NaN" : "infinite");
}

std::string StepGuard::check_gradients(const std::vector<std::shared_ptr<Layer>>& layers, float loss) {
  for (auto& layer : layers)
    for (Param* p : layer->params()) {
      if (all_finite(p->grad.data(), p->grad.size())) continue;
      for (auto& l : layers)
        for (Param* q : l->params()) std::fill(q->grad.begin(), q->grad.end(), 0.0f);  // a clean start next time
      return "the gradient of " + layer->name() + "/" + p->name + " became NaN or infinite (the loss was " +
             std::to_string(loss) + ")";
    }
  return "";
}

}  // namespace nn
