// Dropout — while training, switch off a random fraction `rate` of the numbers passing
// through, so the network cannot lean on any single unit and has to spread what it knows.
//
//   training   mask[i] = 0 with probability rate, else 1 / (1 - rate)   (drawn afresh
//              for every batch)
//              y = x ⊙ mask,   dx = dy ⊙ mask         (the same mask both ways)
//   inference  y = x,          dx = dy
//
// This is "inverted" dropout: scaling the kept numbers by 1 / (1 - rate) keeps the expected
// value of every y equal to x, so at inference time nothing needs rescaling and the layer
// simply steps aside (evaluate and predict run in inference mode).
//
// The mask comes from the layer's own generator, split off nn::global_rng() when the layer
// is built, so nn::set_seed(…) before building the model makes training reproducible.
// Reference mode draws the mask with the same code from the same generator and then applies
// it with the plain loops of reference/dropout.h, so both modes drop the same numbers.
#pragma once
#include "layers/layer.h"
#include "tensor/rng.h"

namespace nn::layers {

class Dropout : public LayerBase<Dropout> {
 public:
  explicit Dropout(float rate);  // rate in [0, 1): the fraction dropped

  Shape build(const Shape& in) override;                              // any shape, unchanged
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ...) -> y: same shape
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, ...) -> dx: same shape
  std::string type() const override { return "Dropout"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static Dropout from_config(const Config& config);  // for nn::load_model

  float rate() const { return rate_; }
  // (N, ...) the mask of the last training forward pass: 0 or 1 / (1 - rate) per number.
  const Tensor& mask() const { return mask_; }
  Rng* random_generator() override { return &rng_; }

 private:
  // mask_ for one batch of this shape, drawn from rng_ (the same code in both modes).
  void draw_mask(const Shape& shape);

  float rate_;
  Rng rng_;
  bool last_training_ = false;  // backward applies the mask only after a training forward
  Tensor mask_;                 // (N, ...) sized for the largest batch
};

}  // namespace nn::layers
