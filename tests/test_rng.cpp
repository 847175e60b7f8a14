#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn.h"

TEST_CASE("same seed gives the same stream, different seeds differ") {
  nn::Rng a(7), b(7), c(8);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next_u64();
    CHECK(x == b.next_u64());
    differ += x != c.next_u64();
  }
  CHECK(differ == 100);
}

TEST_CASE("set_seed makes the global generator reproducible") {
  nn::set_seed(123);
  float first = nn::global_rng().uniform();
  nn::set_seed(123);
  CHECK(nn::global_rng().uniform() == first);
}

TEST_CASE("uniform has the moments of U[0,1)") {
  nn::Rng r(1);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  float lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    float u = r.uniform();
    sum += u;
    sum2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  // Standard error of the mean is sqrt(1/12 / n) ≈ 0.00065; 5 of them is a safe bound.
  CHECK(std::abs(mean - 0.5) < 0.0035);
  CHECK(std::abs(var - 1.0 / 12) < 0.002);
  CHECK(lo >= 0.0f);
  CHECK(hi < 1.0f);
  float v = r.uniform(-3.0f, -1.0f);
  CHECK(v >= -3.0f);
  CHECK(v < -1.0f);
}

TEST_CASE("normal has mean, stddev and tails of N(mu, sigma)") {
  nn::Rng r(2);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.normal(1.0f, 2.0f);
    sum += x;
    sum2 += x * x;
    beyond2 += std::abs(x - 1.0) > 4.0;  // beyond 2 sigma: 4.55% expected
  }
  double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  CHECK(std::abs(mean - 1.0) < 0.03);
  CHECK(std::abs(sd - 2.0) < 0.03);
  CHECK(std::abs(beyond2 / double(n) - 0.0455) < 0.004);
}

TEST_CASE("permutation contains every index once and depends on the seed") {
  nn::Rng r(3);
  auto p = r.permutation(1000);
  auto sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
  CHECK(p != sorted);
  nn::Rng r2(3);
  CHECK(r2.permutation(1000) == p);
  CHECK(r.permutation(0).empty());
}

TEST_CASE("below is unbiased over a small range") {
  nn::Rng r(4);
  std::vector<int> counts(3);
  for (int i = 0; i < 30000; ++i) counts[r.below(3)]++;
  for (int c : counts) CHECK(std::abs(c - 10000) < 400);
}
