#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "nn.h"

using nn::Param;
using nn::Tensor;

static Param scalar_param(float value) { return Param{"w", Tensor({1}, {value}), Tensor({1}), true}; }

TEST_CASE("Adam: two steps by hand") {
  // θ = 1, g = 0.5 both steps, lr 0.1, β1 0.9, β2 0.999, ε 1e-7.
  // t=1: m = 0.05, v = 0.00025, α = 0.1·√0.001/0.1 = 0.0316228,
  //      θ -= 0.0316228 · 0.05 / (0.0158114 + 1e-7) = 0.0999994  ->  θ = 0.9000006
  // t=2: m = 0.05 + 0.45·0.1 = 0.095, v = 0.00025 + 0.24975·0.001 = 0.00049975,
  //      α = 0.1·√(1 - 0.998001)/(1 - 0.81) = 0.0235317,
  //      θ -= 0.0235317 · 0.095 / (0.0223551 + 1e-7) = 0.0999996  ->  θ = 0.8000010
  nn::optimizers::Adam adam(0.1f);
  Param p = scalar_param(1.0f);
  p.grad[0] = 0.5f;
  adam.step({&p});
  CHECK(p.value[0] == doctest::Approx(0.9000006).epsilon(1e-6));
  CHECK(p.grad[0] == 0.0f);  // step zeroes the gradient
  p.grad[0] = 0.5f;
  adam.step({&p});
  CHECK(p.value[0] == doctest::Approx(0.8000010).epsilon(1e-6));
  CHECK(adam.iterations() == 2);
}

TEST_CASE("SGD with momentum: two steps by hand") {
  // v1 = 0.9·0 - 0.1·0.5 = -0.05 -> θ = 0.95;  v2 = 0.9·(-0.05) - 0.05 = -0.095 -> θ = 0.855
  nn::optimizers::SGD sgd(0.1f, 0.9f);
  Param p = scalar_param(1.0f);
  p.grad[0] = 0.5f;
  sgd.step({&p});
  CHECK(p.value[0] == doctest::Approx(0.95));
  p.grad[0] = 0.5f;
  sgd.step({&p});
  CHECK(p.value[0] == doctest::Approx(0.855));
  nn::optimizers::SGD plain(0.1f);
  Param q = scalar_param(1.0f);
  q.grad[0] = 0.5f;
  plain.step({&q});
  CHECK(q.value[0] == doctest::Approx(0.95));
}

TEST_CASE("non-trainable parameters are left alone but their grads are cleared") {
  nn::optimizers::Adam adam(0.1f);
  Param frozen = scalar_param(2.0f);
  frozen.trainable = false;
  frozen.grad[0] = 1.0f;
  adam.step({&frozen});
  CHECK(frozen.value[0] == 2.0f);
  CHECK(frozen.grad[0] == 0.0f);
}

TEST_CASE("both optimizers converge on a convex problem: minimise Σ (θ_i - c_i)²") {
  const int n = 37;  // not a multiple of the SIMD width
  for (int which = 0; which < 2; ++which) {
    std::unique_ptr<nn::optimizers::Optimizer> opt;
    if (which == 0)
      opt = std::make_unique<nn::optimizers::Adam>(0.05f);
    else
      opt = std::make_unique<nn::optimizers::SGD>(0.05f, 0.9f);
    Param p{"theta", Tensor({n}), Tensor({n}), true};
    for (int step = 0; step < 2000; ++step) {
      for (int i = 0; i < n; ++i) p.grad[i] = 2 * (p.value[i] - static_cast<float>(i % 5));
      opt->step({&p});
    }
    for (int i = 0; i < n; ++i) CHECK(p.value[i] == doctest::Approx(i % 5).epsilon(1e-3));
  }
}

TEST_CASE("optimizers reject nonsense hyper-parameters") {
  CHECK_THROWS_AS(nn::optimizers::Adam(-1.0f), nn::ValueError);
  CHECK_THROWS_AS(nn::optimizers::Adam(0.001f, 1.0f), nn::ValueError);
  CHECK_THROWS_AS(nn::optimizers::SGD(0.01f, 1.5f), nn::ValueError);
  CHECK_THROWS_AS(nn::optimizers::SGD(std::nanf("")), nn::ValueError);
}

TEST_CASE("a step leaves every gradient at zero, whichever way the update ran (fused zeroing, plain, student)") {
  const int saved = nn::get_num_threads();
  // 70,001 numbers: past kLayerParallelThreshold, where the fast path gives each thread a part.
  for (bool reference : {false, true})
    for (int threads : {1, 2}) {
      CAPTURE(reference);
      CAPTURE(threads);
      nn::set_reference_mode(reference);
      nn::set_num_threads(threads);
      for (int n : {1, 17, 5000, 70001}) {
        CAPTURE(n);
        nn::Param w{"kernel", nn::Tensor({n}), nn::Tensor({n}), true}, stat{"moving_mean", nn::Tensor({n}), nn::Tensor({n}), false};
        for (int i = 0; i < n; ++i) w.value[i] = 0.5f, w.grad[i] = 0.1f * (i % 7) - 0.3f, stat.grad[i] = 1.0f;
        nn::optimizers::Adam adam(0.01f);
        nn::optimizers::SGD sgd(0.1f), momentum(0.1f, 0.9f);
        for (nn::optimizers::Optimizer* opt : {static_cast<nn::optimizers::Optimizer*>(&adam),
                                               static_cast<nn::optimizers::Optimizer*>(&sgd),
                                               static_cast<nn::optimizers::Optimizer*>(&momentum)}) {
          const nn::Tensor before = w.value, grad = w.grad;
          opt->step({&w, &stat});
          for (int i = 0; i < n; ++i) {
            REQUIRE(w.grad[i] == 0.0f);
            REQUIRE(stat.grad[i] == 0.0f);
            if (grad[i] != 0.0f) REQUIRE(w.value[i] != before[i]);  // and the update did happen
          }
          for (int i = 0; i < n; ++i) w.grad[i] = grad[i], stat.grad[i] = 1.0f;
        }
      }
    }
  nn::set_reference_mode(false);
  nn::set_num_threads(saved);
}

TEST_CASE("optimizer steps split over threads give the same bits as on one thread") {
  const int saved = nn::get_num_threads();
  const int n = 3 * 65536 + 5;  // two parts on 2 threads (the first ending on a cache line), one on 1
  nn::Tensor results[2][3];
  for (int threads : {1, 2}) {
    nn::set_num_threads(threads);
    nn::optimizers::Adam adam(0.01f);
    nn::optimizers::SGD sgd(0.1f), momentum(0.1f, 0.9f);
    nn::optimizers::Optimizer* opts[] = {&adam, &sgd, &momentum};
    for (int o = 0; o < 3; ++o) {
      nn::Param w{"kernel", nn::Tensor({n}), nn::Tensor({n}), true};
      for (int step = 0; step < 3; ++step) {
        for (int i = 0; i < n; ++i) w.grad[i] = std::sin(0.001f * i * (step + 1)) * (i % 3 ? 1.0f : 1e-3f);
        opts[o]->step({&w});
      }
      results[threads - 1][o] = w.value;
    }
  }
  for (int o = 0; o < 3; ++o) {
    CAPTURE(o);
    CHECK(std::equal(results[0][o].begin(), results[0][o].end(), results[1][o].begin()));
  }
  nn::set_num_threads(saved);
}
