#include "kernels/conv_gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/ukernel.h"

namespace nn {
namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }
// Floor and ceiling of a / b for b > 0 and any sign of a.
int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int ceil_div_signed(int a, int b) { return -floor_div(-a, b); }

// The output columns ox whose window column kx lies inside the image: [first, last).
struct Span {
  int first, last;
};
Span inside_columns(const ConvShape& s, int kx) {
  // ix = ox·s + kx - pl must be in [0, W).
  const int first = std::max(0, ceil_div_signed(s.pad_left - kx, s.stride));
  const int last = std::min(s.out_w, floor_div(s.in_w - 1 + s.pad_left - kx, s.stride) + 1);
  return {first, std::max(first, last)};
}
// The part of that span inside the tile [ox0, ox0 + rows), as rows of the tile.
Span tile_rows(const ConvShape& s, int kx, int ox0, int rows) {
  const Span c = inside_columns(s, kx);
  const int first = std::clamp(c.first - ox0, 0, rows), last = std::clamp(c.last - ox0, 0, rows);
  return {first, std::max(first, last)};
}
// The input row kernel row ky of output row oy reads, or -1 when it is padding.
int input_row(const ConvShape& s, int oy, int ky) {
  const int iy = oy * s.stride + ky - s.pad_top;
  return iy >= 0 && iy < s.in_h ? iy : -1;
}
// Where pixel ox's window column kx starts in input row iy: x + this offset.
size_t window_offset(const ConvShape& s, int iy, int ox, int kx) {
  return (static_cast<size_t>(iy) * s.in_w + ox * s.stride - s.pad_left + kx) * s.channels;
}

// The portable kernel reads whole MR × NR panels and is slow on A read in place, so it gets
// packed, zero-padded panels; the SIMD kernels read the image where it is.
bool reads_in_place(const MicroKernel& uk) { return uk.fast_strided_a && uk.exact_edges; }

// Per-thread scratch for the panels packed for the portable kernel (grows, never shrinks).
float* thread_scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

// C[rows × n] += A · B for one row of tiles: A is `rows` rows of k numbers a_row apart
// (each contiguous), B the ceil(n / NR) packed panels starting at b, panel_stride floats
// apart. The SIMD kernels read A in place; the portable one gets it packed, once for all
// the panels.
void multiply_rows(const MicroKernel& uk, int k, const float* a, long a_row, const float* b, size_t panel_stride,
                   float* c, long ldc, int rows, int n) {
  long a_step = 1;
  if (!reads_in_place(uk)) {
    float* packed = thread_scratch(static_cast<size_t>(uk.mr) * k);
    pack_panel(uk, true, a, a_row, 1, rows, k, packed);
    a = packed, a_row = 1, a_step = uk.mr;
  }
  for (int j = 0; j * uk.nr < n; ++j)
    uk.compute(k, a, a_row, a_step, b + j * panel_stride, uk.nr, c + j * uk.nr, ldc, rows, std::min(uk.nr, n - j * uk.nr),
               1.0f, 1.0f);
}

}  // namespace

bool conv_gemm_supported(const ConvShape& shape) { return shape.run() >= 32; }

size_t conv_packed_weights_size(const ConvShape& shape) {
  const MicroKernel& uk = active_ukernel();
  const size_t forward = static_cast<size_t>(ceil_div(shape.filters, uk.nr)) * uk.nr * shape.patch();
  const size_t transposed = static_cast<size_t>(shape.kernel) * shape.kernel * ceil_div(shape.channels, uk.nr) *
                            uk.nr * shape.filters;
  return std::max(forward, transposed);
}

void conv_pack_weights(const ConvShape& shape, const float* w, float* packed) {
  // Panel j: columns [j·NR, j·NR + NR) of W over all kh·kw·C rows (k-steps), so any range
  // of kernel positions is a contiguous range of k-steps in it.
  const MicroKernel& uk = active_ukernel();
  const int f = shape.filters, patch = shape.patch();
  for (int j = 0; j * uk.nr < f; ++j)
    pack_panel(uk, false, w + j * uk.nr, 1, f, std::min(uk.nr, f - j * uk.nr), patch,
               packed + static_cast<size_t>(j) * patch * uk.nr);
}

// Wᵀ is (F, kh·kw·C): its columns for kernel position (ky, kx) are the C channels there,
// packed as ceil(C / NR) panels of their own, so dx can write one window column at a time.
static size_t transposed_panel(const ConvShape& shape, int nr, int ky, int kx, int j) {
  return (static_cast<size_t>(ky * shape.kernel + kx) * ceil_div(shape.channels, nr) + j) * shape.filters * nr;
}

void conv_pack_weights_transposed(const ConvShape& shape, const float* w, float* packed) {
  const MicroKernel& uk = active_ukernel();
  const int f = shape.filters, c = shape.channels;
  for (int ky = 0; ky < shape.kernel; ++ky)
    for (int kx = 0; kx < shape.kernel; ++kx)
      for (int j = 0; j * uk.nr < c; ++j) {
        const int first = (ky * shape.kernel + kx) * c + j * uk.nr;
        pack_panel(uk, false, w + static_cast<size_t>(first) * f, f, 1, std::min(uk.nr, c - j * uk.nr), f,
                   packed + transposed_panel(shape, uk.nr, ky, kx, j));
      }
}

void conv_forward_image(const ConvShape& shape, const float* x, const float* packed_w, const float* bias, float* z) {
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, c = shape.channels, patch = shape.patch();
  const long step = static_cast<long>(shape.stride) * c;  // from one pixel's window to the next
  for (int oy = 0; oy < shape.out_h; ++oy) {
    for (int ox0 = 0; ox0 < shape.out_w; ox0 += mr) {
      // The tile: output pixels (oy, ox0 ... ox0 + rows - 1), all in one output row. It
      // starts as the bias; every kernel row then adds its share while it sits in L1.
      const int rows = std::min(mr, shape.out_w - ox0);
      float* tile = z + (static_cast<size_t>(oy) * shape.out_w + ox0) * f;
      for (int r = 0; r < rows; ++r) std::memcpy(tile + static_cast<size_t>(r) * f, bias, f * sizeof(float));
      for (int ky = 0; ky < shape.kernel; ++ky) {
        const int iy = input_row(shape, oy, ky);
        if (iy < 0) continue;  // the whole kernel row is padding
        // Window columns kx0 .. kx1-1 that are inside the image for the same tile rows go
        // in one call (all of them but at the edges): a run of (kx1 - kx0)·C numbers.
        for (int kx0 = 0, kx1; kx0 < shape.kernel; kx0 = kx1) {
          const Span span = tile_rows(shape, kx0, ox0, rows);
          for (kx1 = kx0 + 1; kx1 < shape.kernel; ++kx1) {
            const Span next = tile_rows(shape, kx1, ox0, rows);
            if (next.first != span.first || next.last != span.last) break;
          }
          if (span.first == span.last) continue;
          const size_t k_first = static_cast<size_t>(ky) * shape.run() + kx0 * c;
          multiply_rows(uk, (kx1 - kx0) * c, x + window_offset(shape, iy, ox0 + span.first, kx0), step,
                        packed_w + k_first * nr, static_cast<size_t>(patch) * nr,
                        tile + static_cast<size_t>(span.first) * f, f, span.last - span.first, f);
        }
      }
    }
  }
}

void conv_input_grad_image(const ConvShape& shape, const float* dz, const float* packed_wt, float* dx) {
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, c = shape.channels;
  const long step = static_cast<long>(shape.stride) * c;
  for (int oy = 0; oy < shape.out_h; ++oy) {
    for (int ox0 = 0; ox0 < shape.out_w; ox0 += mr) {
      const int rows = std::min(mr, shape.out_w - ox0);
      const float* a = dz + (static_cast<size_t>(oy) * shape.out_w + ox0) * f;  // rows of dz, F apart
      for (int ky = 0; ky < shape.kernel; ++ky) {
        const int iy = input_row(shape, oy, ky);
        if (iy < 0) continue;
        for (int kx = 0; kx < shape.kernel; ++kx) {
          // Row r of the tile is pixel ox0 + r: its window column kx lies s·C further on
          // than the previous one's, so C's rows are s·C apart (ldc = step).
          const Span span = tile_rows(shape, kx, ox0, rows);
          if (span.first == span.last) continue;
          multiply_rows(uk, f, a + static_cast<size_t>(span.first) * f, f, packed_wt + transposed_panel(shape, nr, ky, kx, 0),
                        static_cast<size_t>(f) * nr, dx + window_offset(shape, iy, ox0 + span.first, kx), step,
                        span.last - span.first, c);
        }
      }
    }
  }
}

size_t conv_weight_grad_scratch(const ConvShape& shape, int images) {
  const MicroKernel& uk = active_ukernel();
  const size_t k = static_cast<size_t>(images) * shape.pixels();
  const size_t packed_dz = uk.exact_edges ? 0 : static_cast<size_t>(ceil_div(shape.filters, uk.nr)) * uk.nr * k;
  return static_cast<size_t>(uk.mr) * k + packed_dz;
}

void conv_weight_grad(const ConvShape& shape, const float* x, int images, const float* dz, float* scratch, float* dw) {
  // dW at kernel position (ky, kx), a (C, F) block, = A_ᵀ · dz summed over k = every output
  // pixel of the images, A's row for a pixel being the C numbers its window has there. Not
  // a fixed stride in memory (the pixels jump at the end of each output row, and some
  // windows hang over the edge), so each MR-row panel of Aᵀ is packed from the image —
  // MR neighbouring channels per pixel, zeros where the window is off the image.
  const MicroKernel& uk = active_ukernel();
  const int mr = uk.mr, nr = uk.nr, f = shape.filters, c = shape.channels, wo = shape.out_w;
  const int k = images * shape.pixels();
  const long step = static_cast<long>(shape.stride) * c;
  const size_t pixel_row = static_cast<size_t>(wo) * mr;  // packed floats per output row
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
    for (int kx = 0; kx < shape.kernel; ++kx) {
      const Span inside = inside_columns(shape, kx);
      for (int c0 = 0; c0 < c; c0 += mr) {
        const int rows = std::min(mr, c - c0);
        float* dst = packed_a;
        for (int image = 0; image < images; ++image) {
          for (int oy = 0; oy < shape.out_h; ++oy, dst += pixel_row) {
            const int iy = input_row(shape, oy, ky);
            if (iy < 0 || inside.first == inside.last) {
              std::fill(dst, dst + pixel_row, 0.0f);
              continue;
            }
            std::fill(dst, dst + static_cast<size_t>(inside.first) * mr, 0.0f);
            pack_panel(uk, true, x + image * shape.image() + window_offset(shape, iy, inside.first, kx) + c0, 1, step,
                       rows, inside.last - inside.first, dst + static_cast<size_t>(inside.first) * mr);
            std::fill(dst + static_cast<size_t>(inside.last) * mr, dst + pixel_row, 0.0f);
          }
        }
        float* out = dw + (static_cast<size_t>(ky * shape.kernel + kx) * c + c0) * f;
        for (int j = 0; j * nr < f; ++j)
          uk.compute(k, packed_a, 1, mr, b + j * b_panel_stride, b_step, out + j * nr, f, rows,
                     std::min(nr, f - j * nr), 1.0f, 0.0f);
      }
    }
  }
}

}  // namespace nn
