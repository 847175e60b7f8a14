// Layer fusion: two layers run as one pass over memory during training steps.
//
// A BatchNormalization followed by a LeakyReLU (every block of the chapter's CNN) reads and
// writes each number of a conv output twice forward and twice backward. Fused, the
// LeakyReLU runs inside BatchNormalization's own passes (kernels/batch_norm.h, its
// leaky_alpha argument): the same numbers, bit for bit, with half the memory traffic.
//
// The layers themselves know nothing of this: the model, when it prepares a training step
// (fit, train_on_batch), asks fuse_pair for each neighbouring pair, and runs the fused
// step in place of the two layers' own forward and backward. It changes nothing else:
// summary(), weights, checkpoints and every other pass (validation, evaluate, predict,
// Model::forward) see and run the two layers as they are. It is off in reference mode and
// after Model::set_layer_fusion(false), so that a debugger steps through every layer.
//
// (The loss has a mechanism of its own, "softmax/sigmoid from logits": see losses/loss.h.)
#pragma once
#include <memory>

#include "layers/layer.h"

namespace nn {

// One fused step standing for two layers (first, then second): forward writes second's
// output from first's input; backward takes second's dL/dy and writes dL/d(first's input)
// (skipped when first.input_gradient_needed() is false), adding into first's param grads.
class FusedStep {
 public:
  virtual ~FusedStep() = default;
  virtual void forward(const Tensor& x, Tensor& y) = 0;    // training pass only
  virtual void backward(const Tensor& dy, Tensor& dx) = 0;
};

// The fused step for `first` followed by `second`, or null when there is none: exactly a
// BatchNormalization followed by exactly a LeakyReLU (a class derived from either may
// compute something else, and its own forward and backward must run).
std::unique_ptr<FusedStep> fuse_pair(Layer& first, Layer& second);

}  // namespace nn
