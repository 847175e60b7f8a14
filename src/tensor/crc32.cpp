// CRC-32, table driven.
//
// A CRC is the remainder of dividing the message (as a long binary polynomial) by a fixed
// polynomial. Done bit by bit that is 8 shift-and-xor steps per byte; the table below
// holds the result of those 8 steps for each of the 256 possible byte values, so the loop
// does one lookup per byte instead.
//
// Two conventions from the standard: the register starts as all ones (so leading zero
// bytes still change the result) and the final value is inverted. Because `previous` is
// un-inverted on entry, calls chain: crc32(b, nb, crc32(a, na)) == crc32(a+b, na+nb).
#include "tensor/crc32.h"

#include <array>

namespace nn {
namespace {

constexpr uint32_t kReversedPolynomial = 0xEDB88320u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t r = byte;
    for (int bit = 0; bit < 8; ++bit) r = (r & 1) ? (r >> 1) ^ kReversedPolynomial : r >> 1;
    table[byte] = r;
  }
  return table;
}

// Computed by the compiler: no start-up cost and no static-initialisation order to worry about.
constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32(const void* data, size_t size, uint32_t previous) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t r = ~previous;
  for (size_t i = 0; i < size; ++i) r = kTable[(r ^ bytes[i]) & 0xFFu] ^ (r >> 8);
  return ~r;
}

}  // namespace nn
