// Input — where a model starts. It holds no weights and does no work: it only declares
// the shape of one sample, so every later layer can build its weights before data exists.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class InputLayer : public LayerBase<InputLayer> {
 public:
  explicit InputLayer(Shape shape);
  Shape build(const Shape& in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;  // y = x
  void backward(const Tensor& dy, Tensor& dx) override;              // dx = dy
  std::string type() const override { return "InputLayer"; }
  const Shape& shape() const { return shape_; }  // one sample, as given to Input
  Config get_config() const override;  // for model.save (layers/config.h)
  static InputLayer from_config(const Config& config);  // for nn::load_model

 private:
  Shape shape_;
};

// Input({32, 32, 3}): a node for samples of that shape (the batch dimension is implied).
Node Input(Shape shape, std::string name = "");

}  // namespace nn::layers
