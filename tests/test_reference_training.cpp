// The last step of training in both modes: the optimizers' updates
// (src/reference/optimizers.h), fast path against reference mode on awkward sizes. (The
// losses are plain loops on one thread, their own reference: tests/test_losses.cpp checks
// them against hand-computed values.)
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "gradcheck_core.h"
#include "reference_check.h"
#include "test_util.h"

using namespace nn;

namespace {

// Largest |a - b| over the largest |b|: a relative bound even when the tensor is tiny
// everywhere (Adam's v after a few steps is about 1e-3 · g²).
double relative_to_largest(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

// Everything an optimizer changes: the parameter and each state tensor.
std::vector<Tensor> after_steps(const optimizers::Optimizer& prototype, const Tensor& start,
                                const std::vector<Tensor>& grads, bool reference) {
  refcheck::ReferenceMode mode(reference);
  std::unique_ptr<optimizers::Optimizer> opt = prototype.clone();
  Param p{"theta", start, Tensor(start.shape()), true};
  for (const Tensor& g : grads) {
    p.grad = g;
    opt->step({&p});
  }
  std::vector<Tensor> out = {p.value};
  for (auto& [name, state] : opt->state()) out.push_back(*state);
  return out;
}

}  // namespace

TEST_CASE("reference: Adam and SGD agree with the fast path over three steps") {
  std::vector<size_t> sizes = {1, 7, 17, 33, 1000};
  if (!nn_test::quick()) sizes.push_back(kLayerParallelThreshold + 3);  // the fast path splits it
  const optimizers::Adam adam, adam_big_steps(0.1f, 0.8f, 0.99f, 1e-6f);
  const optimizers::SGD sgd(0.1f), momentum(0.05f, 0.9f);
  const std::pair<const char*, const optimizers::Optimizer*> cases[] = {{"Adam()", &adam},
                                                                        {"Adam(0.1, 0.8, 0.99, 1e-6)", &adam_big_steps},
                                                                        {"SGD(0.1)", &sgd},
                                                                        {"SGD(0.05, 0.9)", &momentum}};
  for (size_t n : sizes) {
    Rng rng(n);
    const Tensor start = gradcheck::random_tensor({static_cast<int>(n)}, rng);
    std::vector<Tensor> grads;
    for (int step = 0; step < 3; ++step) grads.push_back(gradcheck::random_tensor({static_cast<int>(n)}, rng));
    for (auto [name, opt] : cases) {
      const std::vector<Tensor> fast = after_steps(*opt, start, grads, false);
      const std::vector<Tensor> plain = after_steps(*opt, start, grads, true);
      REQUIRE(fast.size() == plain.size());
      CHECK(relative_to_largest(plain[0], start) > 1e-4);  // the steps moved θ at all
      for (size_t i = 0; i < fast.size(); ++i) {
        INFO(name, " on ", n, " numbers, ", i == 0 ? "θ" : "state tensor " + std::to_string(i));
        CHECK(relative_to_largest(fast[i], plain[i]) <= 1e-6);
      }
    }
  }
}
