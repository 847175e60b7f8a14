// Writes a few valid files in the official formats as the fuzzers' starting inputs
// (libFuzzer mutates them; starting from valid files reaches the deep checks quickly).
//   make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR
#include <cstdio>

#include "data_fixtures.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path idx = argv[1], cifar = argv[2];
  std::filesystem::create_directories(idx);
  std::filesystem::create_directories(cifar);
  nn_test::write_file(idx / "seed_images_1", nn_test::idx_images(1));
  nn_test::write_file(idx / "seed_images_3", nn_test::idx_images(3));
  nn_test::write_file(idx / "seed_labels_5", nn_test::idx_labels(5));
  nn_test::write_file(idx / "seed_labels_100", nn_test::idx_labels(100));
  nn_test::write_file(cifar / "seed_batch_1", nn_test::cifar_batch(1));
  nn_test::write_file(cifar / "seed_batch_2", nn_test::cifar_batch(2, 7));
  return 0;
}
