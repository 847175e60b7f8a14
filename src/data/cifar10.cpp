#include "data/cifar10.h"

#include <climits>
#include <vector>

#include "data/binary_file.h"
#include "tensor/error.h"

namespace nn::data {

size_t cifar10_record_count(size_t size, const std::string& source) {
  if (size == 0) throw IoError(source + ": the file is empty (0 bytes); a CIFAR-10 batch holds 3073-byte records.");
  if (size % kCifarRecordBytes != 0)
    throw IoError(source + ": the file is " + std::to_string(size) + " bytes, not a whole number of 3073-byte " +
                  "CIFAR-10 records (" + std::to_string(size / kCifarRecordBytes) + " records and " +
                  std::to_string(size % kCifarRecordBytes) +
                  " bytes left over). It is truncated or not a CIFAR-10 binary batch; fetch it again.");
  if (size / kCifarRecordBytes > static_cast<size_t>(INT_MAX))
    throw IoError(source + ": too many records for this library to index.");
  return size / kCifarRecordBytes;
}

void decode_cifar10_records(const uint8_t* bytes, size_t records, float* x, float* y, const std::string& source) {
  constexpr int kPlane = kCifarSide * kCifarSide;  // 1024 pixels per colour plane
  for (size_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes + r * kCifarRecordBytes;
    if (record[0] > 9)
      throw IoError(source + ": record " + std::to_string(r) + " has label " + std::to_string(record[0]) +
                    ", expected a class id in 0..9. The file is damaged or not a CIFAR-10 batch.");
    y[r] = static_cast<float>(record[0]);
    const uint8_t* planes = record + 1;
    float* image = x + r * (3 * kPlane);
    for (int p = 0; p < kPlane; ++p)  // p = row·32 + col
      for (int c = 0; c < 3; ++c) image[p * 3 + c] = static_cast<float>(planes[c * kPlane + p]);
  }
}

Dataset parse_cifar10(const uint8_t* bytes, size_t size, const std::string& source) {
  const size_t n = cifar10_record_count(size, source);
  Dataset d;
  d.x.resize({static_cast<int>(n), kCifarSide, kCifarSide, 3});
  d.y.resize({static_cast<int>(n)});
  decode_cifar10_records(bytes, n, d.x.data(), d.y.data(), source);
  return d;
}

namespace {

// Reads the given batch files into one (N, 32, 32, 3) tensor. All sizes are checked first,
// so a bad last file fails before 150 MB have been decoded for nothing.
Dataset load_batches(const std::vector<std::string>& paths, const std::string& fix) {
  std::vector<size_t> records;
  size_t total = 0;
  for (const std::string& path : paths) {
    records.push_back(cifar10_record_count(data_file_size(path, fix), path));
    total += records.back();
  }
  if (total > static_cast<size_t>(INT_MAX)) throw IoError("too many CIFAR-10 records to index.");
  Dataset d;
  d.x.resize({static_cast<int>(total), kCifarSide, kCifarSide, 3});
  d.y.resize({static_cast<int>(total)});
  size_t offset = 0;  // in records
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::vector<uint8_t> bytes = read_file_bytes(paths[i], fix);
    if (bytes.size() != records[i] * kCifarRecordBytes)
      throw IoError(paths[i] + ": the file changed size while it was being read; try again.");
    decode_cifar10_records(bytes.data(), records[i], d.x.data() + offset * (kCifarRecordBytes - 1),
                           d.y.data() + offset, paths[i]);
    offset += records[i];
  }
  return d;
}

}  // namespace

Split load_cifar10(std::string dir) {
  const std::string fix =
      "To get CIFAR-10, run `make data NAME=cifar10` from the repository root (it runs datasets/fetch cifar10 and "
      "unpacks the official binary version into datasets/cifar-10-batches-bin/).";
  require_directory(dir, fix);
  std::vector<std::string> train_paths;
  for (int i = 1; i <= 5; ++i) train_paths.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  Dataset train = load_batches(train_paths, fix);
  Dataset test = load_batches({dir + "/test_batch.bin"}, fix);
  return Split{std::move(train.x), std::move(train.y), std::move(test.x), std::move(test.y)};
}

}  // namespace nn::data
