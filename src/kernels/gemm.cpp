// nn::sgemm — the cache-blocked, packed matrix multiply (the "BLIS loop nest").
//
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
//
// A naive triple loop reaches ~1% of what the CPU can do, because it spends its time
// waiting for memory, not multiplying. The fix is to reorganise the same arithmetic
// around the memory hierarchy. Five loops wrap a tiny register-blocked kernel:
//
//   for jc in n, step NC:          a slab of B's columns ....................... (L3)
//     for pc in k, step KC:        a KC-deep slice of the sum
//       pack B[pc, jc] ->  B~      KC × NC, micro-panels of NR columns
//       for ic in m, step MC:
//         pack A[ic, pc] -> A~     MC × KC, micro-panels of MR rows ............ (L2)
//         for jr in NC, step NR:   one B micro-panel (KC × NR) ................. (L1)
//           for ir in MC, step MR: one A micro-panel, streamed from L2
//             micro-kernel: C[ir.., jr..] += A~ panel · B~ panel (MR × NR in registers)
//
// Packing copies a block into the exact order the micro-kernel reads it: contiguous,
// aligned, so every cache line and TLB page brought in is fully used, and transposes
// cost nothing extra (op(A) and op(B) are read through their strides once, while packing;
// the matrix itself is never transposed). Edge panels are padded with zeros, so the
// kernel always runs the full MR × NR arithmetic and simply stores less.
//
// The micro-kernels live in ukernel_<isa>_<MR>x<NR>.cpp; this file only orchestrates.
#include "kernels/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "kernels/cpu.h"
#include "kernels/ukernel.h"
#include "tensor/error.h"

namespace nn {
namespace {

// ---- Block sizes ------------------------------------------------------------------------
// Chosen for the caches of the machine this was tuned on (AMD Zen 5: L1d 48 KiB and
// L2 1 MiB per core, L3 32 MiB shared) and reasonable on any recent x86 or ARM core.
//  KC = 256: a B micro-panel is KC × NR floats (256 × 32 × 4 B = 32 KiB for the AVX-512
//            kernel), which must stay in L1 while the ir loop reuses it for every A
//            micro-panel. A deeper KC also means fewer passes over C (each pc step reads
//            and writes the C tile once), so KC is as large as L1 allows.
//  MC = 384: the packed A block is MC × KC floats = 384 KiB, comfortably inside the
//            1 MiB L2 together with the B micro-panels streaming past it.
//  NC = 4096: the packed B block is KC × NC floats = 4 MiB, a slice of the shared L3.
//            Large NC means A is re-packed rarely (once per NC columns of C).
constexpr int kKC = 256;
constexpr int kMC = 384;
constexpr int kNC = 4096;

int round_up(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }

// ---- Packing buffers ----------------------------------------------------------------------
// A growable 64-byte aligned float array. It only ever grows, so after the first call of
// a given size a multiply allocates nothing.
class PackBuffer {
 public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { std::free(data_); }

  float* get(size_t count) {
    if (count > capacity_) {
      size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, bytes);
      if (!p) throw Error("sgemm: could not allocate a " + std::to_string(bytes) + "-byte packing buffer; "
                          "the matrices are too large for this machine's memory");
      std::free(data_);
      data_ = static_cast<float*>(p);
      capacity_ = count;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

// Each thread packs into its own buffers (a thread runs one task at a time, so they are
// never shared). thread_local rather than one global: two threads of a program may call
// sgemm at the same moment, and each pool worker keeps its buffers warm between calls.
struct Workspace {
  PackBuffer a, b;
};
thread_local Workspace t_workspace;

// ---- The operands -------------------------------------------------------------------------
// op(A) and op(B) seen through their strides: element (i, p) of op(A) is at
// a[i * a_row + p * a_col], so a transpose is just a swap of the two strides.
struct Operands {
  const float* a;
  long a_row, a_col;
  const float* b;
  long b_row, b_col;  // element (p, j) of op(B) is at b[p * b_row + j * b_col]
};

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into micro-panels of mr rows:
// dst[panel · mr·kc + p · mr + i] = op(A)[i0 + panel·mr + i][p0 + p], zero past row mc.
void pack_a(const Operands& op, int i0, int mc, int p0, int kc, int mr, float* dst) {
  for (int ir = 0; ir < mc; ir += mr) {
    const int rows = std::min(mr, mc - ir);
    const float* src = op.a + (i0 + ir) * op.a_row + p0 * op.a_col;
    if (op.a_row == 1) {
      // op(A) is a transposed matrix: the mr values of one k-step are contiguous.
      for (int p = 0; p < kc; ++p) {
        const float* s = src + p * op.a_col;
        for (int i = 0; i < rows; ++i) dst[i] = s[i];
        for (int i = rows; i < mr; ++i) dst[i] = 0.0f;
        dst += mr;
      }
    } else {
      // Row-major A: read each row sequentially, write it as a column of the panel.
      for (int i = 0; i < rows; ++i) {
        const float* s = src + i * op.a_row;
        for (int p = 0; p < kc; ++p) dst[p * mr + i] = s[p * op.a_col];
      }
      for (int i = rows; i < mr; ++i)
        for (int p = 0; p < kc; ++p) dst[p * mr + i] = 0.0f;
      dst += mr * kc;
    }
  }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into micro-panels of nr columns:
// dst[panel · kc·nr + p · nr + j] = op(B)[p0 + p][j0 + panel·nr + j], zero past column nc.
void pack_b(const Operands& op, int p0, int kc, int j0, int nc, int nr, float* dst) {
  for (int jr = 0; jr < nc; jr += nr) {
    const int cols = std::min(nr, nc - jr);
    const float* src = op.b + p0 * op.b_row + (j0 + jr) * op.b_col;
    if (op.b_col == 1) {
      // Row-major B: each k-step of the panel is a contiguous run of nr floats.
      for (int p = 0; p < kc; ++p) {
        const float* s = src + p * op.b_row;
        for (int j = 0; j < cols; ++j) dst[j] = s[j];
        for (int j = cols; j < nr; ++j) dst[j] = 0.0f;
        dst += nr;
      }
    } else {
      // op(B) is a transposed matrix: read each stored row sequentially, write a column.
      for (int j = 0; j < cols; ++j) {
        const float* s = src + j * op.b_col;
        for (int p = 0; p < kc; ++p) dst[p * nr + j] = s[p * op.b_row];
      }
      for (int j = cols; j < nr; ++j)
        for (int p = 0; p < kc; ++p) dst[p * nr + j] = 0.0f;
      dst += nr * kc;
    }
  }
}

// C = beta · C over an m × n block (beta = 0 writes zeros without reading C).
void scale_c(int m, int n, float beta, float* c, long ldc) {
  if (beta == 1.0f) return;
  for (int i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(ci, ci + n, 0.0f);
    } else {
      for (int j = 0; j < n; ++j) ci[j] *= beta;
    }
  }
}

// The k range [k0, k1) is cut into ceil(len / KC) equal slices rather than full KC slices
// plus a sliver: a sliver would pay the full cost of a pass over C for little arithmetic.
// The cut depends only on the length, so it is the same for every thread count.
int k_step(int len) {
  const int blocks = (len + kKC - 1) / kKC;
  return (len + blocks - 1) / blocks;
}

// The five loops for the block C[i0:i1, j0:j1], summing over p in [k0, k1):
// C = alpha · op(A) · op(B) + beta · C. k1 > k0.
void gemm_block(const MicroKernel& uk, const Operands& op, int i0, int i1, int j0, int j1, int k0, int k1,
                float alpha, float beta, float* c, long ldc, Workspace& ws) {
  const int mr = uk.mr, nr = uk.nr;
  // Blocks are whole numbers of micro-panels, so every tile sits on the same MR × NR grid
  // however the caller cut the problem.
  const int mc_block = std::max(mr, kMC / mr * mr), nc_block = std::max(nr, kNC / nr * nr);
  const int kc_max = k_step(k1 - k0);
  const int nc_max = round_up(std::min(nc_block, j1 - j0), nr);
  const int mc_max = round_up(std::min(mc_block, i1 - i0), mr);
  float* packed_b = ws.b.get(static_cast<size_t>(kc_max) * nc_max);
  float* packed_a = ws.a.get(static_cast<size_t>(kc_max) * mc_max);

  for (int jc = j0; jc < j1; jc += nc_block) {
    const int nc = std::min(nc_block, j1 - jc);
    for (int pc = k0; pc < k1; pc += kc_max) {
      const int kc = std::min(kc_max, k1 - pc);
      // The first slice of the sum applies the caller's beta; later ones add to it.
      const float beta_here = (pc == k0) ? beta : 1.0f;
      pack_b(op, pc, kc, jc, nc, nr, packed_b);
      for (int ic = i0; ic < i1; ic += mc_block) {
        const int mc = std::min(mc_block, i1 - ic);
        pack_a(op, ic, mc, pc, kc, mr, packed_a);
        for (int jr = 0; jr < nc; jr += nr) {
          const float* b_panel = packed_b + static_cast<size_t>(jr) * kc;
          const int cols = std::min(nr, nc - jr);
          for (int ir = 0; ir < mc; ir += mr) {
            const float* a_panel = packed_a + static_cast<size_t>(ir) * kc;
            float* c_tile = c + (ic + ir) * ldc + (jc + jr);
            uk.compute(kc, a_panel, mr, b_panel, nr, c_tile, ldc, std::min(mr, mc - ir), cols, alpha, beta_here);
          }
        }
      }
    }
  }
}

void check_arguments(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                     int ldb, const float* c, int ldc) {
  auto fail = [](const std::string& what) {
    throw Error("sgemm: " + what + " (C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + beta·C, row-major; see gemm.h)");
  };
  if (m < 0 || n < 0 || k < 0)
    fail("m, n and k must be >= 0, got m=" + std::to_string(m) + " n=" + std::to_string(n) +
         " k=" + std::to_string(k));
  const int a_width = trans_a ? m : k, b_width = trans_b ? k : n;
  if (lda < a_width)
    fail(std::string("lda must be at least ") + (trans_a ? "m" : "k") + " = " + std::to_string(a_width) +
         ", got " + std::to_string(lda));
  if (ldb < b_width)
    fail(std::string("ldb must be at least ") + (trans_b ? "k" : "n") + " = " + std::to_string(b_width) +
         ", got " + std::to_string(ldb));
  if (ldc < n) fail("ldc must be at least n = " + std::to_string(n) + ", got " + std::to_string(ldc));
  if (m > 0 && n > 0 && !c) fail("C is a null pointer");
  if (m > 0 && n > 0 && k > 0 && (!a || !b)) fail("A or B is a null pointer");
}

// The micro-kernel for the current SIMD level (cpu.h).
const MicroKernel& active_ukernel() {
  switch (get_simd_level()) {
#if defined(__x86_64__)
    case SimdLevel::avx512: return ukernel_avx512();
    case SimdLevel::avx2: return ukernel_avx2();
#endif
    default: return ukernel_generic();
  }
}

}  // namespace

const char* sgemm_kernel_name() { return active_ukernel().name; }

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
  check_arguments(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
  if (m == 0 || n == 0) return;
  // Nothing to multiply (as in BLAS, alpha = 0 means A and B are not read).
  if (k == 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  const Operands op{a, trans_a ? 1 : lda, trans_a ? lda : 1, b, trans_b ? 1 : ldb, trans_b ? ldb : 1};
  gemm_block(active_ukernel(), op, 0, m, 0, n, 0, k, alpha, beta, c, ldc, t_workspace);
}

}  // namespace nn
