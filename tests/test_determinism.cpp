// Same seed, same model: training gives bit-identical weights whatever the thread count
// and however often it is repeated. Initialisation, shuffling and Dropout all draw from
// seeded generators, and every parallel reduction (the GEMM's k-split, BatchNormalization's
// sums) combines its pieces in an order fixed by the shape, never by the threads' timing.
#include <doctest/doctest.h>

#include "chapter_models.h"
#include "nn.h"
#include "test_util.h"

using nn::Node;
using nn::Tensor;
namespace L = nn::layers;

namespace {


// The chapter's MLP on 8×8×3 inputs.
nn::Model mlp() {
  Node input = L::Input({8, 8, 3});
  Node x = L::Flatten()(input);
  x = L::Dense(200, "relu")(x);
  x = L::Dense(150, "relu")(x);
  return nn::Model(input, L::Dense(10, "softmax")(x));
}


// Trains a freshly built model with `threads` threads and returns its weights.
template <class Build>
std::vector<Tensor> train(Build build, const nn::Shape& sample, int n, int batch, int epochs, int threads) {
  nn::set_num_threads(threads);
  Tensor x, y;
  chapter::random_data(n, sample, 10, 3, x, y);
  nn::reset_layer_names();
  nn::set_seed(2024);
  nn::Model model = build();
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.001f), {"accuracy"});
  model.fit(x, y, {.batch_size = batch, .epochs = epochs, .verbose = 0});
  return model.get_weights();
}

void check_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b, const std::string& what) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    size_t differ = 0;
    for (size_t j = 0; j < a[i].size(); ++j) differ += a[i][j] != b[i][j];
    INFO(what, ": weight tensor ", i, " has ", differ, " of ", a[i].size(), " numbers different");
    CHECK(differ == 0);
  }
}

// The comparison has teeth only if training changed the weights: every tensor must differ
// from its freshly initialised value (kernels, biases, BatchNormalization's statistics).
template <class Build>
void check_moved(Build build, const std::vector<Tensor>& trained) {
  nn::reset_layer_names();
  nn::set_seed(2024);
  nn::Model fresh = build();
  const auto initial = fresh.get_weights();
  REQUIRE(initial.size() == trained.size());
  for (size_t i = 0; i < initial.size(); ++i) {
    INFO("weight tensor ", i, " did not change in training");
    CHECK_FALSE(std::equal(initial[i].begin(), initial[i].end(), trained[i].begin()));
  }
}

}  // namespace

TEST_CASE("the MLP trains to bit-identical weights with 1 and 2 threads and on every repeat") {
  const int saved = nn::get_num_threads();
  auto run = [](int threads) { return train(mlp, {8, 8, 3}, 96, 16, 2, threads); };
  const auto one = run(1), two = run(2), again = run(2), once_more = run(1);
  check_identical(one, two, "1 vs 2 threads");
  check_identical(two, again, "2 threads, repeated");
  check_identical(one, once_more, "1 thread, repeated");
  check_moved(mlp, one);
  nn::set_num_threads(saved);
}

TEST_CASE("the chapter's CNN trains to bit-identical weights with 1 and 2 threads and on every repeat") {
  const int saved = nn::get_num_threads();
  const int epochs = nn_test::quick() ? 1 : 2;  // sanitizer builds: 2 steps are enough to differ
  // On 16×16×3 inputs with batches of 32 the first convolution's weight gradient sums over
  // 32·16·16 = 8192 positions: in 16 partial sums of two images each, computed by whichever
  // thread takes the task and then added in a fixed order (Conv2D::backward), and the batch
  // statistics and bias gradients in chunks (kernels/parallel.h): the reductions that could depend
  // on the thread count.
  auto cnn = [] { return chapter::cnn({16, 16, 3}); };
  auto run = [&](int threads) { return train(cnn, {16, 16, 3}, 64, 32, epochs, threads); };
  const auto one = run(1), two = run(2), again = run(2);
  check_identical(one, two, "1 vs 2 threads");
  check_identical(two, again, "2 threads, repeated");
  check_moved(cnn, one);
  nn::set_num_threads(saved);
}
