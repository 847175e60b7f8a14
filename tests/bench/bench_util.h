// Shared by the benchmarks: clocks and medians, the machine's FMA peak and memory
// bandwidth (measured in the same run as what they are compared with), peak RSS, and
// running a peer program (PyTorch) whose output we parse.
#pragma once
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nn.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The middle value; for an even count, the mean of the two middle ones.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

// Median wall time of `reps` calls of f().
template <class F>
double median_seconds(int reps, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    f();
    t.push_back(seconds_since(t0));
  }
  return median(t);
}

// ---- The FMA peak -------------------------------------------------------------------------
// 16 independent multiply-add chains: enough to cover the FMA latency (4 cycles) times the
// number of FMA units (2), so the loop runs at the units' throughput. Written in assembly
// so the compiler can neither drop nor reorganise it: 16 vfmadd per iteration, nothing else
// but the loop counter.
#if defined(__x86_64__)
#define NN_FMA16(R)                                                                                               \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "0\n vfmadd231ps %%" R "16, %%" R "17, %%" R "1\n"                   \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "2\n vfmadd231ps %%" R "16, %%" R "17, %%" R "3\n"                   \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "4\n vfmadd231ps %%" R "16, %%" R "17, %%" R "5\n"                   \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "6\n vfmadd231ps %%" R "16, %%" R "17, %%" R "7\n"                   \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "8\n vfmadd231ps %%" R "16, %%" R "17, %%" R "9\n"                   \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "10\n vfmadd231ps %%" R "16, %%" R "17, %%" R "11\n"                 \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "12\n vfmadd231ps %%" R "16, %%" R "17, %%" R "13\n"                 \
  "vfmadd231ps %%" R "16, %%" R "17, %%" R "14\n vfmadd231ps %%" R "16, %%" R "17, %%" R "15\n"

__attribute__((target("avx512f"))) inline void fma_loop_avx512(long iterations) {
  __asm__ volatile(
      "vxorps %%xmm16, %%xmm16, %%xmm16\n vxorps %%xmm17, %%xmm17, %%xmm17\n"
      "1:\n" NN_FMA16("zmm") "dec %0\n jnz 1b\n vzeroupper\n"
      : "+r"(iterations)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "cc");
}
// AVX2 has only 16 registers: 14 chains plus the two operands.
__attribute__((target("avx2,fma"))) inline void fma_loop_avx2(long iterations) {
  __asm__ volatile(
      "vxorps %%xmm14, %%xmm14, %%xmm14\n vxorps %%xmm15, %%xmm15, %%xmm15\n"
      "1:\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm0\n vfmadd231ps %%ymm14, %%ymm15, %%ymm1\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm2\n vfmadd231ps %%ymm14, %%ymm15, %%ymm3\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm4\n vfmadd231ps %%ymm14, %%ymm15, %%ymm5\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm6\n vfmadd231ps %%ymm14, %%ymm15, %%ymm7\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm8\n vfmadd231ps %%ymm14, %%ymm15, %%ymm9\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm10\n vfmadd231ps %%ymm14, %%ymm15, %%ymm11\n"
      "vfmadd231ps %%ymm14, %%ymm15, %%ymm12\n vfmadd231ps %%ymm14, %%ymm15, %%ymm13\n"
      "dec %0\n jnz 1b\n vzeroupper\n"
      : "+r"(iterations)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15", "cc");
}
#endif

// FLOP/s of one core running the widest FMA loop this CPU supports (0 off x86).
inline double fma_peak_one_thread(double seconds) {
#if defined(__x86_64__)
  const bool wide = nn::cpu_supports(nn::SimdLevel::avx512), avx2 = nn::cpu_supports(nn::SimdLevel::avx2);
  const double flops_per_iter = wide ? 16 * 16 * 2 : avx2 ? 14 * 8 * 2 : 0;
  if (flops_per_iter == 0) return 0;
  const long iterations = 1 << 20;
  auto run = [&] { wide ? fma_loop_avx512(iterations) : fma_loop_avx2(iterations); };
  double best = 0;
  const auto start = Clock::now();
  while (seconds_since(start) < seconds) {  // the best run: the clock has ramped up by then
    const auto t0 = Clock::now();
    run();
    best = std::max(best, flops_per_iter * iterations / seconds_since(t0));
  }
  return best;
#else
  (void)seconds;
  return 0;
#endif
}

// The same loop on `threads` cores at once (through the library's pool), in FLOP/s.
inline double fma_peak(int threads, double seconds) {
  nn::set_num_threads(threads);
  std::vector<double> per(threads);
  nn::parallel_tasks(threads, [&](size_t i, int) { per[i] = fma_peak_one_thread(seconds); });
  double total = 0;
  for (double p : per) total += p;
  return total;
}

// ---- Memory bandwidth: the triad a = b + s·c ----------------------------------------------
// Bytes moved per element: read b, read c, write a (plus the write-allocate read of a,
// which we do not count, as STREAM does not). Returns GB/s, best of a few passes.
inline double triad_gbs(size_t elements, int threads) {
  nn::set_num_threads(threads);
  std::vector<float> a(elements), b(elements, 1.0f), c(elements, 2.0f);
  const size_t chunk = (elements + threads - 1) / threads;
  double best = 0;
  for (int pass = 0; pass < 8; ++pass) {
    const auto t0 = Clock::now();
    nn::parallel_tasks(threads, [&](size_t t, int) {
      const size_t lo = t * chunk, hi = std::min(elements, lo + chunk);
      for (size_t i = lo; i < hi; ++i) a[i] = b[i] + 3.0f * c[i];
    });
    best = std::max(best, 3.0 * sizeof(float) * elements / seconds_since(t0) * 1e-9);
  }
  if (a[elements / 2] != 7.0f) std::printf("(triad check failed)\n");
  return best;
}

// Peak resident memory of this process so far, in MB.
inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// Runs a shell command and returns what it printed (stdout), "" if it could not start.
inline std::string run_command(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  return out;
}

// A python3 that can import torch (Debian's python3-torch lives in /usr/bin/python3, which
// may not be the first python3 on PATH), or "" when there is none.
inline std::string python_with_torch() {
  for (const char* py : {"/usr/bin/python3", "python3"})
    if (run_command(std::string(py) + " -c 'import torch; print(1)' 2>/dev/null") == "1\n") return py;
  return "";
}

}  // namespace bench
