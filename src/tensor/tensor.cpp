#include "tensor/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <new>
#include <ostream>
#include <sstream>

namespace nn {
namespace {

void check_rank(const Shape& shape) {
  if (shape.size() > static_cast<size_t>(Tensor::kMaxRank))
    throw ShapeError("a tensor has at most " + std::to_string(Tensor::kMaxRank) + " dimensions, got shape " +
                     shape_str(shape));
}

}  // namespace

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

void Tensor::allocate(size_t n) {
  data_.reset();
  capacity_ = 0;
  if (n == 0) return;
  // aligned_alloc wants a size that is a multiple of the alignment.
  size_t bytes = (n * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p)
    throw Error("out of memory: could not allocate " + std::to_string(bytes >> 20) + " MiB for a tensor of shape " +
                shape_str(shape_));
  data_.reset(static_cast<float*>(p));
  capacity_ = n;
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)) {
  check_rank(shape_);
  size_ = shape_size(shape_);
  allocate(size_);
  fill(0.0f);
}

Tensor::Tensor(Shape shape, float fill_value) : Tensor(std::move(shape)) { fill(fill_value); }

Tensor::Tensor(Shape shape, std::vector<float> values) : Tensor(std::move(shape)) {
  if (values.size() != size_)
    throw ShapeError("Tensor" + shape_str(shape_) + " needs " + std::to_string(size_) + " values, got " +
                     std::to_string(values.size()));
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_), size_(other.size_) {
  allocate(size_);
  if (size_) std::memcpy(data(), other.data(), size_ * sizeof(float));
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (capacity_ < other.size_) allocate(other.size_);
  shape_ = other.shape_;
  size_ = other.size_;
  if (size_) std::memcpy(data(), other.data(), size_ * sizeof(float));
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)), size_(other.size_), capacity_(other.capacity_), data_(std::move(other.data_)) {
  other.shape_ = Shape{0};
  other.size_ = other.capacity_ = 0;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this == &other) return *this;
  shape_ = std::move(other.shape_);
  size_ = other.size_;
  capacity_ = other.capacity_;
  data_ = std::move(other.data_);
  other.shape_ = Shape{0};
  other.size_ = other.capacity_ = 0;
  return *this;
}

int Tensor::dim(int axis) const {
  int r = rank();
  int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r)
    throw ShapeError("axis " + std::to_string(axis) + " is out of range for shape " + shape_str(shape_));
  return shape_[a];
}

float& Tensor::at(size_t i) {
  if (i >= size_)
    throw Error("index " + std::to_string(i) + " is out of range for a tensor of " + std::to_string(size_) +
                " elements, shape " + shape_str(shape_));
  return data_[i];
}
float Tensor::at(size_t i) const { return const_cast<Tensor*>(this)->at(i); }

size_t Tensor::flat_index(std::initializer_list<int> index) const {
  if (index.size() != shape_.size())
    throw ShapeError("got " + std::to_string(index.size()) + " indices for a tensor of rank " +
                     std::to_string(rank()) + ", shape " + shape_str(shape_));
  size_t flat = 0;
  size_t axis = 0;
  for (int i : index) {
    if (i < 0 || i >= shape_[axis])
      throw Error("index " + std::to_string(i) + " on axis " + std::to_string(axis) + " is out of range for shape " +
                  shape_str(shape_));
    flat = flat * static_cast<size_t>(shape_[axis]) + static_cast<size_t>(i);
    ++axis;
  }
  return flat;
}
float& Tensor::at(std::initializer_list<int> index) { return data_[flat_index(index)]; }
float Tensor::at(std::initializer_list<int> index) const { return data_[flat_index(index)]; }

Tensor& Tensor::reshape(Shape new_shape) {
  check_rank(new_shape);
  // A single -1 means "whatever makes the sizes agree", as in NumPy.
  auto wild = std::count(new_shape.begin(), new_shape.end(), -1);
  if (wild == 1) {
    size_t known = 1;
    for (int d : new_shape)
      if (d != -1) known *= static_cast<size_t>(std::max(d, 0));
    auto it = std::find(new_shape.begin(), new_shape.end(), -1);
    if (known == 0 || size_ % known != 0)
      throw ShapeError("cannot reshape a tensor of shape " + shape_str(shape_) + " (" + std::to_string(size_) +
                       " elements) into " + shape_str(new_shape));
    *it = static_cast<int>(size_ / known);
  }
  if (shape_size(new_shape) != size_)
    throw ShapeError("cannot reshape a tensor of shape " + shape_str(shape_) + " (" + std::to_string(size_) +
                     " elements) into " + shape_str(new_shape) + " (" + std::to_string(shape_size(new_shape)) +
                     " elements); the element counts must agree");
  shape_ = std::move(new_shape);
  return *this;
}

void Tensor::resize(const Shape& new_shape) {
  check_rank(new_shape);
  size_t n = shape_size(new_shape);
  if (n > capacity_) {
    shape_ = new_shape;
    allocate(n);
  }
  shape_ = new_shape;
  size_ = n;
}

void Tensor::fill(float value) { std::fill(begin(), end(), value); }

size_t Tensor::row_size() const {
  if (shape_.empty()) throw ShapeError("a scalar tensor has no rows");
  return shape_[0] == 0 ? shape_size(Shape(shape_.begin() + 1, shape_.end())) : size_ / shape_[0];
}

Tensor Tensor::slice_rows(int begin, int end) const {
  if (shape_.empty() || begin < 0 || end < begin || end > shape_[0])
    throw Error("rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") are out of range for shape " +
                shape_str(shape_));
  Shape s = shape_;
  s[0] = end - begin;
  Tensor out(s);
  size_t row = row_size();
  if (out.size()) std::memcpy(out.data(), data() + static_cast<size_t>(begin) * row, out.size() * sizeof(float));
  return out;
}

namespace {

// Prints one dimension of t starting at `offset`; dims beyond 6 entries are elided.
void print_dim(std::ostream& os, const Tensor& t, int axis, size_t offset, size_t stride, int indent) {
  const int n = t.shape()[axis];
  const size_t inner = stride / static_cast<size_t>(std::max(n, 1));
  const bool elide = n > 6;
  os << '[';
  for (int i = 0; i < n; ++i) {
    if (elide && i == 3) {
      os << (axis + 1 == t.rank() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = n - 3;
    }
    if (axis + 1 == t.rank()) {
      os << std::setw(9) << t[offset + i];
    } else {
      print_dim(os, t, axis + 1, offset + i * inner, inner, indent + 1);
    }
    if (i + 1 < n) os << (axis + 1 == t.rank() ? ", " : ",\n" + std::string(indent + 1, ' '));
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  std::ostringstream s;
  s << std::setprecision(4);
  if (t.rank() == 0) {
    s << (t.size() ? t[0] : 0.0f);
  } else if (t.size() == 0) {
    s << "[]";
  } else {
    print_dim(s, t, 0, 0, t.size(), 0);
  }
  s << " shape=" << shape_str(t.shape());
  return os << s.str();
}

}  // namespace nn
