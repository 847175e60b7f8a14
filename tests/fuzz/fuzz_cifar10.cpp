// libFuzzer target: the CIFAR-10 batch parser on arbitrary bytes.
//
// Every input must end in an nn::Error or in tensors that hold exactly the file's records,
// channel planes turned channels-last. Anything else is a bug libFuzzer reports.
#include <cstddef>
#include <cstdint>

#include "data/cifar10.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nn::data::Dataset d = nn::data::parse_cifar10(data, size, "fuzz input");
    const size_t n = size / 3073;
    if (size % 3073 != 0 || d.x.size() != n * 3072 || d.y.size() != n) __builtin_trap();
    for (size_t r = 0; r < n; ++r) {
      const uint8_t* record = data + r * 3073;
      if (d.y[r] != static_cast<float>(record[0]) || record[0] > 9) __builtin_trap();
      for (int p = 0; p < 1024; ++p)
        for (int c = 0; c < 3; ++c)
          if (d.x[r * 3072 + p * 3 + c] != static_cast<float>(record[1 + c * 1024 + p])) __builtin_trap();
    }
  } catch (const nn::Error&) {
  }
  return 0;
}
