// add_column_sums (kernels/column_sums.h) against its contract written as a plain loop:
// each column summed from zero in row order, in float, then added to sums. Equal bit for
// bit, on widths around the 16-column register block, strided rows, and blocks large
// enough to be split over threads (1 and 2 threads identical).
#include <doctest/doctest.h>

#include <vector>

#include "kernels/column_sums.h"
#include "nn.h"
#include "test_util.h"

namespace {

using nn_test::random_floats;

std::vector<float> plain_column_sums(const std::vector<float>& x, size_t rows, size_t cols, size_t stride,
                                     std::vector<float> sums) {
  for (size_t j = 0; j < cols; ++j) {
    float sum = 0;
    for (size_t r = 0; r < rows; ++r) sum += x[r * stride + j];
    sums[j] += sum;
  }
  return sums;
}

}  // namespace

TEST_CASE("add_column_sums: each column in row order, added to what is there, on awkward sizes") {
  for (size_t rows : {0, 1, 2, 5, 17, 64})
    for (size_t cols : {1, 2, 15, 16, 17, 31, 32, 33, 100})
      for (size_t extra : {0, 3}) {  // stride = cols: a whole matrix; more: a block of columns of one
        const size_t stride = cols + extra;
        INFO("rows ", rows, ", cols ", cols, ", stride ", stride);
        const std::vector<float> x = random_floats(rows * stride, rows * 1000 + cols);
        const std::vector<float> start = random_floats(cols, 7);
        std::vector<float> got = start;
        nn::add_column_sums(x.data(), rows, cols, stride, got.data());
        CHECK(got == plain_column_sums(x, rows, cols, stride, start));
      }
}

TEST_CASE("add_column_sums split over threads gives the same bits as the plain loop on 1 and 2 threads") {
  const int saved = nn::get_num_threads();
  // Both at least kLayerParallelThreshold numbers: many columns and few rows (a conv's dW
  // partials), and few columns and many rows (a large batch's db).
  for (auto [rows, cols, stride] : {std::tuple<size_t, size_t, size_t>{37, 30001, 30011}, {3001, 350, 350}}) {
    INFO("rows ", rows, ", cols ", cols);
    REQUIRE(rows * cols >= nn::kLayerParallelThreshold);
    const std::vector<float> x = random_floats(rows * stride, 8), start = random_floats(cols, 9);
    const std::vector<float> want = plain_column_sums(x, rows, cols, stride, start);
    for (int threads : {1, 2}) {
      nn::set_num_threads(threads);
      std::vector<float> got = start;
      nn::add_column_sums(x.data(), rows, cols, stride, got.data());
      CAPTURE(threads);
      CHECK(got == want);
    }
  }
  nn::set_num_threads(saved);
}
