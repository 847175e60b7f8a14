// CIFAR-10, binary version (www.cs.toronto.edu/~kriz/cifar.html): 60,000 colour images of
// 32×32 pixels in ten classes (airplane … truck), 50,000 for training, 10,000 for testing.
//
// Each batch file (data_batch_1.bin … data_batch_5.bin, test_batch.bin) is a plain run of
// 3073-byte records and nothing else:
//
//   byte 0          the label, 0..9
//   bytes 1-1024    the red plane:   32 rows of 32 pixels, row by row
//   bytes 1025-2048 the green plane
//   bytes 2049-3072 the blue plane
//
// Keras hands images over channels-last, (N, 32, 32, 3): the three colours of one pixel
// sit next to each other. So decoding is a small transpose per image, plane-major →
// pixel-major: out[(row·32 + col)·3 + c] = record[1 + c·1024 + row·32 + col].
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace nn::data {

constexpr int kCifarSide = 32;
constexpr size_t kCifarRecordBytes = 1 + 3 * kCifarSide * kCifarSide;  // 3073

// How many records a batch file of `size` bytes holds. An nn::IoError when the size is
// zero or not a whole number of records (a truncated download, or not a CIFAR-10 file).
size_t cifar10_record_count(size_t size, const std::string& source);

// Decodes `records` records from `bytes` into x (records × 32·32·3 floats, channels-last,
// 0..255) and y (records class ids). A label above 9 is an nn::IoError naming the record.
void decode_cifar10_records(const uint8_t* bytes, size_t records, float* x, float* y, const std::string& source);

// One batch file's bytes → x (N, 32, 32, 3), y (N).
Dataset parse_cifar10(const uint8_t* bytes, size_t size, const std::string& source);

// `dir` holds data_batch_1.bin … data_batch_5.bin and test_batch.bin directly (what the
// official cifar-10-binary.tar.gz unpacks to). Training images are decoded straight into
// one (50000, 32, 32, 3) tensor, one batch file at a time, so no second copy is made.
Split load_cifar10(std::string dir = "datasets/cifar-10-batches-bin");

}  // namespace nn::data
