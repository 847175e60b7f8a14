// MNIST and Fashion-MNIST: the IDX file format, and the two loaders.
//
// An IDX file is a tiny header followed by raw bytes (yann.lecun.com/exdb/mnist):
//
//   bytes 0-3   magic number 0x00000803 for images (0x08 = unsigned bytes, 3 dimensions)
//                            0x00000801 for labels (1 dimension)
//   bytes 4-…   one big-endian 32-bit size per dimension: N (, rows, cols)
//   then        N·rows·cols pixel bytes (0 = background, 255 = ink), or N label bytes
//
// The loaders return what Keras's load_data() returns, as float tensors: images (N, 28, 28, 1)
// with values 0..255 — so the chapter's `x / 255.0` is written literally — and labels (N)
// holding the class ids 0..9.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "tensor/tensor.h"

namespace nn::data {

// Parses the bytes of an IDX image file into (N, rows, cols, 1) floats 0..255. Every check
// happens before anything is allocated: the magic number, the image size (must be
// rows × cols), and that the file is exactly as long as its header says (a truncated file
// and trailing garbage are both errors). `source` names the file in error messages.
Tensor parse_idx_images(const uint8_t* bytes, size_t size, int rows, int cols, const std::string& source);

// Parses the bytes of an IDX label file into (N) floats, each a class id checked to be in
// 0..num_classes-1.
Tensor parse_idx_labels(const uint8_t* bytes, size_t size, int num_classes, const std::string& source);

// The same for files on disk. `fix` tells the user what to do if the file is missing or bad.
Tensor read_idx_images(const std::string& path, int rows, int cols, const std::string& fix);
Tensor read_idx_labels(const std::string& path, int num_classes, const std::string& fix);

// `dir` holds the four uncompressed official files directly:
//   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
// A missing directory or file, or only the .gz downloads, is an nn::IoError that says how to
// fetch them (`make data NAME=fashion-mnist`).
Split load_fashion_mnist(std::string dir = "datasets/fashion-mnist");
Split load_mnist(std::string dir = "datasets/mnist");

}  // namespace nn::data
