// An optimizer turns gradients into weight changes. After backward() has added dL/dθ into
// every parameter's grad, step() moves each trainable θ a little downhill and then zeroes
// the grads, ready for the next batch.
#pragma once
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/layer.h"

namespace nn::optimizers {

class Optimizer {
 public:
  explicit Optimizer(float learning_rate);
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<Optimizer> clone() const = 0;

  // One update of every trainable parameter, then grads of all parameters set to zero.
  void step(const std::vector<Param*>& params);

  float learning_rate;                            // may be changed between steps
  long iterations() const { return iterations_; }  // steps taken so far (Keras: t)

  // The optimizer's memory (Adam's m and v, momentum's velocity) by name, for checkpoints.
  // It is created on the first step; build_state creates it (as zeros) before that, so a
  // checkpoint can be loaded into a fresh optimizer.
  virtual std::vector<std::pair<std::string, Tensor*>> state() { return {}; }
  void build_state(const std::vector<Param*>& params);
  void set_iterations(long t) { iterations_ = t; }

 protected:
  // Called once per step, before any update (e.g. Adam's bias correction for this t).
  virtual void begin_step() {}
  // Update one parameter. slot: its position among the trainable params, for per-param state.
  // value, grad: same shape, n elements.
  virtual void update(size_t slot, float* value, const float* grad, size_t n) = 0;
  // update, then grad set to zero for the next step. An optimizer may do both in one pass
  // over memory (Adam and SGD do, in their fast kernels); this default calls update, then
  // zeroes: a student's optimizer only writes update.
  virtual void update_and_zero(size_t slot, float* value, float* grad, size_t n) {
    update(slot, value, grad, n);
    std::fill(grad, grad + n, 0.0f);
  }
  // Create the state of one parameter (n elements) if the optimizer keeps any.
  virtual void create_state(size_t /*slot*/, size_t /*n*/) {}
  // The state tensor for `slot` (n elements), created as zeros on first use.
  static Tensor& slot_state(std::vector<Tensor>& slots, size_t slot, size_t n);

  long iterations_ = 0;
};

}  // namespace nn::optimizers
