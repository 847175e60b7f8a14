#include "model/tensor_list.h"

#include "data/preprocessing.h"

namespace nn {

void gather_batch(const TensorList& arrays, const std::vector<int>& order, size_t begin, size_t count,
                  std::vector<Tensor>& into) {
  into.resize(arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) data::gather_rows(arrays[i], order, begin, count, into[i]);
}

}  // namespace nn
