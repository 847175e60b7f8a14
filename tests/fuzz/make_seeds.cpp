// Writes a few valid files in the official formats as the fuzzers' starting inputs
// (libFuzzer mutates them; starting from valid files reaches the deep checks quickly).
//   make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR NPZ_CORPUS_DIR
#include <cstdio>

#include "data_fixtures.h"
#include "model/npy.h"
#include "model/npz.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_seeds IDX_CORPUS_DIR CIFAR_CORPUS_DIR NPZ_CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path idx = argv[1], cifar = argv[2], npz = argv[3];
  std::filesystem::create_directories(idx);
  std::filesystem::create_directories(cifar);
  std::filesystem::create_directories(npz);
  nn_test::write_file(idx / "seed_images_1", nn_test::idx_images(1));
  nn_test::write_file(idx / "seed_images_3", nn_test::idx_images(3));
  nn_test::write_file(idx / "seed_labels_5", nn_test::idx_labels(5));
  nn_test::write_file(idx / "seed_labels_100", nn_test::idx_labels(100));
  nn_test::write_file(cifar / "seed_batch_1", nn_test::cifar_batch(1));
  nn_test::write_file(cifar / "seed_batch_2", nn_test::cifar_batch(2, 7));
  // A small weights file (a Dense layer's kernel and bias, a scalar, an empty array), one
  // with the checkpoints' 64-bit types, and bare .npy arrays: the fuzzer starts from the
  // structures it has to break.
  nn::Tensor kernel({3, 2}, {1.5f, -2, 0.25f, 3, -0.5f, 8}), bias({2}, {0.1f, -0.1f}), scalar({}, {7}), empty({0, 4});
  nn_test::write_file(npz / "seed_weights.npz",
                      nn::encode_npz({{"dense/kernel", kernel}, {"dense/bias", bias}, {"s", scalar}, {"e", empty}}));
  nn_test::write_file(npz / "seed_one_entry.npz", nn::encode_npz({{"w", bias}}));
  const nn::NpyArray counts({2, 2}, std::vector<int64_t>{-1, 0, 7, 1234567890123}),
      state(std::vector<uint64_t>{0, 0xFFFFFFFFFFFFFFFFull}), sums(std::vector<double>{0.5, -1e300});
  nn_test::write_file(npz / "seed_checkpoint_types.npz",
                      nn::encode_npz({{"counts", counts}, {"state", state}, {"sums", sums}, {"w", bias}}));
  nn_test::write_file(npz / "seed_array.npy", nn::encode_npy(kernel));
  nn_test::write_file(npz / "seed_int64_array.npy", nn::encode_npy(counts));
  return 0;
}
