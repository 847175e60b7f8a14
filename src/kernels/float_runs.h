// Short runs of floats copied or added: the inner steps of im2col and col2im
// (kernels/im2col.h), where a run is one kernel row of a patch, kw·C numbers (9 for a
// 3×3 window on an RGB image).
#pragma once
#include <cstring>

namespace nn {

// dst[j] = src[j] for j < count.                  dst, src: (count); must not overlap
// Thread-safe on distinct dst.
//
// Runs this short are too short for a memcpy call to pay; fixed-size memcpys compile to
// plain vector moves with no call. The tail is written out as 4 + 2 + 1 on purpose: g++
// turns a plain element loop into a call to memmove, which for one float costs more than
// the whole rest of the copy. Inline, so it disappears into the loop that calls it.
inline void copy_floats(float* __restrict dst, const float* __restrict src, int count) {
  for (; count >= 8; count -= 8, dst += 8, src += 8) std::memcpy(dst, src, 8 * sizeof(float));
  if (count >= 4) {
    std::memcpy(dst, src, 4 * sizeof(float));
    count -= 4, dst += 4, src += 4;
  }
  if (count >= 2) {
    std::memcpy(dst, src, 2 * sizeof(float));
    count -= 2, dst += 2, src += 2;
  }
  if (count) *dst = *src;
}

// dst[j] += src[j] for j < count.                 dst, src: (count); must not overlap
// Thread-safe on distinct dst. Compiled for AVX-512, AVX2 and plain x86-64, the best
// picked at load time (kernels/simd_clones.h); __restrict lets it vectorise without a
// run-time overlap check.
void add_into(float* __restrict dst, const float* __restrict src, int count);

}  // namespace nn
