#include "data/binary_file.h"

#include <filesystem>
#include <system_error>

#include "tensor/error.h"
#include "tensor/file_io.h"

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
  data_file_size(path, fix);  // the data-file checks first: missing, a directory, empty
  // Then the library's one whole-file reader (tensor/file_io.h), with the fix appended.
  try {
    return read_file(path);
  } catch (const IoError& e) {
    throw IoError(std::string(e.what()) + ". " + fix);
  }
}

}  // namespace nn::data
