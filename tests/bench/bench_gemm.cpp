// bench_gemm — nn::sgemm against OpenBLAS and against the machine's FMA peak.
//
//   build/bench/bench_gemm            full run (~1-2 minutes)
//   build/bench/bench_gemm --quick    a few seconds (also: BENCH_QUICK=1)
//
// For every shape (m×n×k and which operands are transposed) and for 1 and 2 threads it
// prints the median GFLOP/s of nn::sgemm, of OpenBLAS's cblas_sgemm in the same run,
// their ratio, and our fraction of the FMA peak measured at the start of the run. The two
// libraries are timed alternately, so a change in clock speed or a noisy neighbour hits
// both alike; quote the ratio, not the absolute numbers.
//
// OpenBLAS is loaded at run time with dlopen, so the library never links against it and
// this program still runs (ours only) where it is missing. OpenBLAS picks its kernels by
// CPU model and the environment may pin it to an older one (OPENBLAS_CORETYPE=Haswell),
// so on an AVX-512 machine we ask for its AVX-512 kernels (SkylakeX) before loading it,
// and print the core it reports.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "bench_util.h"
#include "nn.h"

namespace {

using bench::Clock;
using bench::fma_peak;
using bench::median;
using bench::seconds_since;

// ---- OpenBLAS, loaded at run time -------------------------------------------------------
// cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) with
// CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 (from cblas.h).
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                            int);
struct OpenBlas {
  CblasSgemm sgemm = nullptr;
  void (*set_num_threads)(int) = nullptr;
  char* (*corename)() = nullptr;
  bool loaded() const { return sgemm && set_num_threads; }
};

OpenBlas load_openblas() {
  OpenBlas ob;
  if (nn::cpu_supports(nn::SimdLevel::avx512)) setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  void* lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::printf("OpenBLAS: not found (%s); install libopenblas-dev to compare. Showing ours only.\n", dlerror());
    return ob;
  }
  ob.sgemm = reinterpret_cast<CblasSgemm>(dlsym(lib, "cblas_sgemm"));
  ob.set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(lib, "openblas_set_num_threads"));
  ob.corename = reinterpret_cast<char* (*)()>(dlsym(lib, "openblas_get_corename"));
  if (!ob.loaded()) std::printf("OpenBLAS: libopenblas.so.0 lacks cblas_sgemm/openblas_set_num_threads\n");
  return ob;
}

// ---- The shapes ---------------------------------------------------------------------------
struct Shape {
  int m, n, k;
  bool ta, tb;
  const char* what;
};

const std::vector<Shape> kShapes = {
    {1024, 1024, 1024, false, false, "square"},
    {2048, 2048, 2048, false, false, "square"},
    {32, 200, 3072, false, false, "MLP layer 1 forward"},
    {3072, 200, 32, true, false, "MLP layer 1 dW = x^T dy"},
    {32, 3072, 200, false, true, "MLP layer 1 dx = dy W^T"},
    {32, 150, 200, false, false, "MLP layer 2 forward"},
    {32768, 32, 27, false, false, "conv 1 im2col forward"},
    {8192, 64, 288, false, false, "conv 3 im2col forward"},
    {27, 32, 32768, true, false, "conv 1 dW (k split)"},
};

struct Matrices {
  std::vector<float> a, b, c;
  int lda, ldb, ldc;
};

Matrices make(const Shape& s) {
  Matrices x;
  nn::Rng rng(7);
  x.a.resize(static_cast<size_t>(s.m) * s.k);
  x.b.resize(static_cast<size_t>(s.k) * s.n);
  x.c.assign(static_cast<size_t>(s.m) * s.n, 0.0f);
  for (float& v : x.a) v = rng.uniform(-1, 1);
  for (float& v : x.b) v = rng.uniform(-1, 1);
  x.lda = s.ta ? s.m : s.k;
  x.ldb = s.tb ? s.k : s.n;
  x.ldc = s.n;
  return x;
}

// Seconds per call of f, averaged over `calls` back-to-back calls (enough of them that a
// sample lasts long compared with the timer's resolution).
template <class F>
double time_call(F f, int calls) {
  const auto t0 = Clock::now();
  for (int i = 0; i < calls; ++i) f();
  return seconds_since(t0) / calls;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = std::getenv("BENCH_QUICK") && std::string(std::getenv("BENCH_QUICK")) != "0";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--quick") {
      quick = true;
    } else {
      std::printf("usage: %s [--quick]   (BENCH_QUICK=1 also selects the short run)\n", argv[0]);
      return 2;
    }
  }
  const int samples = quick ? 3 : 9;         // timings per library, shape and thread count
  const double sample_seconds = quick ? 0.01 : 0.06;

  OpenBlas ob = load_openblas();
  std::printf("nn::sgemm kernel: %s\n", nn::sgemm_kernel_name());
  if (ob.loaded()) std::printf("OpenBLAS core:    %s\n", ob.corename ? ob.corename() : "(unknown)");

  const int saved_threads = nn::get_num_threads();
  const int max_threads = 2;
  std::vector<double> peak(max_threads + 1);
  for (int t = 1; t <= max_threads; ++t) peak[t] = fma_peak(t, quick ? 0.1 : 0.3) * 1e-9;
  std::printf("FMA peak: %.0f GFLOP/s on 1 thread, %.0f on 2 (measured now)\n\n", peak[1], peak[2]);

  std::printf("%-24s %-26s %3s %9s %9s %7s %7s\n", "shape mxnxk op", "(what)", "thr", "nn GF/s", "BLAS GF/s",
              "nn/BLAS", "nn/peak");
  for (const Shape& s : kShapes) {
    if (quick && static_cast<double>(s.m) * s.n * s.k > 2e9) continue;  // skip 2048³ in the quick run
    Matrices x = make(s);
    const double flops = 2.0 * s.m * s.n * s.k;
    for (int t = 1; t <= max_threads; ++t) {
      nn::set_num_threads(t);
      if (ob.loaded()) ob.set_num_threads(t);
      auto ours = [&] {
        nn::sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, x.a.data(), x.lda, x.b.data(), x.ldb, 0.0f, x.c.data(), x.ldc);
      };
      auto theirs = [&] {
        ob.sgemm(101, s.ta ? 112 : 111, s.tb ? 112 : 111, s.m, s.n, s.k, 1.0f, x.a.data(), x.lda, x.b.data(),
                 x.ldb, 0.0f, x.c.data(), x.ldc);
      };
      // Warm up (buffers, thread pools, caches) and size each sample to ~sample_seconds.
      const double once = time_call(ours, 1);
      time_call(ours, 1);
      if (ob.loaded()) time_call(theirs, 2);
      const int calls = std::max(1, static_cast<int>(sample_seconds / std::max(once, 1e-7)));
      std::vector<double> mine, blas;
      for (int r = 0; r < samples; ++r) {
        mine.push_back(time_call(ours, calls));
        if (ob.loaded()) blas.push_back(time_call(theirs, calls));
      }
      const double ours_gf = flops / median(mine) * 1e-9;
      char shape_name[64];
      std::snprintf(shape_name, sizeof shape_name, "%dx%dx%d %s%s", s.m, s.n, s.k, s.ta ? "T" : "N",
                    s.tb ? "T" : "N");
      std::printf("%-24s %-26s %3d %9.1f", shape_name, s.what, t, ours_gf);
      if (ob.loaded()) {
        const double blas_gf = flops / median(blas) * 1e-9;
        std::printf(" %9.1f %7.2f", blas_gf, ours_gf / blas_gf);
      } else {
        std::printf(" %9s %7s", "-", "-");
      }
      std::printf(" %6.0f%%\n", peak[t] > 0 ? 100 * ours_gf / peak[t] : 0.0);
      std::fflush(stdout);
    }
  }
  nn::set_num_threads(saved_threads);
  return 0;
}
