// 10 — Fast matrix multiply: the same arithmetic, a hundred times faster
//
// Every Dense and Conv2D layer spends nearly all its time in one operation: C = A · B.
// Multiplying two 1024 × 1024 matrices is 2 · 1024³ ≈ 2.1 billion floating-point
// operations (FLOPs), and a modern core can do 200+ billion per second (GFLOP/s). The
// textbook triple loop gets about 1% of that. Not because it does more arithmetic: every
// version below does exactly the same multiply-adds. The difference is how long the
// arithmetic units sit waiting for data. We remove the waiting one cause at a time:
//
//   step  what changes                              what it fixes                  code
//   [1]   naive i-j-p loop                          (the baseline)                 matmul_naive
//   [2]   loop order i-p-j                          cache misses: walk memory in   matmul_reordered
//                                                   order, let the compiler vectorise
//   [3]   blocking                                  data evicted before it is      matmul_blocked
//                                                   reused: work on cache-sized blocks
//   [4]   packing + a register tile                 TLB misses, cache-set          matmul_packed
//                                                   conflicts; loads per FLOP
//   [5]   the library's SIMD micro-kernel           FMA throughput: 16 floats per  nn::sgemm, 1 thread
//                                                   instruction, 2 units, 16 sums in flight
//   [6]   threads                                   the other cores                nn::sgemm, all threads
//
// Steps 1-4 are plain C++ in this file (compiled for any x86-64, so at most 4-wide SSE);
// steps 5-6 run the library: src/kernels/gemm.cpp (the five loops and packing),
// src/kernels/ukernel_avx512_8x32.cpp (the micro-kernel), src/kernels/cpu.cpp (which
// kernel this CPU can run).
//
// Run:  build/tutorials/10_fast_matmul           (1024 × 1024, ~30 s)
//       build/tutorials/10_fast_matmul --quick   (256 × 256, ~1 s)
//       build/tutorials/10_fast_matmul --step    (pause after each section)
//
// Every speed below depends on the machine, and so does the order of steps 2 and 3: read
// the numbers your CPU prints, and the explanation under each step, which says what to
// expect in either case. Every step computes the same C: its largest difference from the
// textbook reference (sgemm_ref, in double) is printed next to its speed.
//
// Expected output: C = A · B with 1024 × 1024 matrices: 2.15 GFLOP per multiply. On a 2-core
// AMD Zen 5 with AVX-512, when nothing else runs: [1] ~0.6 GFLOP/s, [2] ~18, [3] ~21, [4] ~42,
// [5] ~36 with the portable kernel and ~235 with AVX-512, [6] ~470 with two threads: ~800x
// the naive loop. Under load (other programs sharing the cores) every number drops, the slow
// loops most. With --quick the matrices fit in cache, so the naive loop looks less bad.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "nn.h"
#include "tutorial.h"

namespace {

// Runs f repeatedly for at least `min_seconds` (at least once) and returns the best time
// of one run: the best, because interruptions only ever make a run slower.
double best_seconds(const std::function<void()>& f, double min_seconds) {
  double best = 1e30, total = 0;
  while (total < min_seconds || best == 1e30) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
  }
  return best;
}

// ---- [1] The textbook loop ---------------------------------------------------------------
// C[i][j] = Σ_p A[i][p] · B[p][j]. The inner loop walks down a column of B: consecutive p
// are n floats (4 KiB for n = 1024) apart, so every single load touches a new cache line
// (64 bytes fetched, 4 used) and a new 4 KiB page (a TLB miss every step). And the sum is
// one long chain of dependent adds: each waits ~4 cycles for the previous one.
void matmul_naive(int n, const float* a, const float* b, float* c) {
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int p = 0; p < n; ++p) sum += a[i * n + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
  }
}

// ---- [2] Reorder the loops: i-p-j --------------------------------------------------------
// Same multiply-adds, different order: for each A[i][p], add A[i][p] · (row p of B) to
// row i of C. The inner loop now walks B and C along rows, so every byte of every cache
// line is used and the hardware prefetcher sees a simple stream. The n values of the
// inner loop are independent, so the compiler turns it into SIMD instructions by itself.
// What is still wrong: for every row i the whole of B (4 MiB) streams through the
// caches again, and it does not fit in L2.
void matmul_reordered(int n, const float* a, const float* b, float* c) {
  std::fill(c, c + static_cast<size_t>(n) * n, 0.0f);
  for (int i = 0; i < n; ++i) {
    float* ci = c + i * n;
    for (int p = 0; p < n; ++p) {
      const float aip = a[i * n + p];
      const float* bp = b + p * n;
      for (int j = 0; j < n; ++j) ci[j] += aip * bp[j];
    }
  }
}

// ---- [3] Blocking ------------------------------------------------------------------------
// Cut B into blocks of kKB rows × kNB columns (256 × 256 floats = 256 KiB: fits in L2)
// and finish all the work that needs one block, for every row of A, before moving to the
// next. Each block is now read from memory once instead of n times.
// On a CPU with a 32 MiB L3 (which holds all of B) the gain is small, because step 2
// was mostly fed from L3 already; with a smaller cache or larger matrices it is large.
// What is still wrong: the rows of a block are 4 KiB apart in memory, so they compete for
// the same few cache sets and pages; and C's row segment is loaded and stored again for
// every p: the inner loop does one multiply-add per load of C and per store of C, so it
// runs at the speed of loads and stores, not of the arithmetic.
constexpr int kKB = 256, kNB = 256;

void matmul_blocked(int n, const float* a, const float* b, float* c) {
  std::fill(c, c + static_cast<size_t>(n) * n, 0.0f);
  for (int j0 = 0; j0 < n; j0 += kNB) {
    const int j1 = std::min(n, j0 + kNB);
    for (int p0 = 0; p0 < n; p0 += kKB) {
      const int p1 = std::min(n, p0 + kKB);
      for (int i = 0; i < n; ++i) {
        float* ci = c + i * n;
        for (int p = p0; p < p1; ++p) {
          const float aip = a[i * n + p];
          const float* bp = b + p * n;
          for (int j = j0; j < j1; ++j) ci[j] += aip * bp[j];
        }
      }
    }
  }
}

// ---- [4] Packing and a register tile -----------------------------------------------------
// Two ideas at once, the heart of every fast GEMM:
//  * A micro-kernel computes a small kMR × kNR tile of C and keeps those 32 partial sums in
//    registers for the whole k loop. Per step it loads kNR values of B and kMR of A and does
//    kMR · kNR multiply-adds: each B value is used kMR times, each A value kNR times, and C
//    is touched once at the end instead of at every step.
//  * Packing: before the micro-kernels run, copy the block of B (and a strip of A) into a
//    small contiguous buffer, in exactly the order the micro-kernel will read it. Then the
//    kernel reads memory strictly sequentially: no page or cache-set conflicts, and a
//    transposed input would cost nothing extra (only the copy reads it with strides).
constexpr int kMR = 4, kNR = 8, kKC = 256, kNC = 256;

// acc = Σ_p (column p of the A panel) ⊗ (row p of the B panel); C tile += acc.
void micro_kernel(int kc, const float* a_panel, const float* b_panel, float* c, int ldc) {
  float acc[kMR][kNR] = {};
  for (int p = 0; p < kc; ++p) {
    for (int i = 0; i < kMR; ++i)
      for (int j = 0; j < kNR; ++j) acc[i][j] += a_panel[p * kMR + i] * b_panel[p * kNR + j];
  }
  for (int i = 0; i < kMR; ++i)
    for (int j = 0; j < kNR; ++j) c[i * ldc + j] += acc[i][j];
}

// For simplicity this version needs n to be a multiple of the block sizes (the library
// handles every size by padding edge panels with zeros).
void matmul_packed(int n, const float* a, const float* b, float* c) {
  std::fill(c, c + static_cast<size_t>(n) * n, 0.0f);
  std::vector<float> b_pack(kKC * kNC), a_pack(kMR * kKC);
  for (int j0 = 0; j0 < n; j0 += kNC) {
    for (int p0 = 0; p0 < n; p0 += kKC) {
      // Pack the kKC × kNC block of B as panels of kNR columns: panel q holds, for each
      // p, the kNR values B[p0 + p][j0 + q·kNR ...] next to each other.
      for (int q = 0; q < kNC / kNR; ++q)
        for (int p = 0; p < kKC; ++p)
          std::memcpy(&b_pack[(q * kKC + p) * kNR], b + (p0 + p) * n + j0 + q * kNR, kNR * sizeof(float));
      for (int i0 = 0; i0 < n; i0 += kMR) {
        // Pack a kMR-row strip of A column by column: the kernel reads kMR values per step.
        for (int p = 0; p < kKC; ++p)
          for (int i = 0; i < kMR; ++i) a_pack[p * kMR + i] = a[(i0 + i) * n + p0 + p];
        for (int q = 0; q < kNC / kNR; ++q)
          micro_kernel(kKC, a_pack.data(), &b_pack[q * kKC * kNR], c + i0 * n + j0 + q * kNR, n);
      }
    }
  }
}

// Largest |x - y| relative to the largest |y|.
double max_rel_diff(const std::vector<float>& x, const std::vector<float>& y) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(x[i] - y[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(y[i])));
  }
  return diff / std::max(scale, 1e-30);
}

// A cache's size in bytes as the operating system reports it (0 when it does not say).
long cache_bytes(int name) {
  const long v = sysconf(name);
  return v > 0 ? v : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = tutorial::parse_args(argc, argv);
  const bool quick = args.quick;
  const int n = quick ? 256 : 1024;  // a multiple of the block sizes above
  const double min_seconds = quick ? 0.05 : 0.5;
  const double flops = 2.0 * n * n * n;
  std::printf("C = A · B with %d × %d matrices: %.2f GFLOP per multiply\n", n, n, flops * 1e-9);

  nn::set_seed(10);
  nn::Rng& rng = nn::global_rng();
  std::vector<float> a(static_cast<size_t>(n) * n), b(a.size()), c(a.size()), expected(a.size());
  for (float& v : a) v = rng.uniform(-1.0f, 1.0f);
  for (float& v : b) v = rng.uniform(-1.0f, 1.0f);
  nn::set_num_threads(1);
  // The answer every step is compared with: the library's plain triple loop, summing in double.
  nn::sgemm_ref(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, expected.data(), n);

  struct Row {
    std::string name;
    double gflops;
  };
  std::vector<Row> table;
  auto measure = [&](const std::string& name, const std::function<void()>& f, double seconds) {
    const double gf = flops / best_seconds(f, seconds) * 1e-9;
    table.push_back({name, gf});
    std::printf("    %-44s %8.1f GFLOP/s   (largest difference from the reference %.1e)\n", name.c_str(), gf,
                max_rel_diff(c, expected));
  };

  tutorial::section(args, 1, "The textbook triple loop: i, j, then the sum over p");
  // One run is plenty (it is slow), and the best of a few would take too long.
  measure("naive i-j-p", [&] { matmul_naive(n, a.data(), b.data(), c.data()); }, 0.0);

  tutorial::section(args, 2, "Reorder the loops to i-p-j: walk memory in order");
  measure("reordered i-p-j", [&] { matmul_reordered(n, a.data(), b.data(), c.data()); }, min_seconds);

  tutorial::section(args, 3, "Blocking: reuse a cache-sized block of B for every row of A");
  measure("blocked", [&] { matmul_blocked(n, a.data(), b.data(), c.data()); }, min_seconds);
  // Whether blocking pays off here depends on the cache: both cases, then this machine's.
  const double b_mib = static_cast<double>(n) * n * sizeof(float) / (1 << 20);
  std::printf("  Blocking pays off when B (%.2f MiB here) does not fit in the caches that feed the inner\n"
              "  loop: then step 2 waits for main memory on every row of A, and blocks that stay in L2 cure\n"
              "  it. When the caches already hold B, step 2 was not waiting much, and blocking gains little\n"
              "  or even loses a bit (its extra loops cost something). Either way it is what step 4 builds\n"
              "  on: packing copies blocks.\n", b_mib);
  const long l2 = cache_bytes(_SC_LEVEL2_CACHE_SIZE), l3 = cache_bytes(_SC_LEVEL3_CACHE_SIZE);
  char caches[96] = "";
  if (l2 > 0 && l3 > 0)
    std::snprintf(caches, sizeof caches, "; the system reports %ld KiB of L2 cache and %ld MiB of L3", l2 >> 10, l3 >> 20);
  std::printf("    here: %.1f GFLOP/s blocked against %.1f GFLOP/s reordered, %.2fx%s\n", table[2].gflops,
              table[1].gflops, table[2].gflops / table[1].gflops, caches);

  tutorial::section(args, 4, "Packing + a 4 × 8 register tile (plain C++)");
  measure("packed + register tile", [&] { matmul_packed(n, a.data(), b.data(), c.data()); }, min_seconds);

  tutorial::section(args, 5, "The library: five loops, packing, SIMD micro-kernel (1 thread)");
  // The same loop nest with two different micro-kernels shows what SIMD alone buys. The
  // portable kernel is step 4's idea (it lands about where step 4 did); the AVX-512
  // kernel computes 16 floats per instruction, on both FMA units every cycle, with 16
  // independent sums in flight to cover the 4-cycle latency of each multiply-add.
  const nn::SimdLevel best = nn::get_simd_level();
  auto library = [&] { nn::sgemm(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n); };
  nn::set_simd_level(nn::SimdLevel::generic);
  measure(std::string("nn::sgemm, kernel ") + nn::sgemm_kernel_name(), library, min_seconds);
  nn::set_simd_level(best);
  if (best != nn::SimdLevel::generic)
    measure(std::string("nn::sgemm, kernel ") + nn::sgemm_kernel_name(), library, min_seconds);
  else
    std::printf("  (this CPU has no AVX2 or AVX-512, so the portable kernel is the library's best here)\n");

  tutorial::section(args, 6, "Threads: every core works on its own part of C");
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  nn::set_num_threads(cores);
  measure("nn::sgemm, " + std::to_string(cores) + " thread" + (cores == 1 ? "" : "s"), library, min_seconds);
  std::printf("  Each thread computes its own tiles of C, so the speed grows with the cores, as long as\n"
              "  nothing else is running on them.\n");

  tutorial::section(args, 7, "Summary");
  for (const Row& r : table)
    std::printf("    %-44s %8.1f GFLOP/s  %7.1fx the naive loop\n", r.name.c_str(), r.gflops,
                r.gflops / table[0].gflops);
  std::printf("Same multiply-adds every time: the speed-up is all in how the data reaches the FMA units.\n");
  return 0;
}
