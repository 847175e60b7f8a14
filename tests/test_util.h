// Small helpers shared by the tests.
#pragma once
#include <cstdlib>
#include <string>

namespace nn_test {

// NN_TEST_QUICK=1 asks sweeping tests (GEMM sizes, gradient checks) for a smaller sweep;
// the sanitizer builds use it.
inline bool quick() {
  const char* q = std::getenv("NN_TEST_QUICK");
  return q && std::string(q) != "0";
}

}  // namespace nn_test
