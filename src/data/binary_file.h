// Reading a whole data file into memory, with errors a student can act on.
//
// Both parsers (IDX and CIFAR-10) work on a byte buffer, never on a file: the file is read
// once, then parsed and converted to floats in one pass. That keeps the parsers testable
// and fuzzable without touching the disk, and means the only large allocation made before
// validation is the file's own, real size — never a size some header claims.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nn::data {

// The bytes of the regular file at `path`. Throws nn::IoError when the path is missing,
// is a directory (or anything else that is not a regular file), is empty, or cannot be
// read completely. `fix` is appended to each message: what the user should do, e.g.
// "Run `make data NAME=mnist` from the repository root."
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& fix);

// The size in bytes of the regular file at `path`, after the same checks as
// read_file_bytes (exists, not a directory, not empty). Lets a loader size its output
// from several files before reading any of them.
size_t data_file_size(const std::string& path, const std::string& fix);

// Throws nn::IoError unless `dir` exists and is a directory; `fix` as above.
void require_directory(const std::string& dir, const std::string& fix);

// Unsigned 32-bit big-endian integer at bytes[0..3] (IDX headers are big-endian, so this
// reads them the same way on every machine).
inline uint32_t read_u32_big_endian(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

}  // namespace nn::data
