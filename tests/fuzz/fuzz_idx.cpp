// libFuzzer target: the IDX parsers (MNIST / Fashion-MNIST) on arbitrary bytes.
//
// Every input must end in one of two ways: an nn::Error (bad file, clear message) or a
// tensor that holds exactly the bytes of the file. Anything else — a crash, a sanitizer
// report, a huge allocation, another exception type, or a "successful" parse whose numbers
// are not the file's — is a bug that libFuzzer reports with the input that caused it.
#include <cstddef>
#include <cstdint>

#include "data/idx.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nn::Tensor x = nn::data::parse_idx_images(data, size, 28, 28, "fuzz input");
    // Accepted: header (16 bytes) + exactly N·28·28 pixels, copied one to one.
    if (x.size() + 16 != size || x.rank() != 4 || x.dim(1) != 28 || x.dim(2) != 28 || x.dim(3) != 1)
      __builtin_trap();
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] != static_cast<float>(data[16 + i])) __builtin_trap();
  } catch (const nn::Error&) {
  }
  try {
    nn::Tensor y = nn::data::parse_idx_labels(data, size, 10, "fuzz input");
    if (y.size() + 8 != size || y.rank() != 1) __builtin_trap();
    for (size_t i = 0; i < y.size(); ++i)
      if (y[i] != static_cast<float>(data[8 + i]) || y[i] > 9) __builtin_trap();
  } catch (const nn::Error&) {
  }
  return 0;
}
