// Conv2D's implicit-GEMM path (kernels/conv_gemm.h) against a naive convolution written
// straight from the definition, in double: forward, dx, dW and db, on awkward shapes
// (odd sizes, widths that are not a multiple of the kernel's tile, filters that are not a
// multiple of its panel, stride 2 with TensorFlow's one-sided "same" padding, several
// images per dW group, channel counts that are not a multiple of the tile, windows that
// hang over the edge by two), with every micro-kernel this CPU can run.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/conv_gemm.h"
#include "kernels/cpu.h"
#include "nn.h"

using nn::Tensor;
namespace L = nn::layers;

namespace {

struct Case {
  int h, w, c, filters, k, stride;
  const char* padding;
  int n = 3;  // images in the batch
};

// Where window position (oy, ox) row ky column kx reads the input: (iy, ix), maybe outside.
struct Geometry {
  int out_h, out_w, pad_top, pad_left;
};
Geometry geometry(const Case& t) {
  auto axis = [&](int n, int& out, int& pad) {
    if (std::string(t.padding) == "same") {
      out = (n + t.stride - 1) / t.stride;
      pad = std::max((out - 1) * t.stride + t.k - n, 0) / 2;
    } else {
      out = (n - t.k) / t.stride + 1;
      pad = 0;
    }
  };
  Geometry g{};
  axis(t.h, g.out_h, g.pad_top);
  axis(t.w, g.out_w, g.pad_left);
  return g;
}

Tensor random_tensor(const nn::Shape& shape, uint64_t seed) {
  Tensor x(shape);
  nn::Rng rng(seed);
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  return x;
}

void check_close(const Tensor& got, const std::vector<double>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / (1.0 + std::abs(want[i])));
  INFO(what, ": worst relative error ", worst);
  CHECK(worst < 1e-5);
}

}  // namespace

TEST_CASE("Conv2D's implicit GEMM matches a naive convolution on awkward shapes, with every kernel") {
  const Case cases[] = {
      {7, 9, 32, 5, 3, 1, "same"},    {8, 8, 16, 33, 3, 2, "same"},  {6, 5, 40, 3, 3, 1, "valid"},
      {9, 7, 32, 64, 3, 2, "same"},   {9, 9, 16, 7, 5, 1, "same"},   {5, 11, 48, 17, 2, 2, "valid"},
      {10, 6, 64, 40, 3, 1, "same"},  {11, 10, 13, 9, 5, 2, "same"}, {12, 20, 7, 35, 5, 1, "same"},
      // one image; a stride larger than the window (columns skipped); a window larger
      // than the image ("same" pads it on every side); and 37 images of 4×4 outputs, more
      // than one dW group (32 images each), the last one partial.
      {6, 7, 32, 9, 3, 2, "same", 1}, {9, 10, 24, 8, 2, 3, "valid"},  {3, 4, 16, 6, 5, 1, "same"},
      {4, 4, 16, 8, 3, 1, "same", 37},
  };
  const nn::SimdLevel saved = nn::get_simd_level();
  for (nn::SimdLevel level : nn::supported_simd_levels()) {
    nn::set_simd_level(level);
    int implicit_cases = 0;
    for (const Case& t : cases) {
      CAPTURE(nn::simd_level_name(level));
      INFO("input ", t.h, "x", t.w, "x", t.c, ", ", t.filters, " filters ", t.k, "x", t.k, " stride ", t.stride, " ",
           t.padding);
      const Geometry g = geometry(t);
      const int n = t.n;
      L::Conv2D conv(t.filters, t.k, {.strides = t.stride, .padding = t.padding});
      REQUIRE(conv.build_for({t.h, t.w, t.c}) == nn::Shape{g.out_h, g.out_w, t.filters});
      conv.bias().value = random_tensor({t.filters}, 5);
      const nn::ConvShape shape{.out_h = g.out_h, .out_w = g.out_w, .kernel = t.k, .stride = t.stride,
                                .channels = t.c, .filters = t.filters, .in_h = t.h, .in_w = t.w,
                                .pad_top = g.pad_top, .pad_left = g.pad_left};
      implicit_cases += nn::conv_gemm_supported(shape);

      const Tensor x = random_tensor({n, t.h, t.w, t.c}, 1), dy = random_tensor({n, g.out_h, g.out_w, t.filters}, 2);
      Tensor y, dx;
      conv.forward(x, y, true);
      conv.backward(dy, dx);

      // The definition: y[n,oy,ox,f] = b[f] + Σ x[n, oy·s+ky-pt, ox·s+kx-pl, c] · W[ky,kx,c,f].
      const Tensor& w = conv.kernel().value;
      std::vector<double> y_ref(y.size()), dx_ref(x.size()), dw_ref(w.size()), db_ref(t.filters);
      for (int i = 0; i < n; ++i)
        for (int oy = 0; oy < g.out_h; ++oy)
          for (int ox = 0; ox < g.out_w; ++ox)
            for (int f = 0; f < t.filters; ++f) {
              const size_t out = ((static_cast<size_t>(i) * g.out_h + oy) * g.out_w + ox) * t.filters + f;
              double sum = conv.bias().value[f];
              db_ref[f] += dy[out];
              for (int ky = 0; ky < t.k; ++ky)
                for (int kx = 0; kx < t.k; ++kx) {
                  const int iy = oy * t.stride + ky - g.pad_top, ix = ox * t.stride + kx - g.pad_left;
                  if (iy < 0 || iy >= t.h || ix < 0 || ix >= t.w) continue;
                  for (int c = 0; c < t.c; ++c) {
                    const size_t in = ((static_cast<size_t>(i) * t.h + iy) * t.w + ix) * t.c + c;
                    const size_t wi = ((static_cast<size_t>(ky) * t.k + kx) * t.c + c) * t.filters + f;
                    sum += static_cast<double>(x[in]) * w[wi];
                    dx_ref[in] += static_cast<double>(dy[out]) * w[wi];
                    dw_ref[wi] += static_cast<double>(dy[out]) * x[in];
                  }
                }
              y_ref[out] = sum;
            }
      check_close(y, y_ref, "y");
      check_close(dx, dx_ref, "dx");
      check_close(conv.kernel().grad, dw_ref, "dW");
      check_close(conv.bias().grad, db_ref, "db");
    }
    // Most of the cases must really have taken the implicit path (the rest ran im2col),
    // or this test would prove nothing about it.
    CAPTURE(nn::simd_level_name(level));
    CHECK(implicit_cases >= 12);
  }
  nn::set_simd_level(saved);
}
