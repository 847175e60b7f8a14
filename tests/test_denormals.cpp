// Flushing denormals (kernels/denormals.h): subnormal results become 0 while the switch is
// on, on the calling thread and on every worker of the pool alike, and stay subnormal when
// it is off.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "nn.h"

namespace {

// a · b for every chunk of a parallel_for, so each product is computed by whichever thread
// ran the chunk: 1e-30 · 1e-10 = 1e-40, below the smallest normal float (1.18e-38).
std::vector<float> tiny_products(size_t chunks) {
  std::vector<float> out(chunks);
  volatile float a = 1e-30f;
  nn::parallel_for(chunks, 1, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = a * 1e-10f;
  });
  return out;
}

struct FlushSwitch {
  bool before = nn::flush_denormals();
  explicit FlushSwitch(bool on) { nn::set_flush_denormals(on); }
  ~FlushSwitch() { nn::set_flush_denormals(before); }
};

}  // namespace

#if defined(__x86_64__) || defined(__i386__)
TEST_CASE("denormals: flushed to zero on every thread inside a scope when on, kept when off") {
  const int saved = nn::get_num_threads();
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    nn::set_num_threads(threads);
    {
      FlushSwitch on(true);
      nn::FlushDenormalsScope scope;
      for (float v : tiny_products(64)) CHECK(v == 0.0f);
    }
    for (float v : tiny_products(64)) {  // outside the scope: IEEE subnormals, on every thread
      CHECK(v > 0.0f);
      CHECK(std::fpclassify(v) == FP_SUBNORMAL);
    }
    {
      FlushSwitch off(false);
      nn::FlushDenormalsScope scope;
      for (float v : tiny_products(64)) CHECK(std::fpclassify(v) == FP_SUBNORMAL);
    }
  }
  nn::set_num_threads(saved);
}

TEST_CASE("denormals: training flushes Adam's decaying state to zero, and the scope is undone after fit") {
  namespace L = nn::layers;
  auto train = [](bool flush) {
    FlushSwitch mode(flush);
    nn::set_seed(3);
    nn::Node input = L::Input({2});
    nn::Model model(input, L::Dense(1)(input));
    model.compile("mse", nn::optimizers::Adam(0.01f));
    // One real step, then many with zero error: the gradient is 0 and m decays by 0.9 a step.
    nn::Tensor x({1, 2}, {1, 1}), y({1, 1}, {1});
    model.train_on_batch(x, y);
    nn::Tensor zero_x({1, 2});
    nn::Tensor zero_y({1, 1}, {model.predict(zero_x)[0]});
    for (int i = 0; i < 900; ++i) model.train_on_batch(zero_x, zero_y);
    size_t subnormal = 0, zero = 0;
    for (auto [name, state] : model.optimizer().state())
      for (float v : *state) subnormal += std::fpclassify(v) == FP_SUBNORMAL, zero += v == 0.0f;
    return std::pair{subnormal, zero};
  };
  const auto [subnormal_off, zero_off] = train(false);
  const auto [subnormal_on, zero_on] = train(true);
  CHECK(subnormal_off > 0);  // without flushing, m crawls through the subnormal range
  CHECK(subnormal_on == 0);   // with it, m stops at 0 or just above the smallest normal float
  (void)zero_on, (void)zero_off;  // (which of the two depends on how the update is compiled)
  CHECK(nn::denormal_mode() == 0u);  // the calling thread's mode is back to IEEE
}
#endif
