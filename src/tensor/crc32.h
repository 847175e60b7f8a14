// CRC-32: the checksum that zip files and PNG chunks carry to catch corrupted bytes.
//
// This is the IEEE 802.3 CRC (polynomial 0x04C11DB7, used bit-reversed as 0xEDB88320),
// the same one zlib, zip and PNG use: crc32("123456789") == 0xCBF43926.
//
// The value can be built up piece by piece, which lets a writer checksum a header and
// then a payload without first gluing them together:
//   uint32_t c = nn::crc32(header, header_size);
//   c = nn::crc32(payload, payload_size, c);   // same as one call over both
#pragma once
#include <cstddef>
#include <cstdint>

namespace nn {

// CRC-32 of `size` bytes, continuing from `previous` (the result of an earlier call over
// the bytes that come before; 0 to start). Like zlib's crc32().
uint32_t crc32(const void* data, size_t size, uint32_t previous = 0);

}  // namespace nn
