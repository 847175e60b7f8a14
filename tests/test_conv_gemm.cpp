// Conv2D's implicit-GEMM path (kernels/conv_gemm.h) against the naive convolution of
// src/reference/conv2d.h, written straight from the definition, in double: forward, dx,
// dW and db, on awkward shapes (odd sizes, widths that are not a multiple of the kernel's
// tile, filters that are not a multiple of its panel, stride 2 with TensorFlow's one-sided
// "same" padding, several images per dW group, channel counts that are not a multiple of
// the tile, windows that hang over the edge by two), with every micro-kernel this CPU can
// run. The geometry (output size, padding) is worked out here on its own, not taken from
// the layer.
#include <doctest/doctest.h>

#include <cmath>

#include "kernels/conv_gemm.h"
#include "kernels/cpu.h"
#include "nn.h"
#include "reference/conv2d.h"
#include "test_util.h"

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

using nn_test::random_tensor;

void check_close(const Tensor& got, const Tensor& want, const char* what) {
  REQUIRE(got.size() == want.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::abs(want[i])));
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

      // The definition, as the plain loops of src/reference/conv2d.cpp (sums in double).
      const Tensor& w = conv.kernel().value;
      Tensor y_ref(y.shape()), dx_ref(x.shape()), dw_ref(w.shape()), db_ref({t.filters});
      nn::ref::conv2d_forward(x.data(), w.data(), conv.bias().value.data(), y_ref.data(), n, shape);
      nn::ref::conv2d_input_grad(dy.data(), w.data(), dx_ref.data(), n, shape);
      nn::ref::conv2d_weight_grad(x.data(), dy.data(), dw_ref.data(), n, shape);
      nn::ref::conv2d_bias_grad(dy.data(), db_ref.data(), n, shape);
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
