// nn::TensorList — several tensors passed together, one per input or per output of a model
// (Keras passes a Python list):
//
//   Model model({image_in, meta_in}, {class_out, box_out});
//   model.fit({x_image, x_meta}, {y_class, y_box}, {.epochs = 5});
//   std::vector<Tensor> p = model.predict_outputs({x_image, x_meta});
//
// It refers to the caller's tensors and copies none of them (a data set can be hundreds of
// megabytes), so each one must be a tensor held in a variable: a temporary would be gone
// before a stored list (FitOptions::validation_data) is read, and is refused when the
// program compiles. A single tensor converts to a list of one, so every call that takes a
// list takes a tensor too; every single-tensor call (fit(x, y)) stays as it was.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace nn {

// One element of a braced list {x1, x2}: a reference to a tensor that outlives the call.
class TensorRef {
 public:
  TensorRef(const Tensor& t) : tensor_(&t) {}  // NOLINT: implicit, for the braced list
  TensorRef(Tensor&&) = delete;                // a temporary would dangle: keep it in a variable
  const Tensor& get() const { return *tensor_; }

 private:
  const Tensor* tensor_;
};

class TensorList {
 public:
  TensorList() = default;  // no tensors
  TensorList(const Tensor& t) : items_{&t} {}  // NOLINT: implicit, a list of one
  TensorList(Tensor&&) = delete;               // (see the top of the file)
  TensorList(std::initializer_list<TensorRef> tensors) {
    for (const TensorRef& t : tensors) items_.push_back(&t.get());
  }
  TensorList(const std::vector<Tensor>& tensors) {  // NOLINT: e.g. what predict_outputs returned
    for (const Tensor& t : tensors) items_.push_back(&t);
  }
  TensorList(std::vector<Tensor>&&) = delete;
  explicit TensorList(std::vector<const Tensor*> tensors) : items_(std::move(tensors)) {}

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Tensor& operator[](size_t i) const { return *items_[i]; }

 private:
  std::vector<const Tensor*> items_;
};

// A batch: the rows order[begin, begin + count) of every array, each into its own reused
// buffer (into[i] for arrays[i]; `into` is resized to one per array).
void gather_batch(const TensorList& arrays, const std::vector<int>& order, size_t begin, size_t count,
                  std::vector<Tensor>& into);

}  // namespace nn
