// A small structured (tabular) data set, for the chapter's contrast between structured
// and unstructured data.
//
// Structured data is a table: each column is a named, meaningful feature, so one number
// alone already tells you something ("age 72"). In an image, one pixel tells you nothing.
// Here each row is a shop's customer:
//
//   age      years, 18..80
//   income   thousands per year, 15..150
//   visits   visits to the shop last month, 0..20
//
// and the label says whether they bought the product (1) or not (0), drawn from a known
// rule so a student can check what a model learns against the truth:
//
//   P(buy) = sigmoid(-7 + 0.04·age + 0.03·income + 0.25·visits)
//
// (tabular_buy_probability below computes exactly this).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn::data {

struct TabularData {
  Tensor x;                          // (N, 3) raw feature values, columns in `columns` order
  Tensor y;                          // (N) 0 or 1
  std::vector<std::string> columns;  // {"age", "income", "visits"}
};

// n customers (n >= 0), deterministic per seed.
TabularData make_tabular(int n, uint64_t seed);

// The rule the labels were drawn from: probability of a purchase.
float tabular_buy_probability(float age, float income, float visits);

}  // namespace nn::data
