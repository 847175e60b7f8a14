// Small data files in the exact official formats, built in memory, for the data tests and
// the fuzzers' seed inputs. Pixel values follow a formula, so a test can check any pixel.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace nn_test {

using Bytes = std::vector<uint8_t>;

inline void put_u32_big_endian(Bytes& b, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
}

// Pixel (row, col) of image i in the IDX fixtures.
inline uint8_t idx_pixel(int i, int row, int col) { return static_cast<uint8_t>((i * 31 + row * 7 + col * 3) % 256); }

// An IDX images file: magic 0x00000803, then n, rows, cols, then the pixels.
inline Bytes idx_images(uint32_t n, uint32_t rows = 28, uint32_t cols = 28) {
  Bytes b;
  put_u32_big_endian(b, 0x00000803);
  put_u32_big_endian(b, n);
  put_u32_big_endian(b, rows);
  put_u32_big_endian(b, cols);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < cols; ++c) b.push_back(idx_pixel(int(i), int(r), int(c)));
  return b;
}

// An IDX labels file: magic 0x00000801, then n, then the labels (i % 10 unless given).
inline Bytes idx_labels(uint32_t n, std::vector<uint8_t> labels = {}) {
  Bytes b;
  put_u32_big_endian(b, 0x00000801);
  put_u32_big_endian(b, n);
  for (uint32_t i = 0; i < n; ++i) b.push_back(labels.empty() ? uint8_t(i % 10) : labels[i]);
  return b;
}

// Channel c of pixel (row, col) of record i in the CIFAR-10 fixtures.
inline uint8_t cifar_value(int i, int c, int row, int col) {
  return static_cast<uint8_t>((i * 17 + c * 80 + row * 5 + col) % 256);
}

// A CIFAR-10 batch: n records of [label][R plane][G plane][B plane], label (first + i) % 10.
inline Bytes cifar_batch(int n, int first = 0) {
  Bytes b;
  for (int i = 0; i < n; ++i) {
    b.push_back(static_cast<uint8_t>((first + i) % 10));
    for (int c = 0; c < 3; ++c)
      for (int row = 0; row < 32; ++row)
        for (int col = 0; col < 32; ++col) b.push_back(cifar_value(first + i, c, row, col));
  }
  return b;
}

inline void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("test fixture: cannot write " + path.string());
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

}  // namespace nn_test
