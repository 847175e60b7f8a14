#include "tensor/rng.h"

#include <cmath>
#include <numbers>
#include <utility>

#include "tensor/error.h"

namespace nn {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t s) { seed(s); }

void Rng::seed(uint64_t s) {
  for (auto& word : s_) word = splitmix64(s);
  has_spare_normal_ = false;
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

// The top 24 bits fill a float's mantissa exactly, so every value is k / 2^24 and < 1.
float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }

float Rng::uniform(float low, float high) { return low + (high - low) * uniform(); }

float Rng::normal(float mean, float stddev) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + stddev * spare_normal_;
  }
  // Box–Muller: two uniforms -> two independent standard normals. u1 is kept away from 0
  // so log(u1) is finite.
  double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  double r = std::sqrt(-2.0 * std::log(u1));
  double theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = static_cast<float>(r * std::sin(theta));
  has_spare_normal_ = true;
  return mean + stddev * static_cast<float>(r * std::cos(theta));
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) return 0;
  // Rejection removes the bias of a plain modulo: draw again when x lands in the
  // incomplete last block of the 2^64 range.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

std::vector<int> Rng::permutation(int n) {
  std::vector<int> p(n > 0 ? n : 0);
  for (int i = 0; i < n; ++i) p[i] = i;
  for (int i = n - 1; i > 0; --i) std::swap(p[i], p[below(static_cast<uint64_t>(i) + 1)]);
  return p;
}

Rng Rng::split() { return Rng(next_u64()); }

RngState Rng::state() const {
  RngState st;
  for (int i = 0; i < 4; ++i) st.words[i] = s_[i];
  st.has_spare_normal = has_spare_normal_;
  st.spare_normal = spare_normal_;
  return st;
}

void Rng::set_state(const RngState& st) {
  if ((st.words[0] | st.words[1] | st.words[2] | st.words[3]) == 0)
    throw ValueError("Rng::set_state: an all-zero state is invalid (the generator would only give zeros); "
                     "the saved state is corrupt");
  for (int i = 0; i < 4; ++i) s_[i] = st.words[i];
  has_spare_normal_ = st.has_spare_normal;
  spare_normal_ = st.spare_normal;
}

Rng& global_rng() {
  static Rng rng;
  return rng;
}

void set_seed(uint64_t seed) { global_rng().seed(seed); }

}  // namespace nn
