// Whole-file reads and crash-safe writes.
//
// write_file_atomic never leaves a half-written file where a good one was: it writes
// `<path>.tmp`, flushes it to the disk (fsync), and only then renames it over `path`.
// A rename within one folder is atomic, so anyone opening `path` sees either the old
// file or the complete new one, even if the program dies in between.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nn {

// Creates the parent folder (e.g. out/) when it is missing. Throws nn::IoError naming
// the path on any failure, and removes the temporary file.
void write_file_atomic(const std::string& path, const void* data, size_t size);
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
void write_file_atomic(const std::string& path, const std::string& text);

// The whole file as bytes. Throws nn::IoError naming the path when it is missing,
// is a folder, or cannot be read.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace nn
