// The micro-kernel: the innermost piece of the matrix multiply, and the only place where
// the floating-point work happens. Everything in gemm.cpp exists to feed it.
//
// One call computes a small tile of C, at most MR rows × NR columns:
//
//   C[i][j] = alpha · Σ_p a(i, p) · b(p, j) + beta · C[i][j]     i < rows ≤ MR, j < cols ≤ NR
//
// where the two operands are "micro-panels" that gemm.cpp prepared, usually by packing:
//   a(i, p) = a[i * a_row + p * a_step]   up to MR rows of op(A), k steps
//   b(p, j) = b[p * b_step + j]           up to NR columns of op(B), k steps
// A packed A panel has a_row = 1, a_step = MR; a packed B panel has b_step = NR. gemm.cpp
// may also point straight into the caller's matrices when their layout allows it
// (a row-major A: a_row = lda, a_step = 1; a transposed A: a_row = 1, a_step = lda; a
// row-major B: b_step = ldb), which saves the copy when a panel would be used only a few
// times (see gemm.cpp).
//
// The tile's MR × NR partial sums stay in registers for the whole k loop: per k-step the
// kernel loads NR numbers of B and MR numbers of A and does MR × NR multiply-adds with
// them. That ratio of arithmetic to loads is what lets it run at the FMA units' speed.
//
// Every kernel must compute each C element with the same sequence of operations no
// matter how many rows/columns the tile has (edge tiles included): a full tile and an
// edge tile then agree bit for bit, so which thread computes which tile never shows.
// beta == 0 means C is written without being read (it may hold NaN garbage).
#pragma once

namespace nn {

// Packing one micro-panel: `count` vectors of length kc (rows of op(A), or columns of
// op(B)), where element p of vector q is src[q * q_stride + p * p_stride], are written
// interleaved, dst[p * width + q], with zeros for q in [count, width). width is MR for A
// panels and NR for B panels. One of the strides is 1 for a row-major matrix: q_stride = 1
// is a plain copy, p_stride = 1 is a transpose.
using PackPanelFn = void (*)(const float* src, long q_stride, long p_stride, int count, int kc, float* dst);

struct MicroKernel {
  const char* name;  // e.g. "avx512 8x32": instruction set and tile shape
  int mr;            // tile rows (the A micro-panel height)
  int nr;            // tile columns (the B micro-panel width)
  void (*compute)(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
                  int rows, int cols, float alpha, float beta);
  // True when compute reads only the `rows` valid rows of A and the `cols` valid columns
  // of B (edge tiles via row-exact code and masked loads). Then even an edge panel can be
  // read in place; otherwise gemm.cpp packs edge panels with zero padding, because the
  // kernel reads whole MR × NR panels and would run past the end of the caller's matrix.
  bool exact_edges = false;
  // True when compute is as fast on a row-major A read in place (a_row = lda) as on a
  // packed one. The SIMD kernels are; the portable one is not (the compiler vectorises it
  // only when the MR values of a k-step are adjacent), so gemm.cpp packs A for it.
  bool fast_strided_a = false;
  // Optional packing routines in the kernel's instruction set (nullptr: gemm.cpp's
  // portable ones). Packing is pure data movement, but transposing one float at a time
  // costs as much as the arithmetic for the skinny shapes of a training step.
  PackPanelFn pack_a = nullptr;
  PackPanelFn pack_b = nullptr;
};

// The kernel sgemm uses now (chosen by get_simd_level(), kernels/cpu.h). Other drivers of
// the micro-kernel (kernels/conv_gemm.cpp) take the same one, so they agree with sgemm.
const MicroKernel& active_ukernel();
// Packs one A (a_side) or B micro-panel with the kernel's own routine if it has one, else
// the portable one; width MR or NR, zero-padded (see PackPanelFn).
void pack_panel(const MicroKernel& uk, bool a_side, const float* src, long q_stride, long p_stride, int count, int kc,
                float* dst);

// One kernel per instruction set, each in its own file (ukernel_<isa>_<MR>x<NR>.cpp).
// The x86 ones only exist when compiling for x86-64; cpu.cpp says which may run here.
const MicroKernel& ukernel_generic();
#if defined(__x86_64__)
const MicroKernel& ukernel_avx2();
const MicroKernel& ukernel_avx512();
#endif

}  // namespace nn
