// The plain path (src/reference/) against the fast path, layer by layer, on awkward
// shapes. See tests/reference_check.h for what is compared and how closely.
#include <doctest/doctest.h>

#include "reference_check.h"

using namespace nn;

namespace {

void expect_same(Layer& layer, const Tensor& x, bool training = true) {
  const refcheck::Comparison c = refcheck::compare_paths(layer, x, 7, training);
  CHECK_MESSAGE(c.worst <= refcheck::kTolerance, layer.type(), " ", shape_str(x.shape()),
                ": fast and reference differ by ", c.worst, " (relative) in ", c.where);
}

Tensor random_input(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& v : t) v = rng.uniform(-2.0f, 2.0f);
  return t;
}

}  // namespace

TEST_CASE("reference mode: switched by set_reference_mode") {
  refcheck::ReferenceMode on(true);
  CHECK(reference_mode());
  set_reference_mode(false);
  CHECK_FALSE(reference_mode());
}

TEST_CASE("reference: Dense agrees with the fast path on awkward shapes, every activation") {
  set_seed(3);
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"})
    for (auto [n, d, k] : {std::tuple{1, 1, 1}, {3, 17, 5}, {33, 70, 13}, {32, 200, 150}}) {
      layers::Dense dense(k, act);
      dense.build_for({d});
      expect_same(dense, random_input({n, d}, n * 100 + d));
    }
}
