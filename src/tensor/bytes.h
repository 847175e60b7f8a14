// Fixed-width integers in byte buffers, for the file formats we write by hand.
//
// Zip and .npy store numbers little-endian (lowest byte first); PNG stores them
// big-endian (highest byte first). Building each byte with shifts, instead of copying the
// integer's memory, gives the same file on every CPU whatever its own byte order.
#pragma once
#include <cstdint>
#include <vector>

namespace nn {

inline void put_u8(std::vector<uint8_t>& out, uint32_t v) { out.push_back(static_cast<uint8_t>(v)); }

inline void put_u16le(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

inline void put_u32le(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

inline void put_u32be(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// Readers take a pointer the caller has already checked has enough bytes behind it.
inline uint32_t get_u16le(const uint8_t* p) { return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8; }

inline uint32_t get_u32le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

inline uint64_t get_u64le(const uint8_t* p) {
  return static_cast<uint64_t>(get_u32le(p)) | static_cast<uint64_t>(get_u32le(p + 4)) << 32;
}

inline uint32_t get_u32be(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         static_cast<uint32_t>(p[3]);
}

}  // namespace nn
