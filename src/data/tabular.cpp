#include "data/tabular.h"

#include <cmath>

#include "tensor/error.h"
#include "tensor/rng.h"

namespace nn::data {

float tabular_buy_probability(float age, float income, float visits) {
  const float z = -7.0f + 0.04f * age + 0.03f * income + 0.25f * visits;
  return 1.0f / (1.0f + std::exp(-z));
}

TabularData make_tabular(int n, uint64_t seed) {
  if (n < 0) throw ValueError("make_tabular: n must be >= 0, got " + std::to_string(n));
  Rng rng(seed);
  TabularData t{Tensor({n, 3}), Tensor({n}), {"age", "income", "visits"}};
  for (int i = 0; i < n; ++i) {
    // Whole years and visits, income rounded to a thousand: numbers a person would record.
    const float age = std::floor(rng.uniform(18.0f, 81.0f));
    const float income = std::round(rng.uniform(15.0f, 150.0f));
    const float visits = static_cast<float>(rng.below(21));
    float* row = t.x.data() + static_cast<size_t>(i) * 3;
    row[0] = age, row[1] = income, row[2] = visits;
    t.y[static_cast<size_t>(i)] = rng.uniform() < tabular_buy_probability(age, income, visits) ? 1.0f : 0.0f;
  }
  return t;
}

}  // namespace nn::data
