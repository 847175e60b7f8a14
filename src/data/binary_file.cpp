#include "data/binary_file.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <system_error>

#include "tensor/error.h"

namespace nn::data {
namespace fs = std::filesystem;

void require_directory(const std::string& dir, const std::string& fix) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st))
    throw IoError("data directory '" + dir + "' does not exist (looked relative to " +
                  fs::current_path(ec).string() + "). " + fix);
  if (!fs::is_directory(st)) throw IoError("'" + dir + "' should be a directory of data files, but it is not. " + fix);
}

size_t data_file_size(const std::string& path, const std::string& fix) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) throw IoError("data file '" + path + "' does not exist. " + fix);
  if (fs::is_directory(st)) throw IoError("'" + path + "' is a directory, expected a data file there. " + fix);
  if (!fs::is_regular_file(st)) throw IoError("'" + path + "' is not a regular file. " + fix);
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw IoError("cannot read the size of '" + path + "': " + ec.message() + ". " + fix);
  if (size == 0) throw IoError("data file '" + path + "' is empty (0 bytes); it is damaged or was not fully written. " + fix);
  return static_cast<size_t>(size);
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& fix) {
  const size_t size = data_file_size(path, fix);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw IoError("cannot open '" + path + "' for reading (permissions?). " + fix);
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(size);
  } catch (const std::bad_alloc&) {
    throw IoError("not enough memory to read '" + path + "' (" + std::to_string(size >> 20) + " MiB).");
  } catch (const std::length_error&) {
    throw IoError("'" + path + "' is too large to read (" + std::to_string(size >> 20) + " MiB).");
  }
  // One fread for the whole file: the C library streams it straight into our buffer.
  const size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  if (got != bytes.size())
    throw IoError("could only read " + std::to_string(got) + " of " + std::to_string(bytes.size()) + " bytes of '" +
                  path + "'. " + fix);
  return bytes;
}

}  // namespace nn::data
