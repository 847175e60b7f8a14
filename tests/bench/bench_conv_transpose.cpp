// bench_conv_transpose: Conv2DTranspose against Conv2D for the same arithmetic.
//
// A Conv2DTranspose from (H, W, C) to (Ho, Wo, F) does exactly the multiply-adds of the
// Conv2D from (Ho, Wo, F) to (H, W, C) with the same kernel, only in the other direction
// (its forward is that Conv2D's input gradient; layers/conv2d_transpose.h). So each
// Conv2DTranspose of the book's chapter-3 decoder is timed (forward + backward, one
// training step's worth, batch 100 as in tutorial 11) next to that Conv2D, and the ratio
// of their times is printed. Issue 16's target: within 1.5×.
//
// Usage: bench_conv_transpose [--threads T] [--repeats R] [--quick]
// Not a test: `make bench` builds and runs it; nothing here asserts.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_util.h"
#include "nn.h"

using nn::Shape;
using nn::Tensor;
namespace L = nn::layers;

namespace {

// Median seconds of forward (training) + backward of `layer` on a batch of `n`.
double step_seconds(nn::Layer& layer, const Shape& sample, int n, int repeats) {
  layer.build_for(sample);
  Shape shape{n};
  shape.insert(shape.end(), sample.begin(), sample.end());
  Tensor x(shape), y, dx;
  nn::Rng rng(3);
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  layer.forward(x, y, true);
  Tensor dy(y.shape());
  for (float& v : dy) v = rng.uniform(-1.0f, 1.0f);
  layer.backward(dy, dx);  // warm up: buffers allocated, the pool awake
  return bench::median_seconds(repeats, [&] {
    layer.forward(x, y, true);
    layer.backward(dy, dx);
    for (nn::Param* p : layer.params()) p->grad.fill(0.0f);
  });
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, repeats = 9, batch = 100;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      repeats = 1;
      batch = 10;
    } else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--threads T] [--repeats R] [--quick]\n", argv[0]);
      return 2;
    }
  }
  nn::set_num_threads(threads);
  nn::set_seed(1);
  std::printf("bench_conv_transpose: forward + backward, batch %d, %d thread%s, median of %d\n", batch, threads,
              threads == 1 ? "" : "s", repeats);
  std::printf("%-38s %12s %12s %8s\n", "Conv2DTranspose (3×3, strides 2, same)", "transpose", "Conv2D", "ratio");
  struct Case {
    int h, c, f;  // transpose input (h, h, c) -> (2h, 2h, f); the Conv2D maps (2h, 2h, f) -> (h, h, c)
  };
  double worst = 0;
  for (const Case& k : {Case{4, 128, 128}, Case{8, 128, 64}, Case{16, 64, 32}}) {
    const L::Conv2DOptions options{.strides = 2, .padding = "same", .activation = "relu"};
    L::Conv2DTranspose transpose(k.f, 3, options);
    L::Conv2D conv(k.c, 3, options);
    const double t = step_seconds(transpose, {k.h, k.h, k.c}, batch, repeats);
    const double c = step_seconds(conv, {2 * k.h, 2 * k.h, k.f}, batch, repeats);
    char what[64];
    std::snprintf(what, sizeof what, "(%d, %d, %d) -> (%d, %d, %d)", k.h, k.h, k.c, 2 * k.h, 2 * k.h, k.f);
    std::printf("%-38s %10.2f ms %10.2f ms %7.2f×\n", what, 1e3 * t, 1e3 * c, t / c);
    worst = std::max(worst, t / c);
  }
  std::printf("worst ratio Conv2DTranspose / Conv2D: %.2f× (target: within 1.5×)\n", worst);
  return 0;
}
