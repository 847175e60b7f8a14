// Adler-32: the checksum at the end of a zlib stream (PNG's image data is one).
//
// Two running sums modulo 65521 (the largest prime below 2^16): a = 1 + every byte,
// b = the sum of every intermediate a. Cheaper than a CRC and good enough for zlib.
// adler32("Wikipedia") == 0x11E60398.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nn::viz {

// Continues from `previous` (1 to start), so a long buffer can be summed in pieces.
uint32_t adler32(const void* data, size_t size, uint32_t previous = 1);

}  // namespace nn::viz
