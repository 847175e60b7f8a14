// nn::sgemm — the cache-blocked, packed matrix multiply (the "BLIS loop nest").
//
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
//
// A naive triple loop reaches ~1% of what the CPU can do, because it spends its time
// waiting for memory, not multiplying. The fix is to reorganise the same arithmetic
// around the memory hierarchy. Five loops wrap a tiny register-blocked kernel:
//
//   for jc in n, step NC:            a slab of C's columns
//     for pc in k, step KC:          a KC-deep slice of the sum
//       pack B[pc, jc] -> B~         KC × NC, micro-panels of NR columns ........ (L2)
//       for ic in m, step MC:
//         pack A[ic, pc] -> A~       MC × KC, micro-panels of MR rows
//         for ir in MC, step MR:     one A micro-panel (MR × KC) ................ (L1)
//           for jr in NC, step NR:   B~ micro-panels stream past it from L2
//             micro-kernel: C[ir.., jr..] (+)= A~ panel · B~ panel, an MR × NR tile
//             whose partial sums stay in registers for all KC steps
//
// (BLIS, which is column-major, runs jr outside ir. Our kernel vectorises along a row of
// C, which mirrors the roles of A and B, so the mirrored order is the fast one: the A
// micro-panel then stays in L1 while B panels stream past it. Measurements of this and of
// the other choices below: tests/bench/RESULTS.md, "Design measurements".)
//
// Packing copies a block into the exact order the micro-kernel reads it: contiguous,
// aligned, so every cache line and TLB page brought in is fully used, and transposes
// cost nothing extra (op(A) and op(B) are read through their strides once, while packing;
// the matrix itself is never transposed). Edge panels are padded with zeros, and the
// kernel stores only the valid part of an edge tile.
//
// The micro-kernels live in ukernel_<isa>_<MR>x<NR>.cpp; this file only orchestrates.
#include "kernels/gemm.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "kernels/cpu.h"
#include "kernels/thread_pool.h"
#include "kernels/ukernel.h"
#include "tensor/error.h"

namespace nn {
namespace {

// ---- Block sizes ------------------------------------------------------------------------
// Chosen for the caches of the machine this was tuned on (AMD Zen 5: L1d 48 KiB and
// L2 1 MiB per core, L3 32 MiB shared), and sensible for any recent x86 or ARM core.
// The speed is flat over a wide range of each (tests/bench/RESULTS.md); the reasoning
// below picks the middle of that plateau.
//  KC = 256: an A micro-panel is MR × KC floats (8 × 256 × 4 B = 8 KiB), small enough to
//            stay in L1 while the jr loop sweeps it across the whole B block. A deeper KC
//            also means fewer passes over C (each KC slice reads and writes the C tile once).
//  NC = 768: the packed B block is KC × NC floats = 768 KiB, most of the 1 MiB L2: the jr
//            loop streams through it once per A micro-panel, so it must not come from L3.
//  MC = 128: the packed A block is MC × KC floats = 128 KiB; freshly packed, it is still
//            in L2 when the ir loop reads it, and small enough not to evict the B block.
constexpr int kKC = 256;
constexpr int kMC = 128;
constexpr int kNC = 768;
// Blocks of C with at most this many rows read a row-major B in place (see gemm_block).
constexpr int kDirectRows = 32;

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

// Each thread packs into its own buffers, so workers never share one. They are
// thread_local rather than indexed by the pool's worker id because a program may also
// call sgemm from two of its own threads at once; either way each pool worker keeps its
// buffers, warm and already large enough, from one call to the next. `partial` holds the
// per-chunk results of a k-split (see plan_work); only the calling thread owns one.
struct Workspace {
  PackBuffer a, b, partial;
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

// The portable way to pack one micro-panel (see PackPanelFn in ukernel.h):
// dst[p * width + q] = src[q * q_stride + p * p_stride] for q < count, zero up to width.
void pack_panel_portable(const float* src, long q_stride, long p_stride, int count, int kc, int width, float* dst) {
  if (q_stride == 1) {
    // At each k-step the values are contiguous: copy a short run.
    for (int p = 0; p < kc; ++p, dst += width) {
      const float* s = src + p * p_stride;
      for (int q = 0; q < count; ++q) dst[q] = s[q];
      for (int q = count; q < width; ++q) dst[q] = 0.0f;
    }
  } else {
    // Read each vector sequentially (streaming through memory), write it as a column.
    for (int q = 0; q < count; ++q) {
      const float* s = src + q * q_stride;
      for (int p = 0; p < kc; ++p) dst[p * width + q] = s[p * p_stride];
    }
    for (int q = count; q < width; ++q)
      for (int p = 0; p < kc; ++p) dst[p * width + q] = 0.0f;
  }
}

}  // namespace

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

void pack_panel(const MicroKernel& uk, bool a_side, const float* src, long q_stride, long p_stride, int count, int kc,
                float* dst) {
  const PackPanelFn own = a_side ? uk.pack_a : uk.pack_b;
  if (own)
    own(src, q_stride, p_stride, count, kc, dst);
  else
    pack_panel_portable(src, q_stride, p_stride, count, kc, a_side ? uk.mr : uk.nr, dst);
}

namespace {

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] as consecutive micro-panels of MR rows.
void pack_a(const MicroKernel& uk, const Operands& op, int i0, int mc, int p0, int kc, float* dst) {
  for (int ir = 0; ir < mc; ir += uk.mr, dst += static_cast<size_t>(uk.mr) * kc) {
    const float* src = op.a + (i0 + ir) * op.a_row + p0 * op.a_col;
    pack_panel(uk, true, src, op.a_row, op.a_col, std::min(uk.mr, mc - ir), kc, dst);
  }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] as consecutive micro-panels of NR columns.
void pack_b(const MicroKernel& uk, const Operands& op, int p0, int kc, int j0, int nc, float* dst) {
  for (int jr = 0; jr < nc; jr += uk.nr, dst += static_cast<size_t>(uk.nr) * kc) {
    const float* src = op.b + p0 * op.b_row + (j0 + jr) * op.b_col;
    pack_panel(uk, false, src, op.b_col, op.b_row, std::min(uk.nr, nc - jr), kc, dst);
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

  // Reading an operand in place instead of packing it. The kernel takes any strides, so
  // packing is only worth it when it makes the reads much cheaper than the copy costs.
  //  * A row-major A is read in place, always: the kernel walks its MR rows side by side,
  //    each one sequentially, and an A panel is small enough to stay in L1 while it is
  //    reused across the block: faster at every shape tried. A transposed A is packed: its
  //    MR values per k-step are contiguous, but successive k-steps are lda apart, and with
  //    lda a multiple of 4 KiB (3072 floats = 12 KiB) they all fall into the same L1 set
  //    and evict each other.
  //  * A row-major B is read in place only for short blocks of C (≤ kDirectRows rows,
  //    like the m = 32 training batch), where each B panel is used by a few A panels and
  //    the copy would be a large share of the multiply. A tall C reuses each packed B
  //    panel many times, and there packing wins (the rows of a 1024-wide B are 4 KiB apart
  //    and share cache sets).
  // A kernel without exact_edges reads whole panels, so its ragged edge panels are still
  // packed (zero-padded) to keep it from running past the end of the matrix; a kernel
  // without fast_strided_a always gets a packed A.
  const bool direct_a = op.a_col == 1 && uk.fast_strided_a;
  const bool direct_b = op.b_col == 1 && i1 - i0 <= kDirectRows;
  for (int jc = j0; jc < j1; jc += nc_block) {
    const int nc = std::min(nc_block, j1 - jc);
    for (int pc = k0; pc < k1; pc += kc_max) {
      const int kc = std::min(kc_max, k1 - pc);
      // The first slice of the sum applies the caller's beta; later ones add to it.
      const float beta_here = (pc == k0) ? beta : 1.0f;
      // Columns [0, b_direct) of the block are read in place, the rest packed.
      const int b_direct = !direct_b ? 0 : uk.exact_edges ? nc : nc / nr * nr;
      pack_b(uk, op, pc, kc, jc + b_direct, nc - b_direct, packed_b + static_cast<size_t>(b_direct) * kc);
      for (int ic = i0; ic < i1; ic += mc_block) {
        const int mc = std::min(mc_block, i1 - ic);
        const int a_direct = !direct_a ? 0 : uk.exact_edges ? mc : mc / mr * mr;
        pack_a(uk, op, ic + a_direct, mc - a_direct, pc, kc, packed_a + static_cast<size_t>(a_direct) * kc);
        for (int ir = 0; ir < mc; ir += mr) {
          const bool a_in_place = ir < a_direct;
          const float* a_panel =
              a_in_place ? op.a + (ic + ir) * op.a_row + pc * op.a_col : packed_a + static_cast<size_t>(ir) * kc;
          const long a_row = a_in_place ? op.a_row : 1, a_step = a_in_place ? op.a_col : mr;
          const int rows = std::min(mr, mc - ir);
          for (int jr = 0; jr < nc; jr += nr) {
            const bool b_in_place = jr < b_direct;
            const float* b_panel =
                b_in_place ? op.b + pc * op.b_row + (jc + jr) : packed_b + static_cast<size_t>(jr) * kc;
            const long b_step = b_in_place ? op.b_row : nr;
            float* c_tile = c + (ic + ir) * ldc + (jc + jr);
            uk.compute(kc, a_panel, a_row, a_step, b_panel, b_step, c_tile, ldc, rows, std::min(nr, nc - jr), alpha,
                       beta_here);
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

// ---- Threads ------------------------------------------------------------------------------
// Work is split in two ways:
//  * Over C: the rows into `tm` slabs and the columns into `tn` slabs; each task runs the
//    whole loop nest on its own block of C with its own packing. Splitting rows means every
//    slab packs all of B, splitting columns means every slab packs all of A, so we split
//    the dimension that duplicates less packing: columns for the m = 32 training batch
//    (a small A, shared cheaply), rows for tall matrices.
//  * Over k, into `chunks`, only when C is small and k is long (e.g. a convolution's weight
//    gradient as one multiply over a whole batch: C is 27 × 32, k = 32,768; Conv2D itself
//    now cuts that into one multiply per image group; or the training batch times a wide
//    first layer, see k_chunks_for). Each chunk sums its slice of k into its own buffer,
//    and the buffers are added in chunk order at the end.
//
// Why the result is bit-identical for any thread count: the number of k chunks and every
// KC slice depend only on (m, n, k), never on the threads; and each micro-kernel computes
// every C element by the same instructions whatever tile it sits in (see ukernel.h). So
// the threads only decide who computes an element, never how.
struct Plan {
  int chunks = 1;   // k split into this many chunks (a function of the shape only)
  int k_chunk = 0;  // length of each chunk but the last
  int tm = 1, tn = 1;  // slabs of rows and of columns per chunk
  int m_unit = 1, n_unit = 1;  // slab boundaries are multiples of these
  int tasks() const { return chunks * tm * tn; }
};

// Below this many multiply-adds (~5 µs on one core) waking a second thread costs more than
// it saves.
constexpr double kMinParallelWork = 1 << 19;

int k_chunks_for(int m, int n, int k) {
  // A small C (at most 128 × 128) with a long sum: chunks of at least 4096, at most 8 of
  // them. The extra work (adding the chunk results) is under 0.1% of the multiply.
  if (static_cast<long>(m) * n > 128 * 128 || k < 2048) return 1;
  // A k from 2048 to 8191 is cut in two halves. This is the batch's forward through a wide
  // first layer (the MLP's 32 × 200 output, k = 3072 inputs): the optimizer step updates
  // the weight matrix W (k × n) in halves of its rows, one per core (parallel.h, rule 2),
  // and with k cut the same way each core multiplies by the rows it just wrote, instead of
  // reading half of every row out of the other core's cache. The halves' two small
  // results are then added: 32 × 200 numbers.
  if (k < 2 * 4096) return 2;
  return std::min(8, k / 4096);
}

Plan plan_work(const MicroKernel& uk, int m, int n, int k, int threads) {
  Plan plan;
  plan.chunks = k_chunks_for(m, n, k);
  plan.k_chunk = (k + plan.chunks - 1) / plan.chunks;
  plan.m_unit = uk.mr;
  plan.n_unit = std::min(uk.nr, 16);  // one AVX-512 vector: finer cuts would mask lanes
  const double work = static_cast<double>(m) * n * k;
  if (threads == 1 || work < kMinParallelWork) return plan;
  // Slabs of C per chunk so that every thread gets at least one task.
  const int want = (threads + plan.chunks - 1) / plan.chunks;
  const int m_units = (m + plan.m_unit - 1) / plan.m_unit, n_units = (n + plan.n_unit - 1) / plan.n_unit;
  double best_cost = -1;
  for (int tm = 1; tm <= want; ++tm) {
    const int tn = (want + tm - 1) / tm;
    if (tm > m_units || tn > n_units) continue;
    // Elements packed in total: A once per column slab, B once per row slab.
    const double cost = static_cast<double>(tn) * m * k + static_cast<double>(tm) * n * k;
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      plan.tm = tm;
      plan.tn = tn;
    }
  }
  return plan;
}

// The start of slab `s` of `slabs` over `units` units of `unit` elements (the last slab
// ends at `size`). Slabs differ by at most one unit.
int slab_begin(int s, int slabs, int unit, int size) {
  const int units = (size + unit - 1) / unit;
  return std::min(size, static_cast<int>(static_cast<long>(units) * s / slabs) * unit);
}

// Everything a task needs, behind one pointer: the lambda handed to the pool then fits in
// std::function's small buffer, so a call allocates nothing.
struct Job {
  const MicroKernel* uk;
  Operands op;
  int m, n, k;
  float alpha, beta;
  float* c;
  long ldc;
  Plan plan;
  float* partial;  // chunks × m × n when plan.chunks > 1
};

void run_task(const Job& job, size_t task) {
  const Plan& p = job.plan;
  const int per_chunk = p.tm * p.tn;
  const int chunk = static_cast<int>(task) / per_chunk, slab = static_cast<int>(task) % per_chunk;
  const int sm = slab / p.tn, sn = slab % p.tn;
  const int i0 = slab_begin(sm, p.tm, p.m_unit, job.m), i1 = slab_begin(sm + 1, p.tm, p.m_unit, job.m);
  const int j0 = slab_begin(sn, p.tn, p.n_unit, job.n), j1 = slab_begin(sn + 1, p.tn, p.n_unit, job.n);
  const int k0 = chunk * p.k_chunk, k1 = std::min(job.k, k0 + p.k_chunk);
  if (i0 >= i1 || j0 >= j1 || k0 >= k1) return;
  if (p.chunks == 1) {
    gemm_block(*job.uk, job.op, i0, i1, j0, j1, k0, k1, job.alpha, job.beta, job.c, job.ldc, t_workspace);
  } else {
    float* out = job.partial + static_cast<size_t>(chunk) * job.m * job.n;
    gemm_block(*job.uk, job.op, i0, i1, j0, j1, k0, k1, 1.0f, 0.0f, out, job.n, t_workspace);
  }
}

// C = alpha · (partial_0 + partial_1 + ... ) + beta · C, always summed in chunk order.
void reduce_rows(const Job& job, int r0, int r1) {
  const size_t plane = static_cast<size_t>(job.m) * job.n;
  for (int i = r0; i < r1; ++i) {
    float* ci = job.c + i * job.ldc;
    const float* first = job.partial + static_cast<size_t>(i) * job.n;
    for (int j = 0; j < job.n; ++j) {
      float sum = first[j];
      for (int s = 1; s < job.plan.chunks; ++s) sum += first[s * plane + j];
      ci[j] = job.beta == 0.0f ? job.alpha * sum : job.alpha * sum + job.beta * ci[j];
    }
  }
}

}  // namespace

const char* sgemm_kernel_name() { return active_ukernel().name; }

namespace {
std::atomic<bool> g_gemm_timing{false};
std::atomic<int64_t> g_gemm_ns{0};  // Σ of timed calls (atomic: two user threads may multiply at once)

void sgemm_untimed(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                   const float* b, int ldb, float beta, float* c, int ldc) {
  check_arguments(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
  if (m == 0 || n == 0) return;
  // Nothing to multiply (as in BLAS, alpha = 0 means A and B are not read).
  if (k == 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  Job job;
  job.uk = &active_ukernel();
  job.op = Operands{a, trans_a ? 1 : lda, trans_a ? lda : 1, b, trans_b ? 1 : ldb, trans_b ? ldb : 1};
  job.m = m, job.n = n, job.k = k, job.alpha = alpha, job.beta = beta, job.c = c, job.ldc = ldc;
  job.plan = plan_work(*job.uk, m, n, k, available_threads());
  job.partial = nullptr;
  if (job.plan.chunks > 1)
    job.partial = t_workspace.partial.get(static_cast<size_t>(job.plan.chunks) * m * n);

  const Job& j = job;
  parallel_tasks(static_cast<size_t>(job.plan.tasks()), [&j](size_t task, int) { run_task(j, task); });
  if (job.plan.chunks > 1) {
    const int rows_per_task = std::max(1, (1 << 14) / n);  // ~16K elements each
    const int tasks = (m + rows_per_task - 1) / rows_per_task;
    parallel_tasks(static_cast<size_t>(tasks), [&j, rows_per_task](size_t t, int) {
      const int r0 = static_cast<int>(t) * rows_per_task;
      reduce_rows(j, r0, std::min(j.m, r0 + rows_per_task));
    });
  }
}

}  // namespace

void set_gemm_timing(bool on) {
  g_gemm_ns.store(0, std::memory_order_relaxed);
  g_gemm_timing.store(on, std::memory_order_relaxed);
}

double gemm_seconds() { return 1e-9 * static_cast<double>(g_gemm_ns.load(std::memory_order_relaxed)); }

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
  if (!g_gemm_timing.load(std::memory_order_relaxed) || inside_parallel_task())
    return sgemm_untimed(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  const auto t0 = std::chrono::steady_clock::now();
  sgemm_untimed(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  g_gemm_ns.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count(),
                      std::memory_order_relaxed);
}

}  // namespace nn
