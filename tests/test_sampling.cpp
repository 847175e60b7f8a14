// Sampling (layers/sampling.h), the VAE's z = μ + exp(½·log σ²)·ε with its KL term:
// hand-computed forward and KL, ε from the layer's seeded generator, finite-difference
// gradients of the output and of the KL term for μ and log σ², the contract checks that
// apply to a layer with two inputs (dx overwritten, reference mode bit for bit, clone
// independence, threads, rebuilt from config), errors, and its summary row.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck_core.h"
#include "nn.h"
#include "test_util.h"

using namespace nn;
namespace L = nn::layers;

namespace {

Tensor random_input(const Shape& shape, uint64_t seed, float scale = 1.5f) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& v : t) v = rng.uniform(-scale, scale);
  return t;
}

using nn_test::same_bits;

// One forward (with the generator put back to `state` first, so ε is the same every time)
// and, for dz = r, the backward; returns L = Σ r·z + KL and fills dmu, dlv.
double run(L::Sampling& s, const RngState& state, const Tensor& mu, const Tensor& lv, const Tensor& r, Tensor* dmu = nullptr,
           Tensor* dlv = nullptr) {
  s.random_generator()->set_state(state);
  Tensor z;
  s.forward_inputs({&mu, &lv}, z, true);
  if (dmu) s.backward_inputs(r, {dmu, dlv});
  return gradcheck::projected(z, r) + s.added_loss();
}

// dL/dμ and dL/dlog σ² against central differences, for L = Σ r·z + KL.
void check_gradients(float kl_weight, float r_scale) {
  INFO("kl_weight ", kl_weight, ", dz scale ", r_scale);
  L::Sampling s({.kl_weight = kl_weight});
  s.build_for_inputs({{3}, {3}});
  s.set_input_gradient_needed(true);
  Tensor mu = random_input({4, 3}, 1), lv = random_input({4, 3}, 2);
  const Tensor r = random_input({4, 3}, 3, r_scale);
  const RngState state = s.random_generator()->state();
  Tensor dmu, dlv;
  run(s, state, mu, lv, r, &dmu, &dlv);
  size_t checked = 0;
  for (Tensor* x : {&mu, &lv}) {
    const Tensor& analytic = x == &mu ? dmu : dlv;
    for (size_t i = 0; i < x->size(); ++i) {
      const float saved = (*x)[i];
      (*x)[i] = saved + static_cast<float>(gradcheck::kStep);
      const double up = run(s, state, mu, lv, r);
      (*x)[i] = saved - static_cast<float>(gradcheck::kStep);
      const double down = run(s, state, mu, lv, r);
      (*x)[i] = saved;
      const double numeric = (up - down) / (2 * gradcheck::kStep);
      CHECK_MESSAGE(gradcheck::close(analytic[i], numeric), (x == &mu ? "dmu[" : "dlog_var["), i, "]: analytic ",
                    analytic[i], " numeric ", numeric);
      ++checked;
    }
  }
  CHECK(checked == 24);
}

}  // namespace

TEST_CASE("Sampling by hand: z = mu + exp(log_var / 2) * eps, and the KL term") {
  reset_layer_names();
  set_seed(7);
  L::Sampling s({.kl_weight = 2.0f});
  CHECK(s.build_for_inputs({{2}, {2}}) == Shape{2});
  CHECK(s.name() == "sampling");
  CHECK(s.added_loss_name() == "kl_loss");
  const float ln2 = std::log(2.0f);
  // sample 0: mu (1, 0), log_var (0, 2 ln 2): sigma (1, 2); sample 1: mu 0, log_var 0: sigma 1
  Tensor mu({2, 2}, {1, 0, 0, 0}), lv({2, 2}, {0, 2 * ln2, 0, 0});
  Rng expected = *s.random_generator();  // ε comes from the layer's generator, in element order
  Tensor z;
  s.forward_inputs({&mu, &lv}, z, false);  // inference samples too, as the book's layer does
  const Tensor eps = s.noise();  // (a copy: the next forward draws into noise())
  REQUIRE(eps.shape() == Shape{2, 2});
  for (size_t i = 0; i < 4; ++i) CHECK(eps[i] == expected.normal());
  CHECK(z[0] == doctest::Approx(1 + eps[0]));
  CHECK(z[1] == doctest::Approx(2 * eps[1]));
  CHECK(z[2] == doctest::Approx(eps[2]));
  CHECK(z[3] == doctest::Approx(eps[3]));
  // KL per dim: -1/2 (1 + log_var - mu^2 - exp(log_var)): sample 0 gives 1/2 + (3/2 - ln 2),
  // sample 1 gives 0; the mean over the batch, times the weight 2: 2 - ln 2.
  CHECK(s.added_loss() == doctest::Approx(2 - std::log(2.0)).epsilon(1e-6));
  // backward: dmu = dz + w mu / N; dlog_var = dz sigma eps / 2 + w (exp(log_var) - 1) / (2N)
  Tensor dz({2, 2}, {1, 1, 0, 0}), dmu, dlv;
  s.backward_inputs(dz, {&dmu, &dlv});
  CHECK(dmu[0] == doctest::Approx(1 + 2 * 1 / 2.0));
  CHECK(dmu[1] == doctest::Approx(1));
  CHECK(dmu[2] == 0);
  CHECK(dlv[0] == doctest::Approx(0.5 * eps[0]));
  CHECK(dlv[1] == doctest::Approx(0.5 * 2 * eps[1] + 2 * (4 - 1) / 4.0));
  CHECK(dlv[2] == 0);
  // A new forward draws a new ε.
  s.forward_inputs({&mu, &lv}, z, true);
  CHECK_FALSE(s.noise()[0] == eps[0]);
}

TEST_CASE("Sampling: the same seed gives the same epsilon, another seed another") {
  auto first_eps = [](uint64_t seed) {
    set_seed(seed);
    L::Sampling s;
    s.build_for_inputs({{3}, {3}});
    Tensor mu({2, 3}), lv({2, 3}), z;
    s.forward_inputs({&mu, &lv}, z, true);
    return z;  // mu = 0, sigma = 1: z is ε itself
  };
  CHECK(same_bits(first_eps(5), first_eps(5)));
  CHECK_FALSE(same_bits(first_eps(5), first_eps(6)));
}

TEST_CASE("Sampling gradients match finite differences: the output, the KL term, and both") {
  check_gradients(0.0f, 1.0f);  // z alone
  check_gradients(1.5f, 0.0f);  // the KL term alone (dz = 0)
  check_gradients(0.7f, 1.0f);  // both, as in training
}

TEST_CASE("Sampling meets the contract of a layer with two inputs") {
  set_seed(9);
  L::Sampling s({.kl_weight = 0.5f, .loss_name = "kl"});
  s.build_for_inputs({{5}, {5}});
  s.set_input_gradient_needed(true);
  const Tensor mu = random_input({3, 5}, 4), lv = random_input({3, 5}, 5), dz = random_input({3, 5}, 6);
  const RngState state = s.random_generator()->state();
  Tensor z, dmu, dlv;
  run(s, state, mu, lv, dz, &dmu, &dlv);
  s.random_generator()->set_state(state);
  s.forward_inputs({&mu, &lv}, z, true);
  // dx overwritten: buffers full of an earlier batch's numbers give the same dx
  Tensor stale_mu({3, 5}, 1000.0f), stale_lv({3, 5}, 1000.0f);
  s.backward_inputs(dz, {&stale_mu, &stale_lv});
  CHECK(same_bits(stale_mu, dmu));
  CHECK(same_bits(stale_lv, dlv));
  // the reference path: the same ε, z, KL and dx bit for bit (also when the mode changes
  // between forward and backward: backward follows its forward)
  set_reference_mode(true);
  Tensor z_ref, dmu_ref, dlv_ref;
  s.random_generator()->set_state(state);
  s.forward_inputs({&mu, &lv}, z_ref, true);
  const float kl_ref = s.added_loss();
  set_reference_mode(false);
  s.backward_inputs(dz, {&dmu_ref, &dlv_ref});
  CHECK(same_bits(z, z_ref));
  CHECK(kl_ref == s.added_loss());
  CHECK(same_bits(dmu, dmu_ref));
  CHECK(same_bits(dlv, dlv_ref));
  // 1 and 2 threads alike (it has no parallel code; the check keeps it so)
  const int saved = get_num_threads();
  set_num_threads(2);
  Tensor z2;
  s.random_generator()->set_state(state);
  s.forward_inputs({&mu, &lv}, z2, true);
  set_num_threads(saved);
  CHECK(same_bits(z, z2));
  // a clone starts from the same generator state, and is independent afterwards
  s.random_generator()->set_state(state);
  auto copy = std::dynamic_pointer_cast<L::Sampling>(s.clone());
  REQUIRE(copy);
  Tensor zc, again;
  copy->forward_inputs({&mu, &lv}, zc, true);
  CHECK(same_bits(zc, z));
  copy->forward_inputs({&mu, &lv}, zc, true);  // the copy moves on; the original has not
  s.forward_inputs({&mu, &lv}, again, true);
  CHECK(same_bits(again, z));
  // rebuilt from its config (as load_model does): the same arguments, the same z
  auto rebuilt = std::dynamic_pointer_cast<L::Sampling>(layer_from_config("Sampling", s.get_config()));
  REQUIRE(rebuilt);
  CHECK(rebuilt->get_config() == s.get_config());
  CHECK(rebuilt->kl_weight() == 0.5f);
  CHECK(rebuilt->added_loss_name() == "kl");
  rebuilt->build_for_inputs(s.input_shapes());
  rebuilt->random_generator()->set_state(state);
  Tensor z_rebuilt;
  rebuilt->forward_inputs({&mu, &lv}, z_rebuilt, true);
  CHECK(same_bits(z_rebuilt, z));
  CHECK(rebuilt->added_loss() == kl_ref);
  // no dx asked for: nothing is written
  s.set_input_gradient_needed(false);
  Tensor untouched;
  s.backward_inputs(dz, {&untouched, &untouched});
  CHECK(untouched.empty());
}

TEST_CASE("Sampling rejects what it cannot sample from, saying why") {
  Node a = L::Input({2}), b = L::Input({3}), img = L::Input({2, 2});
  CHECK_THROWS_WITH_AS(L::Sampling()({a, b}), doctest::Contains("two inputs of one shape (N, D)"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Sampling()({img, img}), doctest::Contains("(N, D)"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Sampling()({a, a, a}), doctest::Contains("two inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Sampling({.kl_weight = -1}), doctest::Contains(">= 0"), ValueError);
  CHECK_THROWS_WITH_AS(L::Sampling({.kl_weight = NAN}), doctest::Contains(">= 0"), ValueError);
  CHECK_THROWS_WITH_AS(L::Sampling({.loss_name = ""}), doctest::Contains("must not be empty"), ValueError);
}

TEST_CASE("Sampling in a model: its summary row, with what it is connected to") {
  reset_layer_names();
  Node in = L::Input({4});
  Node mean = L::Dense(2)(in), log_var = L::Dense(2)(in);
  Node z = L::Sampling()({mean, log_var});
  Model m(in, L::Dense(4)(z), "vae_like");
  const std::string s = m.summary_string();
  CHECK(s.find(" sampling (Sampling)            (None, 2)            0           ['dense[0][0]',") != std::string::npos);
  CHECK(s.find("'dense_1[0][0]']") != std::string::npos);
  CHECK(s.find("Total params: 32") != std::string::npos);  // 10 + 10 + 12
}
