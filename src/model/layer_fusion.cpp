#include "model/layer_fusion.h"

#include <typeinfo>

#include "kernels/batch_norm.h"
#include "layers/batch_norm.h"
#include "layers/leaky_relu.h"

namespace nn {
namespace {

// BatchNormalization → LeakyReLU: BatchNormalization's fast passes with the LeakyReLU's
// slope (kernels/batch_norm.h), on the BatchNormalization's own parameters.
class FusedBatchNormLeakyReLU : public FusedStep {
 public:
  FusedBatchNormLeakyReLU(layers::BatchNormalization& bn, const layers::LeakyReLU& leaky)
      : bn_(bn), alpha_(leaky.alpha()) {}

  void forward(const Tensor& x, Tensor& y) override {  // x, y: (N, ..., C)
    const size_t c = static_cast<size_t>(bn_.input_shape().back()), m = x.size() / c;
    y.resize(x.shape());
    x_ = &x;
    const BatchNormMoving moving{bn_.moving_mean().value.data(), bn_.moving_variance().value.data(), bn_.momentum()};
    batch_norm_forward(x.data(), m, c, bn_.gamma().value.data(), bn_.beta().value.data(), bn_.epsilon(), true, moving,
                       state_, y.data(), alpha_);
  }

  void backward(const Tensor& dy, Tensor& dx) override {  // dy, dx: (N, ..., C)
    const size_t c = static_cast<size_t>(bn_.input_shape().back()), m = dy.size() / c;
    if (bn_.input_gradient_needed()) dx.resize(dy.shape());
    batch_norm_backward(dy.data(), x_->data(), m, c, state_, bn_.gamma().grad.data(), bn_.beta().grad.data(),
                        bn_.input_gradient_needed() ? dx.data() : nullptr, alpha_);
  }

 private:
  layers::BatchNormalization& bn_;
  float alpha_;
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied) for backward
  BatchNormState state_;
};

}  // namespace

std::unique_ptr<FusedStep> fuse_pair(Layer& first, Layer& second) {
  if (typeid(first) == typeid(layers::BatchNormalization) && typeid(second) == typeid(layers::LeakyReLU))
    return std::make_unique<FusedBatchNormLeakyReLU>(static_cast<layers::BatchNormalization&>(first),
                                                     static_cast<const layers::LeakyReLU&>(second));
  return nullptr;
}

}  // namespace nn
