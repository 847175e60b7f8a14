#include "viz/adler32.h"

namespace nn::viz {

uint32_t adler32(const void* data, size_t size, uint32_t previous) {
  constexpr uint32_t kMod = 65521;
  // 5552 is the most bytes we can add before b could overflow 32 bits (zlib's NMAX),
  // so we take the slow modulo once per block instead of once per byte.
  constexpr size_t kBlock = 5552;
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t a = previous & 0xFFFF, b = previous >> 16;
  while (size > 0) {
    size_t n = size < kBlock ? size : kBlock;
    size -= n;
    for (; n > 0; --n) {
      a += *p++;
      b += a;
    }
    a %= kMod;
    b %= kMod;
  }
  return b << 16 | a;
}

}  // namespace nn::viz
