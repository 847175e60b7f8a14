#include "data/idx.h"

#include <climits>
#include <filesystem>
#include <vector>

#include "data/binary_file.h"
#include "tensor/error.h"

namespace nn::data {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions (N, rows, cols)
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension (N)

std::string hex(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xf];
  return s;
}

// Reads and checks the magic number; `what` is "images" or "labels".
void check_magic(const uint8_t* bytes, size_t size, uint32_t expected, const char* what, const std::string& source) {
  if (size < 4)
    throw IoError(source + ": file is " + std::to_string(size) + " bytes long, too short for an IDX " + what +
                  " header; it is truncated or not an IDX file.");
  if (bytes[0] == 0x1f && bytes[1] == 0x8b)
    throw IoError(source + ": this is a gzip-compressed file; the loader reads the uncompressed IDX file. "
                  "Run `make data` to decompress the data sets, or `gunzip -k` the file yourself.");
  const uint32_t magic = read_u32_big_endian(bytes);
  if (magic == expected) return;
  std::string hint;
  if (magic == kImagesMagic) hint = " (that is an IDX images file: were the images and labels files swapped?)";
  if (magic == kLabelsMagic) hint = " (that is an IDX labels file: were the images and labels files swapped?)";
  throw IoError(source + ": wrong magic number " + hex(magic) + ", expected " + hex(expected) + " for an IDX " +
                what + " file" + hint + ". The file is damaged or not in IDX format; fetch it again.");
}

// Checks that the payload after the header is exactly `expected` bytes.
void check_length(size_t size, size_t header, uint64_t expected, uint32_t count, const char* items,
                  const std::string& source) {
  const uint64_t have = size - header;
  if (have < expected)
    throw IoError(source + ": the header promises " + std::to_string(count) + " " + items + " (" +
                  std::to_string(expected) + " bytes) but the file holds only " + std::to_string(have) +
                  " bytes after the header: it is truncated. Fetch it again.");
  if (have > expected)
    throw IoError(source + ": the header promises " + std::to_string(count) + " " + items + " (" +
                  std::to_string(expected) + " bytes) but " + std::to_string(have - expected) +
                  " more bytes follow them. The file is damaged or not what it claims to be; fetch it again.");
  if (count == 0) throw IoError(source + ": the file holds no " + items + " (the header says 0).");
  if (count > static_cast<uint32_t>(INT_MAX))
    throw IoError(source + ": " + std::to_string(count) + " " + items + " is more than this library can index.");
}

}  // namespace

Tensor parse_idx_images(const uint8_t* bytes, size_t size, int rows, int cols, const std::string& source) {
  check_magic(bytes, size, kImagesMagic, "images", source);
  constexpr size_t kHeader = 16;  // magic + three 32-bit sizes
  if (size < kHeader)
    throw IoError(source + ": file is " + std::to_string(size) + " bytes long, shorter than the " +
                  std::to_string(kHeader) + "-byte IDX images header; it is truncated.");
  const uint32_t n = read_u32_big_endian(bytes + 4);
  const uint32_t file_rows = read_u32_big_endian(bytes + 8);
  const uint32_t file_cols = read_u32_big_endian(bytes + 12);
  if (file_rows != static_cast<uint32_t>(rows) || file_cols != static_cast<uint32_t>(cols))
    throw IoError(source + ": images are " + std::to_string(file_rows) + "x" + std::to_string(file_cols) +
                  " pixels, expected " + std::to_string(rows) + "x" + std::to_string(cols) +
                  " for this data set. Is this the right file?");
  // 64-bit arithmetic: N is at most 2^32 and rows·cols is small, so this cannot overflow.
  check_length(size, kHeader, uint64_t{n} * file_rows * file_cols, n, "images", source);

  // Validated: now allocate exactly once (no zero fill; every element is written below)
  // and convert bytes to floats in one pass the compiler vectorises.
  Tensor x;
  x.resize({static_cast<int>(n), rows, cols, 1});
  const uint8_t* pixels = bytes + kHeader;
  float* out = x.data();
  const size_t count = x.size();
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(pixels[i]);
  return x;
}

Tensor parse_idx_labels(const uint8_t* bytes, size_t size, int num_classes, const std::string& source) {
  check_magic(bytes, size, kLabelsMagic, "labels", source);
  constexpr size_t kHeader = 8;  // magic + one 32-bit size
  if (size < kHeader)
    throw IoError(source + ": file is " + std::to_string(size) + " bytes long, shorter than the " +
                  std::to_string(kHeader) + "-byte IDX labels header; it is truncated.");
  const uint32_t n = read_u32_big_endian(bytes + 4);
  check_length(size, kHeader, n, n, "labels", source);

  const uint8_t* labels = bytes + kHeader;
  for (uint32_t i = 0; i < n; ++i)
    if (labels[i] >= num_classes)
      throw IoError(source + ": label " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                    ", expected a class id in 0.." + std::to_string(num_classes - 1) +
                    ". The file is damaged; fetch it again.");
  Tensor y;
  y.resize({static_cast<int>(n)});
  for (uint32_t i = 0; i < n; ++i) y[i] = static_cast<float>(labels[i]);
  return y;
}

Tensor read_idx_images(const std::string& path, int rows, int cols, const std::string& fix) {
  // The byte buffer lives only inside this function: after the conversion the tensor is
  // the one copy of the data.
  const std::vector<uint8_t> bytes = read_file_bytes(path, fix);
  return parse_idx_images(bytes.data(), bytes.size(), rows, cols, path);
}

Tensor read_idx_labels(const std::string& path, int num_classes, const std::string& fix) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, fix);
  return parse_idx_labels(bytes.data(), bytes.size(), num_classes, path);
}

namespace {

// Loads one images file and its labels file and checks that they agree.
Dataset load_idx_pair(const std::string& dir, const std::string& prefix, const std::string& fix) {
  const std::string images_path = dir + "/" + prefix + "-images-idx3-ubyte";
  const std::string labels_path = dir + "/" + prefix + "-labels-idx1-ubyte";
  for (const std::string& path : {images_path, labels_path}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && std::filesystem::exists(path + ".gz", ec))
      throw IoError("found only the compressed '" + path + ".gz', but the loader reads the uncompressed '" + path +
                    "'. " + fix);
  }
  Dataset d;
  d.x = read_idx_images(images_path, 28, 28, fix);
  d.y = read_idx_labels(labels_path, 10, fix);
  if (d.x.dim(0) != d.y.dim(0))
    throw IoError("'" + images_path + "' holds " + std::to_string(d.x.dim(0)) + " images but '" + labels_path +
                  "' holds " + std::to_string(d.y.dim(0)) + " labels; they must match one to one. " +
                  "The files come from different data sets or one is damaged. " + fix);
  return d;
}

Split load_idx_split(const std::string& dir, const std::string& fetch_name) {
  const std::string fix = "To get the data, run `make data NAME=" + fetch_name +
                          "` from the repository root (it runs datasets/fetch " + fetch_name +
                          " and puts the uncompressed files in datasets/" + fetch_name + "/).";
  require_directory(dir, fix);
  Dataset train = load_idx_pair(dir, "train", fix);
  Dataset test = load_idx_pair(dir, "t10k", fix);
  return Split{std::move(train.x), std::move(train.y), std::move(test.x), std::move(test.y)};
}

}  // namespace

Split load_fashion_mnist(std::string dir) { return load_idx_split(dir, "fashion-mnist"); }
Split load_mnist(std::string dir) { return load_idx_split(dir, "mnist"); }

}  // namespace nn::data
