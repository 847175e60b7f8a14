#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nn.h"

TEST_CASE("all_finite finds a NaN or an infinity anywhere, and nothing else") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float big = std::numeric_limits<float>::max(), tiny = std::numeric_limits<float>::denorm_min();
  const int saved = nn::get_num_threads();
  for (int threads : {1, 2}) {
    nn::set_num_threads(threads);
    // Sizes around SIMD widths and the serial/parallel threshold, every position.
    for (size_t n : {size_t{1}, size_t{7}, size_t{16}, size_t{33}, size_t{1000}, size_t{1} << 20 | 5}) {
      std::vector<float> x(n, 1.0f);
      x[0] = -big;
      x[n / 2] = tiny;
      x[n - 1] = -0.0f;
      CHECK(nn::all_finite(x.data(), n));
      const std::vector<size_t> positions = {0, n / 3, n - 1};
      for (size_t at : positions) {
        for (float bad : {nan, -nan, inf, -inf}) {
          const float keep = x[at];
          x[at] = bad;
          INFO("n ", n, ", position ", at, ", value ", bad, ", threads ", threads);
          CHECK_FALSE(nn::all_finite(x.data(), n));
          x[at] = keep;
        }
      }
    }
  }
  CHECK(nn::all_finite(nullptr, 0));
  nn::set_num_threads(saved);
}
