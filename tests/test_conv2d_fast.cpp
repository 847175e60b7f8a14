// Conv2D's fast path called as kernels (kernels/conv2d_fast.h), without the layer, against
// the plain loops of src/reference/conv2d.h.
//
// The layer-level tests already run every branch Conv2D takes (test_reference.cpp: both
// multiply paths, with and without padding, several image groups with a partial last one;
// test_conv.cpp and test_conformance.cpp: no dx, 1 vs 2 threads). What only a kernel-level
// call reaches is checked here:
//   - dw = db = null (no weight gradients, x null): the call a Conv2DTranspose's forward
//     would make, giving ref::conv2d_input_grad;
//   - one workspace reused across shapes, batch sizes and thread counts, growing and
//     shrinking (a layer only ever sees one shape);
//   - the contract's "dw and db are added into, dx is overwritten".
#include <doctest/doctest.h>

#include <algorithm>

#include "kernels/conv2d_fast.h"
#include "kernels/conv_gemm.h"
#include "layers/activations.h"
#include "layers/window.h"
#include "reference/activations.h"
#include "reference/conv2d.h"
#include "reference_check.h"
#include "test_util.h"

namespace {

using nn::ConvShape;

struct Case {
  int h, w, c, filters, k, stride;
  const char* padding;
  int n;  // images in the batch
};

ConvShape conv_shape(const Case& t) {
  const nn::layers::WindowAxis rows = nn::layers::window_axis(t.h, t.k, t.stride, t.padding, "test", "height");
  const nn::layers::WindowAxis cols = nn::layers::window_axis(t.w, t.k, t.stride, t.padding, "test", "width");
  return {.out_h = rows.out, .out_w = cols.out, .kernel = t.k, .stride = t.stride, .channels = t.c,
          .filters = t.filters, .in_h = t.h, .in_w = t.w, .pad_top = rows.pad_before, .pad_left = cols.pad_before};
}

using nn_test::random_tensor;  // uniform in [-1, 1), the same numbers random_floats gives

void check_close(const nn::Tensor& got, const nn::Tensor& want, const char* what) {
  const double d = refcheck::relative_difference(got, want);
  CHECK_MESSAGE(d <= refcheck::kTolerance, what, ": fast and reference differ by ", d);
}

using nn_test::same_bits;

// Everything one call pair computes, for the bit-identity check across thread counts.
struct Outputs {
  nn::Tensor y, dw, db, dx, transposed;
};

}  // namespace

TEST_CASE("conv2d_forward_fast / conv2d_backward_fast match the reference, one workspace for every shape") {
  // Both multiply paths (kw·C >= 32: implicit GEMM), padding on every side or none, stride
  // larger than the window, a window larger than the image, one image, and batches of
  // several dW groups with a partial last one. Large shapes first, then small ones, then
  // large again: the workspace grows, is used below its size, and grows again.
  const Case cases[] = {
      {9, 7, 32, 33, 3, 1, "same", 37}, {9, 7, 3, 5, 3, 2, "same", 37},    {6, 5, 13, 17, 3, 1, "valid", 1},
      {3, 4, 16, 6, 5, 1, "same", 3},   {9, 10, 1, 8, 2, 3, "valid", 4},   {8, 8, 16, 7, 3, 2, "same", 40},
      {5, 11, 5, 3, 5, 1, "same", 2},   {12, 10, 48, 40, 3, 2, "same", 9}, {7, 9, 3, 32, 1, 1, "valid", 5},
  };
  const int saved_threads = nn::get_num_threads();
  nn::Conv2DWorkspace workspace;  // shared by every case and thread count below
  int implicit = 0, im2col = 0, grouped = 0;
  for (const Case& t : cases) {
    INFO("input ", t.h, "x", t.w, "x", t.c, ", ", t.filters, " filters ", t.k, "x", t.k, " stride ", t.stride, " ",
         t.padding, ", batch ", t.n);
    const ConvShape shape = conv_shape(t);
    (nn::conv_gemm_supported(shape) ? implicit : im2col) += 1;
    grouped += t.n > nn::conv2d_images_per_group(shape) && t.n % nn::conv2d_images_per_group(shape) != 0;
    const int n = t.n, f = t.filters;
    const nn::Tensor x = random_tensor({n, t.h, t.w, t.c}, 1), w = random_tensor({t.k, t.k, t.c, f}, 2);
    const nn::Tensor b = random_tensor({f}, 3), dz = random_tensor({n, shape.out_h, shape.out_w, f}, 4);
    const nn::Tensor dw_start = random_tensor(w.shape(), 5), db_start = random_tensor({f}, 6);

    // The reference: z, then tanh; dW and db added onto their starting values; dx.
    nn::Tensor y_ref(dz.shape()), dw_ref = dw_start, db_ref = db_start, dx_ref(x.shape());
    nn::ref::conv2d_forward(x.data(), w.data(), b.data(), y_ref.data(), n, shape);
    nn::ref::activation_forward(nn::ActivationKind::tanh, y_ref.data(), y_ref.data(), y_ref.size() / f, f);
    nn::ref::conv2d_weight_grad(x.data(), dz.data(), dw_ref.data(), n, shape);
    nn::ref::conv2d_bias_grad(dz.data(), db_ref.data(), n, shape);
    nn::ref::conv2d_input_grad(dz.data(), w.data(), dx_ref.data(), n, shape);

    Outputs out[2];
    for (int threads : {1, 2}) {
      nn::set_num_threads(threads);
      Outputs& o = out[threads - 1];
      o.y = nn::Tensor(dz.shape(), 7.0f);  // stale numbers: y and dx must be overwritten
      o.dx = nn::Tensor(x.shape(), 7.0f);
      o.transposed = nn::Tensor(x.shape(), 7.0f);
      o.dw = dw_start;
      o.db = db_start;
      nn::conv2d_forward_fast(x.data(), w.data(), b.data(), nn::ActivationKind::tanh, o.y.data(), n, shape, workspace);
      nn::conv2d_backward_fast(x.data(), w.data(), dz.data(), o.dw.data(), o.db.data(), o.dx.data(), n, shape,
                               workspace);
      // Conv2DTranspose's forward: dx alone, no weight gradients, no x.
      nn::conv2d_backward_fast(nullptr, w.data(), dz.data(), nullptr, nullptr, o.transposed.data(), n, shape,
                               workspace);
      CAPTURE(threads);
      check_close(o.y, y_ref, "y");
      check_close(o.dw, dw_ref, "dW");
      check_close(o.db, db_ref, "db");
      check_close(o.dx, dx_ref, "dx");
      CHECK_MESSAGE(same_bits(o.transposed, o.dx), "dx without weight gradients must be the same dx");
    }
    // No dx: the weight gradients alone, the same bits (dx null is never written).
    nn::Tensor dw_only = dw_start, db_only = db_start;
    nn::conv2d_backward_fast(x.data(), w.data(), dz.data(), dw_only.data(), db_only.data(), nullptr, n, shape,
                             workspace);
    CHECK(same_bits(dw_only, out[1].dw));
    CHECK(same_bits(db_only, out[1].db));
    CHECK_MESSAGE(same_bits(out[0].y, out[1].y), "y must not depend on the thread count");
    CHECK_MESSAGE(same_bits(out[0].dw, out[1].dw), "dW must not depend on the thread count");
    CHECK_MESSAGE(same_bits(out[0].db, out[1].db), "db must not depend on the thread count");
    CHECK_MESSAGE(same_bits(out[0].dx, out[1].dx), "dx must not depend on the thread count");
  }
  nn::set_num_threads(saved_threads);
  // The cases must really reach both paths and the partial last group.
  CHECK(implicit >= 5);
  CHECK(im2col >= 4);
  CHECK(grouped >= 3);
}
