// Sliding windows: the shape arithmetic Conv2D and MaxPooling2D share.
//
// A window of size k slides along an axis of length n in steps of s (the stride).
//   "valid": the window never leaves the input.   out = floor((n - k) / s) + 1
//   "same":  TensorFlow's rule. out = ceil(n / s); the input is padded with
//            total = max((out - 1)·s + k - n, 0) positions, pad_before = total / 2 and the
//            rest (one more when total is odd) after. So "same" with stride 1 keeps the
//            size, and with stride 2 halves it (rounding up).
// Example: n = 32, k = 3, s = 2, "same": out = 16, total = 15·2 + 3 - 32 = 1, so no
// padding before and one column after.
#pragma once
#include <string>

namespace nn::layers {

struct WindowAxis {
  int out = 0;         // output length along this axis
  int pad_before = 0;  // virtual zero (or, for pooling, ignored) positions before the input
};

// Output length and leading padding for one axis. `layer` and `axis` only name things in
// the error raised when a "valid" window is larger than the input.
WindowAxis window_axis(int n, int k, int s, const std::string& padding, const std::string& layer,
                       const char* axis);

// Throws nn::ValueError unless padding is "valid" or "same" (names the layer).
void check_padding(const std::string& padding, const std::string& layer);

}  // namespace nn::layers
