// A program outside the nnscratch tree, built against an *installed* copy of the library.
// tests/install/run.sh copies it to a temporary folder and builds it twice: with
// `pkg-config --cflags --libs nnscratch` and with CMake's find_package(nnscratch). It
// includes <nn.h> the way any program of yours would, trains a tiny network to learn
// y = 2·a − b + 0.5 from 256 random points, and checks that it learnt it: the exit status
// says whether the installed headers and libnn.a really work together. It also saves the
// model whole and loads it back: libnn.a reads config.json with a JSON library of its own,
// which must need nothing more on the link line.
#include <nn.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

int main() {
  nn::set_seed(7);        // fixed seed: the same numbers on every run
  nn::set_num_threads(2);  // two threads: the thread pool (std::thread) must link and run

  // Synthetic data: points (a, b) in [-1, 1]², target 2a − b + 0.5.
  const int n = 256;
  nn::Rng rng(7);
  std::vector<float> xs, ys;
  for (int i = 0; i < n; ++i) {
    float a = rng.uniform(-1.f, 1.f), b = rng.uniform(-1.f, 1.f);
    xs.insert(xs.end(), {a, b});
    ys.push_back(2 * a - b + 0.5f);
  }
  nn::Tensor x({n, 2}, xs), y({n, 1}, ys);

  nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(16, "relu"), nn::layers::Dense(1)});
  model.compile(nn::losses::MeanSquaredError(), nn::optimizers::Adam(0.01), {});
  float before = model.evaluate(x, y, 32, 0)[0];
  model.fit(x, y, {.batch_size = 32, .epochs = 60, .verbose = 0});
  float after = model.evaluate(x, y, 32, 0)[0];

  nn::Tensor probe({1, 2}, {0.5f, -0.5f});  // expect 2·0.5 + 0.5 + 0.5 = 2
  float guess = model.predict(probe).data()[0];
  std::printf("consumer: mse %.4f -> %.4f, predict(0.5, -0.5) = %.3f (want 2)\n", before, after, guess);

  bool ok = after < 0.02f && after < before / 10 && std::fabs(guess - 2.f) < 0.2f;
  if (!ok) {
    std::printf("consumer: FAILED: the network did not learn the line\n");
    return 1;
  }

  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("nnscratch_consumer_" + std::to_string(::getpid()) + ".nnz");
  model.save(file.string());
  const float loaded = nn::load_model(file.string())->predict(probe).data()[0];
  std::filesystem::remove(file);
  ok = loaded == guess;
  std::printf("consumer: %s\n", ok ? "ok" : "FAILED: the model loaded back from its file predicts differently");
  return ok ? 0 : 1;
}
