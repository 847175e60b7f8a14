// One array as a NumPy .npy file (format 1.0), as bytes in memory.
//
// Layout of what encode_npy produces (all that numpy.load needs):
//   "\x93NUMPY"  magic, 6 bytes
//   1, 0         format version 1.0
//   HEADER_LEN   2 bytes, little-endian
//   header       "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" padded with
//                spaces and ended by '\n' so that the data starts at a multiple of 64 bytes
//   data         the numbers, little-endian, row-major ("C order")
//
// 'descr' names the element type. Weights are float32 ('<f4'); checkpoints also need
// whole numbers that a float cannot hold exactly (a step count, a 64-bit generator state)
// and the running sums fit keeps in doubles, so four types are understood:
//   '<f4' float32   '<f8' float64   '<i8' int64   '<u8' uint64
// decode_npy accepts those as NumPy writes them (versions 1.0, 2.0 and 3.0) and rejects
// everything else with an nn::IoError saying what it found.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tensor/tensor.h"

namespace nn {

// In the order of NpyArray's variant below.
enum class Dtype { float32, float64, int64, uint64 };

// NumPy's name of the type: "<f4", "<f8", "<i8", "<u8" ('<' = little-endian).
const char* npy_descr(Dtype dtype);

// The contents of one .npy file: a shape and its numbers, in one of the four types.
// Weights travel as a Tensor (float32); the other types as a plain vector.
class NpyArray {
 public:
  NpyArray() = default;  // float32, shape (0)
  // Implicit, so a Tensor can be given wherever an array is expected.
  NpyArray(Tensor values);
  // 1-D arrays: shape (values.size()).
  explicit NpyArray(std::vector<double> values);
  explicit NpyArray(std::vector<int64_t> values);
  explicit NpyArray(std::vector<uint64_t> values);
  // Any shape; values.size() must be its element count (else nn::ShapeError).
  NpyArray(Shape shape, std::vector<double> values);
  NpyArray(Shape shape, std::vector<int64_t> values);
  NpyArray(Shape shape, std::vector<uint64_t> values);

  Dtype dtype() const { return static_cast<Dtype>(values_.index()); }
  const char* descr() const { return npy_descr(dtype()); }
  const Shape& shape() const { return shape_; }
  size_t size() const;

  // The numbers. Each requires dtype() to be that type and throws nn::Error otherwise:
  // check dtype() first when the array comes from a file.
  const Tensor& float32() const;
  const std::vector<double>& float64() const;
  const std::vector<int64_t>& int64() const;
  const std::vector<uint64_t>& uint64() const;

 private:
  Shape shape_{0};
  std::variant<Tensor, std::vector<double>, std::vector<int64_t>, std::vector<uint64_t>> values_;
};

std::vector<uint8_t> encode_npy(const NpyArray& array);

// `what` names the array in error messages, e.g. "entry 'dense/kernel' of 'w.npz'".
NpyArray decode_npy(const uint8_t* bytes, size_t size, const std::string& what = "npy data");

}  // namespace nn
