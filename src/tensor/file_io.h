// Whole-file reads and crash-safe writes.
//
// write_file_atomic never leaves a half-written file where a good one was: it writes
// `<path>.tmp`, flushes it to the disk (fsync), and only then renames it over `path`.
// A rename within one folder is atomic, so anyone opening `path` sees either the old
// file or the complete new one, even if the program dies in between. A program killed
// while writing leaves `<path>.tmp` behind (the file at `path` is intact);
// remove_stale_temporary cleans it up the next time the path is used.
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

// Removes `<path>.tmp` when it is a leftover: a regular file that no write is working on
// (a writer holds a lock on it until it is renamed; the lock dies with its process). Best
// effort, never throws: a temporary it cannot inspect is left alone.
void remove_stale_temporary(const std::string& path);

// The whole file as bytes. Throws nn::IoError naming the path when it is missing,
// is a folder, or cannot be read.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace nn
