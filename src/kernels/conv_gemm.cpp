#include "kernels/conv_gemm.h"

#include <algorithm>
#include <vector>

#include "kernels/ukernel.h"

namespace nn {
namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// The portable kernel reads whole MR × NR panels and is slow on A read in place, so it gets
// packed, zero-padded panels; the SIMD kernels read the image where it is.
bool reads_in_place(const MicroKernel& uk) { return uk.fast_strided_a && uk.exact_edges; }

// Per-thread scratch for the panels packed for the portable kernel (grows, never shrinks).
float* thread_scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

}  // namespace

bool conv_gemm_supported(const ConvShape& shape) {
  const MicroKernel& uk = active_ukernel();
  return shape.run() >= 32 && shape.stride * shape.channels >= uk.nr;
}

size_t conv_packed_weights_size(const ConvShape& shape) {
  const MicroKernel& uk = active_ukernel();
  const size_t forward = static_cast<size_t>(ceil_div(shape.filters, uk.nr)) * uk.nr * shape.patch();
  const size_t transposed =
      static_cast<size_t>(shape.kernel) * ceil_div(shape.run(), uk.nr) * uk.nr * shape.filters;
  return std::max(forward, transposed);
}

void conv_pack_weights(const ConvShape& shape, const float* w, float* packed) {
  // Panel j: columns [j·NR, j·NR + NR) of W over all kh·kw·C rows; kernel row ky's part
  // starts ky·kw·C rows in.
  const MicroKernel& uk = active_ukernel();
  const int f = shape.filters, patch = shape.patch();
  for (int j = 0; j * uk.nr < f; ++j)
    pack_panel(uk, false, w + j * uk.nr, 1, f, std::min(uk.nr, f - j * uk.nr), patch,
               packed + static_cast<size_t>(j) * patch * uk.nr);
}

void conv_pack_weights_transposed(const ConvShape& shape, const float* w, float* packed) {
  // Wᵀ is (F, kh·kw·C). Kernel row ky's columns [ky·run, (ky+1)·run) are packed as their
  // own panels (run need not be a multiple of NR), block ky then panel j.
  const MicroKernel& uk = active_ukernel();
  const int f = shape.filters, run = shape.run(), panels = ceil_div(run, uk.nr);
  for (int ky = 0; ky < shape.kernel; ++ky)
    for (int j = 0; j < panels; ++j) {
      const int first = ky * run + j * uk.nr;
      pack_panel(uk, false, w + static_cast<size_t>(first) * f, f, 1, std::min(uk.nr, run - j * uk.nr), f,
                 packed + static_cast<size_t>(ky * panels + j) * f * uk.nr);
    }
}

void conv_forward_image(const ConvShape& shape, const float* padded, const float* packed_w, float* z) {
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, run = shape.run(), patch = shape.patch();
  const size_t row = shape.padded_row();
  const long step = static_cast<long>(shape.stride) * shape.channels;  // from one pixel's patch to the next
  const bool in_place = reads_in_place(uk);
  float* packed_a = in_place ? nullptr : thread_scratch(static_cast<size_t>(shape.kernel) * mr * run);
  for (int oy = 0; oy < shape.out_h; ++oy) {
    for (int ox0 = 0; ox0 < shape.out_w; ox0 += mr) {
      // The tile: output pixels (oy, ox0 ... ox0 + rows - 1), all in one output row.
      const int rows = std::min(mr, shape.out_w - ox0);
      const float* a0 = padded + static_cast<size_t>(oy) * shape.stride * row + ox0 * step;
      if (!in_place)
        for (int ky = 0; ky < shape.kernel; ++ky)
          pack_panel(uk, true, a0 + ky * row, step, 1, rows, run, packed_a + static_cast<size_t>(ky) * mr * run);
      float* c0 = z + (static_cast<size_t>(oy) * shape.out_w + ox0) * f;
      for (int j = 0; j * nr < f; ++j) {
        const float* panel = packed_w + static_cast<size_t>(j) * patch * nr;
        for (int ky = 0; ky < shape.kernel; ++ky) {
          // The first kernel row writes the tile (beta 0), the others add to it while it
          // is still in L1.
          const float* a = in_place ? a0 + ky * row : packed_a + static_cast<size_t>(ky) * mr * run;
          uk.compute(run, a, in_place ? step : 1, in_place ? 1 : mr, panel + static_cast<size_t>(ky) * run * nr, nr,
                     c0 + j * nr, f, rows, std::min(nr, f - j * nr), 1.0f, ky == 0 ? 0.0f : 1.0f);
        }
      }
    }
  }
}

void conv_input_grad_image(const ConvShape& shape, const float* dz, const float* packed_wt, float* padded_dx) {
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, run = shape.run(), panels = ceil_div(run, nr);
  const size_t row = shape.padded_row();
  const long step = static_cast<long>(shape.stride) * shape.channels;
  const bool in_place = reads_in_place(uk);
  float* packed_a = in_place ? nullptr : thread_scratch(static_cast<size_t>(mr) * f);
  for (int oy = 0; oy < shape.out_h; ++oy) {
    for (int ox0 = 0; ox0 < shape.out_w; ox0 += mr) {
      const int rows = std::min(mr, shape.out_w - ox0);
      const float* a = dz + (static_cast<size_t>(oy) * shape.out_w + ox0) * f;  // rows of dz, F apart
      if (!in_place) pack_panel(uk, true, a, f, 1, rows, f, packed_a);
      // Row r of the tile is pixel ox0 + r: its patch starts r·s·C further on, so C's
      // rows are s·C apart (ldc = step) and, as s·C ≥ NR, do not overlap within the tile.
      float* c0 = padded_dx + static_cast<size_t>(oy) * shape.stride * row + ox0 * step;
      for (int ky = 0; ky < shape.kernel; ++ky)
        for (int j = 0; j < panels; ++j)
          uk.compute(f, in_place ? a : packed_a, in_place ? f : 1, in_place ? 1 : mr,
                     packed_wt + static_cast<size_t>(ky * panels + j) * f * nr, nr, c0 + ky * row + j * nr, step, rows,
                     std::min(nr, run - j * nr), 1.0f, 1.0f);
    }
  }
}

size_t conv_weight_grad_scratch(const ConvShape& shape, int images) {
  const MicroKernel& uk = active_ukernel();
  const size_t k = static_cast<size_t>(images) * shape.pixels();
  const size_t packed_dz = uk.exact_edges ? 0 : static_cast<size_t>(ceil_div(shape.filters, uk.nr)) * uk.nr * k;
  return static_cast<size_t>(uk.mr) * k + packed_dz;
}

void conv_weight_grad(const ConvShape& shape, const float* padded, size_t image_stride, int images, const float* dz,
                      float* scratch, float* dw) {
  // dW_ky (run, F) = A_kyᵀ · dz, summed over k = every output pixel of the images. A row of
  // A_kyᵀ is one position (kx, c) of kernel row ky across all the pixels: not a fixed
  // stride in memory (the pixels jump at the end of each output row), so each MR-row panel
  // of it is packed from the image — MR neighbouring numbers per pixel — into scratch.
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, run = shape.run();
  const int k = images * shape.pixels();
  const size_t row = shape.padded_row();
  const long step = static_cast<long>(shape.stride) * shape.channels;
  float* packed_a = scratch;
  // dz is read in place (rows F apart) by the SIMD kernels; the portable one gets packed,
  // zero-padded panels.
  const float* b = dz;
  long b_panel_stride = nr, b_step = f;
  if (!uk.exact_edges) {
    float* packed_dz = scratch + static_cast<size_t>(mr) * k;
    for (int j = 0; j * nr < f; ++j)
      pack_panel(uk, false, dz + j * nr, 1, f, std::min(nr, f - j * nr), k, packed_dz + static_cast<size_t>(j) * k * nr);
    b = packed_dz;
    b_panel_stride = static_cast<long>(k) * nr;
    b_step = nr;
  }
  for (int ky = 0; ky < shape.kernel; ++ky) {
    for (int i0 = 0; i0 < run; i0 += mr) {
      const int rows = std::min(mr, run - i0);
      float* dst = packed_a;
      for (int image = 0; image < images; ++image)
        for (int oy = 0; oy < shape.out_h; ++oy, dst += static_cast<size_t>(shape.out_w) * mr) {
          const float* src = padded + image * image_stride + (static_cast<size_t>(oy) * shape.stride + ky) * row + i0;
          pack_panel(uk, true, src, 1, step, rows, shape.out_w, dst);
        }
      float* c = dw + (static_cast<size_t>(ky) * run + i0) * f;
      for (int j = 0; j * nr < f; ++j)
        uk.compute(k, packed_a, 1, mr, b + j * b_panel_stride, b_step, c + j * nr, f, rows, std::min(nr, f - j * nr),
                   1.0f, 0.0f);
    }
  }
}

}  // namespace nn
