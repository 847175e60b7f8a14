#include "kernels/float_runs.h"

#include "kernels/simd_clones.h"

namespace nn {

NN_SIMD_CLONES
void add_into(float* __restrict dst, const float* __restrict src, int count) {
  for (int j = 0; j < count; ++j) dst[j] += src[j];
}

}  // namespace nn
