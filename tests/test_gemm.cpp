// nn::sgemm against the naive oracle nn::sgemm_ref.
//
// How close must they be? Both compute the same sum in a different order (the fast kernel
// in float, blocked; the oracle in double). The classic error bound for a float dot
// product of length k, whatever the summation order, is
//     |computed − exact| ≤ γ_k · Σ_p |a_ip · b_pj|,   γ_k = k·u / (1 − k·u),  u = 2⁻²⁴
// and scaling by alpha and adding beta·C adds a few more roundings. So each element is
// checked against  (k + 4) · u · scale,  scale = |alpha| Σ_p |a_ip||b_pj| + |beta||c_ij|:
// a tolerance that grows with k (longer sums round more often) and with the magnitude of
// the terms (not of the result, which may cancel to ~0). It is a worst case, so the test
// never flakes, yet a single missing or doubled term (size ~scale/k) is far outside it.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "nn.h"
#include "test_util.h"

namespace {

constexpr float kSentinel = -12345.0f;  // fills C's row padding, which must stay untouched

struct Case {
  bool ta, tb;
  int m, n, k;
  float alpha, beta;
  int pad_a = 0, pad_b = 0, pad_c = 0;  // extra leading-dimension elements
};

std::string describe(const Case& c) {
  return std::string(c.ta ? "T" : "N") + (c.tb ? "T" : "N") + " m=" + std::to_string(c.m) +
         " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta) + " pads=" + std::to_string(c.pad_a) + "," +
         std::to_string(c.pad_b) + "," + std::to_string(c.pad_c);
}

struct Inputs {
  int lda, ldb, ldc;
  std::vector<float> a, b, c;
};

Inputs make_inputs(const Case& t, nn::Rng& rng, bool nan_c) {
  Inputs in;
  const int a_rows = t.ta ? t.k : t.m, a_cols = t.ta ? t.m : t.k;
  const int b_rows = t.tb ? t.n : t.k, b_cols = t.tb ? t.k : t.n;
  in.lda = a_cols + t.pad_a;
  in.ldb = b_cols + t.pad_b;
  in.ldc = t.n + t.pad_c;
  // +1 so a 0-sized matrix still has a valid pointer
  in.a.assign(static_cast<size_t>(a_rows) * in.lda + 1, 0.0f);
  in.b.assign(static_cast<size_t>(b_rows) * in.ldb + 1, 0.0f);
  in.c.assign(static_cast<size_t>(t.m) * in.ldc + 1, kSentinel);
  for (float& v : in.a) v = rng.uniform(-1.0f, 1.0f);
  for (float& v : in.b) v = rng.uniform(-1.0f, 1.0f);
  for (int i = 0; i < t.m; ++i)
    for (int j = 0; j < t.n; ++j)
      in.c[static_cast<size_t>(i) * in.ldc + j] =
          nan_c ? std::numeric_limits<float>::quiet_NaN() : rng.uniform(-1.0f, 1.0f);
  return in;
}

// Runs nn::sgemm on one case and checks every element against the oracle's bound, and
// that the padding of C was not written. Returns the computed C (for bit-level comparison).
std::vector<float> check_case(const Case& t, uint64_t seed, bool nan_c = false) {
  nn::Rng rng(seed);
  Inputs in = make_inputs(t, rng, nan_c);
  std::vector<float> got = in.c;
  nn::sgemm(t.ta, t.tb, t.m, t.n, t.k, t.alpha, in.a.data(), in.lda, in.b.data(), in.ldb, t.beta, got.data(),
            in.ldc);

  std::vector<float> want = in.c;
  nn::sgemm_ref(t.ta, t.tb, t.m, t.n, t.k, t.alpha, in.a.data(), in.lda, in.b.data(), in.ldb, t.beta,
                want.data(), in.ldc);
  // The scale of the terms: the same product on absolute values.
  auto abs_all = [](std::vector<float> v) {
    for (float& x : v) x = std::fabs(x);
    return v;
  };
  std::vector<float> abs_a = abs_all(in.a), abs_b = abs_all(in.b), scale = abs_all(in.c);
  if (t.beta == 0.0f) std::fill(scale.begin(), scale.end(), 0.0f);  // NaN garbage is not a term
  nn::sgemm_ref(t.ta, t.tb, t.m, t.n, t.k, std::fabs(t.alpha), abs_a.data(), in.lda, abs_b.data(), in.ldb,
                std::fabs(t.beta), scale.data(), in.ldc);

  const double u = std::ldexp(1.0, -24);
  int bad = 0;
  for (int i = 0; i < t.m && bad < 3; ++i) {
    for (int j = 0; j < t.n && bad < 3; ++j) {
      const size_t at = static_cast<size_t>(i) * in.ldc + j;
      const double tol = (t.k + 4) * u * scale[at] + 1e-30;
      const double err = std::fabs(static_cast<double>(got[at]) - want[at]);
      if (!(err <= tol)) {  // also catches NaN
        ++bad;
        FAIL_CHECK(describe(t) << ": C[" << i << "][" << j << "] = " << got[at] << ", oracle " << want[at]
                               << ", |error| " << err << " > tolerance " << tol);
      }
    }
    for (int j = t.n; j < in.ldc; ++j) {
      if (got[static_cast<size_t>(i) * in.ldc + j] != kSentinel) {
        ++bad;
        FAIL_CHECK(describe(t) << ": wrote into C's padding at row " << i << " column " << j);
        break;
      }
    }
  }
  CHECK_MESSAGE(bad == 0, describe(t));
  return got;
}

// Runs body() once per micro-kernel this CPU supports, restoring the level afterwards.
template <class Body>
void for_each_kernel(Body body) {
  const nn::SimdLevel saved = nn::get_simd_level();
  for (nn::SimdLevel level : nn::supported_simd_levels()) {
    nn::set_simd_level(level);
    INFO("kernel: " << nn::sgemm_kernel_name());
    body();
  }
  nn::set_simd_level(saved);
}

// Sizes 1..70 such that every value (hence every remainder modulo any MR and NR up to
// 70) occurs for m, for n and for k, in varied combinations.
std::vector<Case> small_cases(bool quick) {
  std::vector<Case> cases;
  const int step = quick ? 5 : 1;
  const float alphas[] = {1.0f, -0.75f, 2.5f};
  const float betas[] = {0.0f, 1.0f, 0.5f, -1.5f};
  int index = 0;
  for (int m = 1; m <= 70; m += step) {
    // n and k walk through 1..70 in different orders, so (m, n, k) triples mix remainders.
    const int n = (m * 37) % 70 + 1;
    const int k = (m * 23 + 11) % 70 + 1;
    for (int trans = 0; trans < 4; ++trans, ++index) {
      Case c{(trans & 1) != 0, (trans & 2) != 0, m, n, k, alphas[index % 3], betas[index % 4]};
      c.pad_a = index % 3;  // ld larger than needed in two cases out of three
      c.pad_b = (index + 1) % 3 * 5;
      c.pad_c = (index + 2) % 3 * 2;
      cases.push_back(c);
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("sgemm matches the oracle on sizes 1..70, all transposes, alpha and beta") {
  for_each_kernel([] {
    for (const Case& c : small_cases(nn_test::quick())) check_case(c, 1000 + c.m * 7 + c.n);
  });
}

TEST_CASE("sgemm matches the oracle on odd large sizes") {
  for_each_kernel([] {
    for (int trans = 0; trans < 4; ++trans) {
      if (nn_test::quick() && trans % 3 != 0) continue;
      check_case({(trans & 1) != 0, (trans & 2) != 0, 257, 129, 1031, 1.25f, 0.5f, 3, 1, 7}, 77 + trans);
    }
    // m and n beyond one cache block (MC, NC), with edges
    check_case({false, true, 801, 37, 300, 1.0f, 1.0f, 0, 3, 0}, 80);
    check_case({true, false, 3, 4500, 7, 0.5f, 0.0f, 2, 0, 1}, 81);
    // k much larger than the block depth, tiny m and n (one tile, many k-slices)
    check_case({false, false, 5, 3, 4099, 1.0f, 0.0f}, 78);
    check_case({true, true, 1, 1, 3001, -2.0f, 1.0f}, 79);
  });
}

TEST_CASE("sgemm with beta = 0 ignores NaN in C") {
  for_each_kernel([] {
    for (int trans = 0; trans < 4; ++trans) {
      Case c{(trans & 1) != 0, (trans & 2) != 0, 37, 45, 300, 0.5f, 0.0f, 1, 2, 3};
      check_case(c, 5 + trans, /*nan_c=*/true);
    }
  });
}

TEST_CASE("SIMD level selection") {
  const nn::SimdLevel saved = nn::get_simd_level();
  const std::vector<nn::SimdLevel> levels = nn::supported_simd_levels();
  REQUIRE(!levels.empty());
  CHECK(levels.front() == nn::SimdLevel::generic);  // the portable kernel always exists
  CHECK(nn::best_simd_level() == levels.back());
  for (nn::SimdLevel level : levels) {
    nn::set_simd_level(level);
    CHECK(nn::get_simd_level() == level);
    // the kernel's name starts with its instruction set, e.g. "avx2 6x16"
    CHECK(std::string(nn::sgemm_kernel_name()).rfind(nn::simd_level_name(level), 0) == 0);
    CHECK(nn::parse_simd_level(nn::simd_level_name(level)) == level);
  }
  for (nn::SimdLevel level : {nn::SimdLevel::avx2, nn::SimdLevel::avx512})
    if (!nn::cpu_supports(level)) CHECK_THROWS_AS(nn::set_simd_level(level), nn::Error);
  CHECK_THROWS_WITH_AS(nn::parse_simd_level("sse9"), doctest::Contains("avx512, avx2 or generic"), nn::Error);
  nn::set_simd_level(saved);
}

TEST_CASE("sgemm edge cases: m, n or k of zero, alpha of zero") {
  std::vector<float> a(64, 1.0f), b(64, 1.0f);
  std::vector<float> c(16, std::numeric_limits<float>::quiet_NaN());
  // m = 0 or n = 0: nothing is touched
  nn::sgemm(false, false, 0, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(), 4);
  nn::sgemm(false, false, 4, 0, 4, 1.0f, a.data(), 4, b.data(), 0, 0.0f, c.data(), 0);
  CHECK(std::isnan(c[0]));
  // k = 0: C = beta · C, and beta = 0 clears NaN
  nn::sgemm(false, false, 4, 4, 0, 1.0f, a.data(), 0, b.data(), 4, 0.0f, c.data(), 4);
  for (float v : c) REQUIRE(v == 0.0f);
  std::fill(c.begin(), c.end(), 2.0f);
  nn::sgemm(true, true, 4, 4, 0, 1.0f, a.data(), 4, b.data(), 0, 3.0f, c.data(), 4);
  for (float v : c) REQUIRE(v == 6.0f);
  // alpha = 0: C = beta · C, A and B not used
  nn::sgemm(false, false, 4, 4, 4, 0.0f, a.data(), 4, b.data(), 4, 0.5f, c.data(), 4);
  for (float v : c) REQUIRE(v == 3.0f);
}

TEST_CASE("sgemm rejects bad arguments with nn::Error") {
  std::vector<float> a(64), b(64), c(64);
  CHECK_THROWS_AS(nn::sgemm(false, false, -1, 4, 4, 1, a.data(), 4, b.data(), 4, 0, c.data(), 4), nn::Error);
  CHECK_THROWS_AS(nn::sgemm(false, false, 4, 4, 4, 1, a.data(), 3, b.data(), 4, 0, c.data(), 4), nn::Error);
  CHECK_THROWS_AS(nn::sgemm(true, false, 5, 4, 4, 1, a.data(), 4, b.data(), 4, 0, c.data(), 4), nn::Error);
  CHECK_THROWS_AS(nn::sgemm(false, true, 4, 4, 5, 1, a.data(), 5, b.data(), 4, 0, c.data(), 4), nn::Error);
  CHECK_THROWS_AS(nn::sgemm(false, false, 4, 6, 4, 1, a.data(), 4, b.data(), 6, 0, c.data(), 5), nn::Error);
  CHECK_THROWS_WITH_AS(nn::sgemm(false, false, 4, 4, 4, 1, nullptr, 4, b.data(), 4, 0, c.data(), 4),
                       doctest::Contains("null"), nn::Error);
}

namespace {

// Runs sgemm on a case with `threads` threads and returns C (inputs from a fixed seed).
std::vector<float> run_with_threads(const Case& t, int threads) {
  nn::set_num_threads(threads);
  nn::Rng rng(4242);
  Inputs in = make_inputs(t, rng, false);
  nn::sgemm(t.ta, t.tb, t.m, t.n, t.k, t.alpha, in.a.data(), in.lda, in.b.data(), in.ldb, t.beta, in.c.data(),
            in.ldc);
  return in.c;
}

}  // namespace

TEST_CASE("sgemm is bit-identical for 1, 2, 3 and 4 threads") {
  const int saved = nn::get_num_threads();
  std::vector<Case> cases = {
      {false, false, 32, 200, 3072, 1.0f, 0.0f},     // MLP forward: k cut in two halves
      {true, false, 3072, 200, 32, 1.0f, 1.0f},      // MLP dW: rows split
      {false, true, 32, 3072, 200, 1.0f, 0.0f},      // MLP dx
      {false, false, 32, 150, 200, 0.5f, 0.25f, 1, 2, 3},
      {true, false, 27, 32, 32768, 1.0f, 0.0f},      // conv dW: k split into chunks
      {false, true, 5, 3, 20000, -1.0f, 2.0f, 0, 0, 1},
      {true, true, 257, 129, 1031, 1.25f, 0.5f, 3, 1, 7},
      {false, false, 67, 45, 13, 1.0f, 0.0f},
  };
  if (nn_test::quick()) cases.resize(5);
  for_each_kernel([&] {
    for (const Case& c : cases) {
      const std::vector<float> one = run_with_threads(c, 1);
      for (int threads : {2, 3, 4}) {
        const std::vector<float> many = run_with_threads(c, threads);
        CHECK_MESSAGE(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)) == 0,
                      describe(c) << " differs between 1 and " << threads << " threads");
      }
    }
  });
  nn::set_num_threads(saved);
}

TEST_CASE("sgemm with several threads matches the oracle, k split included") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(2);
  for_each_kernel([] {
    check_case({true, false, 27, 32, 32768, 0.75f, 0.5f, 1, 0, 2}, 90);
    check_case({false, false, 9, 17, 16385, 1.0f, 0.0f}, 91, /*nan_c=*/true);
    // k in two halves (2048 <= k < 8192, small C): the MLP's forward, and the edges of the range.
    check_case({false, false, 32, 200, 3072, 1.0f, 0.0f}, 94);
    check_case({false, false, 33, 199, 2048, 0.5f, 2.0f, 1, 3, 5}, 95);
    check_case({true, false, 31, 67, 8191, 1.0f, 0.0f}, 96, /*nan_c=*/true);
    check_case({false, false, 8, 16, 2047, 1.0f, 1.0f}, 97);
    check_case({false, true, 32, 150, 200, 2.0f, 1.0f}, 92);
    check_case({true, true, 301, 77, 123, -1.0f, 0.0f, 2, 2, 2}, 93, /*nan_c=*/true);
  });
  nn::set_num_threads(saved);
}

#if defined(__unix__)
#include <sys/mman.h>
#include <unistd.h>

namespace {

// `count` floats placed so that the last one ends exactly where an inaccessible page
// begins: any read or write past the end of the matrix crashes the test.
class GuardedFloats {
 public:
  explicit GuardedFloats(size_t count) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    data_bytes_ = (count * sizeof(float) + page - 1) / page * page;
    total_ = data_bytes_ + page;
    void* p = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    base_ = static_cast<char*>(p);
    REQUIRE(mprotect(base_ + data_bytes_, page, PROT_NONE) == 0);
    data_ = reinterpret_cast<float*>(base_ + data_bytes_) - count;
  }
  ~GuardedFloats() { munmap(base_, total_); }
  float* data() { return data_; }

 private:
  char* base_ = nullptr;
  size_t data_bytes_ = 0, total_ = 0;
  float* data_ = nullptr;
};

}  // namespace

TEST_CASE("sgemm never reads or writes past the end of A, B or C") {
  const int saved = nn::get_num_threads();
  for_each_kernel([] {
    for (int threads : {1, 2}) {
      nn::set_num_threads(threads);
      for (int trans = 0; trans < 4; ++trans) {
        const bool ta = trans & 1, tb = trans & 2;
        for (auto [m, n, k] : {std::array<int, 3>{13, 37, 29}, {32, 150, 200}, {7, 3, 1}, {70, 33, 65}}) {
          GuardedFloats a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n), c(static_cast<size_t>(m) * n);
          for (int i = 0; i < m * k; ++i) a.data()[i] = 1.0f;
          for (int i = 0; i < k * n; ++i) b.data()[i] = 2.0f;
          nn::sgemm(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0f, c.data(), n);
          CHECK(c.data()[m * n - 1] == 2.0f * k);
        }
      }
    }
  });
  nn::set_num_threads(saved);
}
#endif
