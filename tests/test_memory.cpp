// Training memory stays flat: after the first epoch has sized every buffer (layer outputs
// and gradients for the largest batch, the optimizer's state, the GEMM's packing space),
// later epochs allocate only short-lived things (the shuffled order, a checkpoint's bytes)
// and give them back. A leak of even one batch-sized tensor per epoch shows up here.
// (Leaks at exit are the job of `make asan`'s leak checker.)
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "nn.h"
#include "spawn_self.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// Under a sanitizer, malloc is the sanitizer's: ask it. (Declared here because g++ does
// not ship <sanitizer/allocator_interface.h>; the function is in libasan and libtsan.)
extern "C" size_t __sanitizer_get_current_allocated_bytes();
size_t heap_in_use() { return __sanitizer_get_current_allocated_bytes(); }
constexpr bool kExactCounter = true;
#else
#include <malloc.h>
// glibc's count of bytes handed out and not yet freed: small blocks plus mmap'ed big ones.
// It also counts the freed blocks each thread keeps in its cache ("tcache") for quick
// reuse, which fill up over the first epochs and look like growth; so the measurement runs
// in a child process started with that cache switched off (glibc reads its tunables only
// at start-up).
size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}
constexpr bool kExactCounter = false;
#endif
const char* const kNoThreadCache = "GLIBC_TUNABLES=glibc.malloc.tcache_count=0";

using nn::Node;
using nn::Tensor;
namespace L = nn::layers;

TEST_CASE("heap in use after each epoch stays flat from epoch 1 to epoch 6 (MLP + Dropout, validation, checkpoints)") {
  if (!kExactCounter) {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (!tunables || std::string(tunables).find("tcache_count=0") == std::string::npos) {
      const std::string log = (std::filesystem::temp_directory_path() /
                               ("nnscratch_memory_" + std::to_string(::getpid()) + ".log")).string();
      const pid_t child = nn_test::spawn_self("heap in use after each epoch*", {kNoThreadCache}, log);
      REQUIRE(child > 0);
      const int status = nn_test::wait_child(child);
      const auto bytes = nn::read_file(log);
      const std::string output(bytes.begin(), bytes.end());
      INFO("the measuring child's output:\n", output);
      CHECK(status == 0);
      CHECK(output.find("test cases: 1 | 1 passed") != std::string::npos);  // it did run the measurement
      std::filesystem::remove(log);
      return;
    }
  }
  // One thread: each worker of the pool sizes its own packing buffers the first time it
  // happens to pick up work, which with 2 threads may be in any epoch (a bounded, one-off
  // allocation, but not "after epoch 1"). With one thread the measurement is exact.
  const int saved_threads = nn::get_num_threads();
  nn::set_num_threads(1);
  Tensor x({240, 8, 8, 3}), ids({240});
  nn::Rng rng(5);
  for (float& v : x) v = rng.uniform();
  for (float& v : ids) v = static_cast<float>(rng.below(10));
  const Tensor y = nn::data::to_categorical(ids, 10);

  nn::reset_layer_names();
  nn::set_seed(6);
  Node input = L::Input({8, 8, 3});
  Node h = L::Flatten()(input);
  h = L::Dense(200, "relu")(h);
  h = L::Dropout(0.2f)(h);
  h = L::Dense(150, "relu")(h);
  nn::Model model(input, L::Dense(10, "softmax")(h));
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.001f), {"accuracy"});

  struct HeapRecorder : nn::Callback {
    std::vector<size_t> after_epoch;
    void on_epoch_end(int, const nn::Logs&, nn::Model&) override { after_epoch.push_back(heap_in_use()); }
  };
  auto recorder = std::make_shared<HeapRecorder>();
  const std::string ckpt = (std::filesystem::temp_directory_path() / "nnscratch_memory_ckpt.npz").string();
  // The recorder runs after the checkpoint, so each reading includes a save's aftermath.
  auto checkpoint = std::make_shared<nn::ModelCheckpoint>(ckpt);
  model.fit(x, y, {.batch_size = 20, .epochs = 6, .validation_split = 0.25f, .verbose = 0,
                   .callbacks = {checkpoint, recorder}});
  std::filesystem::remove(ckpt);
  nn::set_num_threads(saved_threads);
  REQUIRE(recorder->after_epoch.size() == 6);
  const auto& heap = recorder->after_epoch;
  std::string readings;
  for (size_t e = 0; e < heap.size(); ++e) {
    readings += ' ';
    readings += std::to_string(heap[e]);
  }
  INFO("heap in use after each epoch (bytes):", readings);
  REQUIRE(heap[0] > 0);  // the counter works in this build
  // One leaked batch of inputs would be 20 · 192 · 4 = 15,360 bytes per epoch; the history
  // growing by a few floats per epoch is a few dozen bytes.
  for (size_t e = 1; e < heap.size(); ++e) {
    const long growth = static_cast<long>(heap[e]) - static_cast<long>(heap[0]);
    INFO("epoch ", e + 1, ": ", growth, " bytes more than after epoch 1");
    CHECK(growth < 1024);
  }
}
