// libFuzzer target: the .npz weights reader (decode_npz, what load_weights and resume_from
// use) on arbitrary bytes, and the .npy array parser inside it.
//
// Every input must end in an nn::Error (a clear message) or in entries that survive a
// round trip: encoding them again and decoding that gives the same names, types, shapes
// and bits.
// A crash, a sanitizer report, another exception type or a round trip that changes
// something is a bug that libFuzzer reports with the input.
//
// The .npy parser gets the raw bytes as well: inside an .npz each array is guarded by a
// CRC-32, so mutated bytes rarely get past the zip layer to reach it.
#include <cstddef>
#include <cstdint>

#include "model/npy.h"
#include "model/npz.h"
#include "tensor/error.h"

namespace {

bool same(const nn::NpyArray& a, const nn::NpyArray& b) {
  // Compare bits, not values: a NaN read from the file must come back as the same NaN.
  // The encoding is a function of type, shape and bits alone, so compare encodings.
  return a.dtype() == b.dtype() && a.shape() == b.shape() && nn::encode_npy(a) == nn::encode_npy(b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<nn::NamedArray> entries;
  bool accepted = true;
  try {
    entries = nn::decode_npz(data, size, "fuzz input");
  } catch (const nn::Error&) {
    accepted = false;
  }
  if (accepted) {
    // What was read can be written (encode_npz throws nn::Error only for names it cannot
    // store) and reads back identically.
    std::vector<uint8_t> again = nn::encode_npz(entries);
    std::vector<nn::NamedArray> back = nn::decode_npz(again.data(), again.size(), "re-encoded fuzz input");
    if (back.size() != entries.size()) __builtin_trap();
    for (size_t i = 0; i < back.size(); ++i)
      if (back[i].name != entries[i].name || !same(back[i].value, entries[i].value)) __builtin_trap();
  }
  try {
    nn::NpyArray t = nn::decode_npy(data, size, "fuzz input");
    std::vector<uint8_t> again = nn::encode_npy(t);
    if (!same(nn::decode_npy(again.data(), again.size()), t)) __builtin_trap();
  } catch (const nn::Error&) {
  }
  return 0;
}
