// nn::Rng — a small, seeded, reproducible random number generator (xoshiro256**).
//
// Why write our own instead of std::mt19937 + std::uniform_real_distribution? The standard
// distributions are allowed to differ between library versions, so "same seed, same
// model" would not hold across machines. Every number here comes from code in this file.
//
// xoshiro256** (Blackman & Vigna, 2018): 256 bits of state, four shifts/rotates/xors per
// number, passes BigCrush. The seed is spread over the state with splitmix64, so nearby
// seeds (1, 2, 3) still give unrelated streams.
#pragma once
#include <cstdint>
#include <vector>

namespace nn {

// Everything an Rng remembers: the four xoshiro words, plus the second normal number that
// Box–Muller made and normal() has not handed out yet. Saving it in a checkpoint and
// restoring it later continues the stream exactly where it stopped.
struct RngState {
  uint64_t words[4] = {0, 0, 0, 0};
  bool has_spare_normal = false;
  float spare_normal = 0.0f;
};

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x5eed);
  void seed(uint64_t seed);

  uint64_t next_u64();
  float uniform();                      // [0, 1), 24 random bits
  float uniform(float low, float high);  // [low, high)
  float normal(float mean = 0.0f, float stddev = 1.0f);  // Box–Muller
  uint64_t below(uint64_t n);           // uniform integer in [0, n), unbiased
  std::vector<int> permutation(int n);  // Fisher–Yates shuffle of 0..n-1
  // A new generator whose stream is independent of this one (for a layer, a worker, ...).
  Rng split();

  RngState state() const;
  // Throws nn::ValueError for an all-zero state (xoshiro would then give only zeros).
  void set_state(const RngState& state);

 private:
  uint64_t s_[4];
  bool has_spare_normal_ = false;
  float spare_normal_ = 0.0f;
};

// The library's global generator: weight initialisation, shuffling and dropout draw from it
// (or from generators split off it) so that one call fixes a whole training run.
Rng& global_rng();
void set_seed(uint64_t seed);

}  // namespace nn
