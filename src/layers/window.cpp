#include "layers/window.h"

#include <algorithm>

#include "tensor/error.h"

namespace nn::layers {

void check_padding(const std::string& padding, const std::string& layer) {
  if (padding != "valid" && padding != "same")
    throw ValueError(layer + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
}

WindowAxis window_axis(int n, int k, int s, const std::string& padding, const std::string& layer,
                       const char* axis) {
  if (padding == "same") {
    const int out = (n + s - 1) / s;  // ceil(n / s)
    const int total = std::max((out - 1) * s + k - n, 0);
    return {out, total / 2};
  }
  if (k > n)
    throw ShapeError(layer + ": a window of " + std::to_string(k) + " does not fit in an input " + axis + " of " +
                     std::to_string(n) + " with padding \"valid\"; use a smaller window or padding \"same\"");
  return {(n - k) / s + 1, 0};
}

}  // namespace nn::layers
