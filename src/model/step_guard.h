// The guard of a training step against numbers that have blown up (NaN or ±inf).
//
// It looks at the loss and at every gradient before the optimizer step, so a batch that
// produced them changes no weight: fit stops with a message, train_on_batch throws, and
// the model is as it was before the batch. One thing changes during the forward pass
// itself, before the guard can look: BatchNormalization's moving statistics (its
// non-trainable parameters). So the guard copies them aside when the step begins and puts
// them back unless the step is accepted — also when a layer throws on the way.
#pragma once
#include <string>
#include <vector>

#include "layers/layer.h"

namespace nn {

class StepGuard {
 public:
  // One training step's guard: copies every non-trainable parameter of `params` aside
  // (into the guard's buffers, kept between steps: no allocation in steady state) and puts
  // them back when it goes out of scope, unless the step was accepted. Putting back copies
  // into the existing storage and cannot throw (it also runs while an exception is on its
  // way out of a layer).
  class Scope {
   public:
    Scope(StepGuard& guard, const std::vector<Param*>& params);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    void accept() { accepted_ = true; }  // the step went through: keep what it did

   private:
    StepGuard& guard_;
    bool accepted_ = false;
  };

  // "" when the loss is finite, else what happened ("the loss became NaN").
  static std::string check_loss(float loss);
  // "" when every gradient of `layers` is finite, else which one blew up; then all the
  // gradients are zeroed, so the next step starts clean.
  static std::string check_gradients(const std::vector<std::shared_ptr<Layer>>& layers, float loss);

 private:
  std::vector<Param*> non_trainable_;
  std::vector<Tensor> saved_;
};

}  // namespace nn
