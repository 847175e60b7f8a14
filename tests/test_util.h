// Small helpers shared by the tests.
#pragma once
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "model/npz.h"
#include "tensor/file_io.h"
#include "tensor/rng.h"

namespace nn_test {

// NN_TEST_QUICK=1 asks sweeping tests (GEMM sizes, gradient checks) for a smaller sweep;
// the sanitizer builds use it.
inline bool quick() {
  const char* q = std::getenv("NN_TEST_QUICK");
  return q && std::string(q) != "0";
}

// A fresh, empty folder under the system temp folder, removed with everything in it at the
// end of the scope. `name` keeps the folders of different test files apart.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name = "test") {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("nnscratch_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path.string(); }
};

// n numbers uniform in [-1, 1), the same for the same seed.
inline std::vector<float> random_floats(size_t n, uint64_t seed) {
  nn::Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

// The text of the file `name` inside the zip at `path` (a model file's "config.json"), or ""
// when the zip has no such file.
inline std::string zip_entry_text(const std::string& path, const std::string& name) {
  const std::vector<uint8_t> bytes = nn::read_file(path);
  for (const nn::ZipEntry& f : nn::decode_zip(bytes.data(), bytes.size()))
    if (f.name == name) return std::string(f.data.begin(), f.data.end());
  return "";
}

// A tensor of uniform random numbers in [low, high), drawn from Rng(seed): the same seed
// gives the same numbers in every test.
inline nn::Tensor random_tensor(const nn::Shape& shape, uint64_t seed, float low = -1.0f, float high = 1.0f) {
  nn::Rng rng(seed);
  nn::Tensor t(shape);
  for (float& v : t) v = rng.uniform(low, high);
  return t;
}

// a and b have the same shape and the same bits in every entry (so -0 differs from +0, and
// a NaN equals only the same NaN): what "bit-identical" means in these tests.
inline bool same_bits(const nn::Tensor& a, const nn::Tensor& b) {
  return a.shape() == b.shape() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

inline bool same_bits(const std::vector<nn::Tensor>& a, const std::vector<nn::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}

}  // namespace nn_test
