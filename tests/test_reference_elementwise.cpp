// The element-wise kernels and activation functions against their plain references
// (src/reference/activations.h, src/reference/elementwise.h), on awkward sizes: 1, odd,
// around SIMD widths (17, 33), and past kLayerParallelThreshold, where the fast path splits the
// work over the thread pool (dropped under NN_TEST_QUICK=1).
#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "gradcheck_core.h"
#include "reference_check.h"
#include "test_util.h"

using namespace nn;

namespace {

std::vector<size_t> awkward_sizes() {
  std::vector<size_t> sizes = {1, 7, 17, 33, 1000};
  if (!nn_test::quick()) sizes.push_back(kLayerParallelThreshold + 17);
  return sizes;
}

// Random numbers in (-4, 4), every 7th exactly 0 (the kink of relu and leaky_relu).
Tensor awkward_input(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t = gradcheck::random_tensor(shape, rng, 4.0f);
  for (size_t i = 0; i < t.size(); i += 7) t[i] = 0.0f;
  return t;
}

const ActivationKind kEveryActivation[] = {ActivationKind::linear,  ActivationKind::relu,
                                           ActivationKind::sigmoid, ActivationKind::tanh,
                                           ActivationKind::softmax, ActivationKind::leaky_relu};

// Forward and backward of one activation on a (rows, cols) block, fast and plain.
void compare_activation(ActivationKind kind, size_t rows, size_t cols) {
  const int r = static_cast<int>(rows), c = static_cast<int>(cols);
  const Tensor z = awkward_input({r, c}, rows * 31 + cols);
  const Tensor dy = awkward_input({r, c}, rows * 37 + cols);
  Tensor y_fast({r, c}), y_ref({r, c}), dz_fast({r, c}), dz_ref({r, c});
  {
    refcheck::ReferenceMode mode(true);
    activation_forward(kind, z.data(), y_ref.data(), rows, cols);
    activation_backward(kind, y_ref.data(), dy.data(), dz_ref.data(), rows, cols);
  }
  {
    refcheck::ReferenceMode mode(false);
    y_fast = z;  // in place, as Dense and Conv2D run it
    activation_forward(kind, y_fast.data(), y_fast.data(), rows, cols);
    activation_backward(kind, y_ref.data(), dy.data(), dz_fast.data(), rows, cols);
  }
  INFO(activation_name(kind), " on (", rows, ", ", cols, ")");
  CHECK(refcheck::relative_difference(y_fast, y_ref) <= refcheck::kTolerance);
  CHECK(refcheck::relative_difference(dz_fast, dz_ref) <= refcheck::kTolerance);
}

}  // namespace

TEST_CASE("reference: every activation function agrees with the fast path, element-wise sizes") {
  for (ActivationKind kind : kEveryActivation)
    for (size_t n : awkward_sizes()) compare_activation(kind, n, 1);
}

TEST_CASE("reference: every activation function agrees with the fast path, row shapes (softmax's rows)") {
  std::vector<std::pair<size_t, size_t>> shapes = {{1, 1}, {1, 17}, {3, 33}, {33, 10}, {7, 1000}};
  if (!nn_test::quick()) shapes.push_back({kLayerParallelThreshold / 10 + 3, 10});
  for (ActivationKind kind : kEveryActivation)
    for (auto [rows, cols] : shapes) compare_activation(kind, rows, cols);
}

TEST_CASE("reference: add_row_vector agrees with the fast path to the bit") {
  // One float add per number on either path, so the results must be identical.
  std::vector<std::pair<int, int>> shapes = {{1, 1}, {1, 17}, {33, 1}, {17, 33}, {1000, 7}};
  if (!nn_test::quick()) shapes.push_back({4097, 257});  // past kLayerParallelThreshold
  for (auto [rows, cols] : shapes) {
    Rng rng(rows + cols);
    const Tensor y0 = awkward_input({rows, cols}, rows + cols), bias = gradcheck::random_tensor({cols}, rng);
    Tensor fast = y0, plain = y0;
    {
      refcheck::ReferenceMode mode(false);
      add_row_vector(fast.data(), bias.data(), rows, cols);
    }
    {
      refcheck::ReferenceMode mode(true);
      add_row_vector(plain.data(), bias.data(), rows, cols);
    }
    INFO("(", rows, ", ", cols, ")");
    CHECK(refcheck::relative_difference(fast, plain) == 0.0);
    CHECK(refcheck::relative_difference(plain, y0) > 0.0);  // the bias was added at all
  }
}

TEST_CASE("reference: all_finite gives the fast path's answer, for NaN and ±inf anywhere") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  auto both = [](const std::vector<float>& x) {
    bool fast, plain;
    {
      refcheck::ReferenceMode mode(false);
      fast = all_finite(x.data(), x.size());
    }
    {
      refcheck::ReferenceMode mode(true);
      plain = all_finite(x.data(), x.size());
    }
    CHECK(fast == plain);
    return plain;
  };
  for (size_t n : awkward_sizes()) {
    std::vector<float> x(n, 1.0f);
    x[0] = -std::numeric_limits<float>::max();
    x[n - 1] = std::numeric_limits<float>::denorm_min();
    CHECK(both(x));
    for (size_t at : {size_t{0}, n / 3, n - 1})
      for (float bad : {nan, inf, -inf}) {
        INFO("n ", n, ", position ", at, ", value ", bad);
        const float keep = x[at];
        x[at] = bad;
        CHECK_FALSE(both(x));
        x[at] = keep;
      }
  }
}
