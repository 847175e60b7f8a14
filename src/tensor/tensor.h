// nn::Tensor — a block of float32 numbers plus the shape that says how to read it.
//
// Storage is one contiguous, 64-byte aligned array in row-major order: the last index
// moves fastest, so element (i, j) of a (rows, cols) tensor lives at data()[i*cols + j].
// 64 bytes is one cache line and one AVX-512 register, so SIMD loads never straddle lines.
//
// Copies are deep (a copy owns its own numbers, like a NumPy .copy()); moves are cheap
// (the pointer changes hands). There is deliberately no constructor from an
// initializer_list<float>: with one, Tensor({32, 32, 3}) would silently become a
// 3-element vector instead of a 32×32×3 image.
//
// Reusable buffers: resize() keeps the allocation when the new shape fits in it, so a
// layer can size its buffers for the largest batch once and then use a prefix of them for
// a smaller last batch without allocating again.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <vector>

#include "tensor/error.h"
#include "tensor/shape.h"

namespace nn {

class Tensor {
 public:
  static constexpr int kMaxRank = 4;  // (N, H, W, C) is the largest the chapter needs
  static constexpr size_t kAlignment = 64;

  Tensor() = default;                                     // empty: shape (0,), no storage
  explicit Tensor(Shape shape);                           // zero-filled
  Tensor(Shape shape, std::vector<float> values);         // values.size() must match
  Tensor(Shape shape, float fill_value);                  // every element = fill_value

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() = default;

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int dim(int axis) const;  // negative axis counts from the end, like Python
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float* begin() { return data(); }
  float* end() { return data() + size_; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + size_; }

  // Unchecked flat access: the fast path for loops that already know their bounds.
  float& operator[](size_t i) { return data_[i]; }
  float operator[](size_t i) const { return data_[i]; }
  // Checked access: flat index, or one index per dimension.
  float& at(size_t flat_index);
  float at(size_t flat_index) const;
  float& at(std::initializer_list<int> index);
  float at(std::initializer_list<int> index) const;

  // Same numbers, new shape (no copy). Throws ShapeError when the sizes differ.
  Tensor& reshape(Shape new_shape);
  // New shape; keeps the allocation when it is large enough, else reallocates.
  // Contents are unspecified afterwards (reused buffers are overwritten anyway).
  void resize(const Shape& new_shape);
  size_t capacity() const { return capacity_; }

  void fill(float value);
  // Rows [begin, end) of the first dimension, as a new tensor (a copy).
  Tensor slice_rows(int begin, int end) const;
  // Number of elements per index of the first dimension (e.g. H*W*C for an image batch).
  size_t row_size() const;

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  void allocate(size_t n);  // fresh storage of n floats (contents undefined)
  size_t flat_index(std::initializer_list<int> index) const;

  Shape shape_{0};
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

// NumPy-like printing: nested brackets, long dimensions elided with "...".
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace nn
