// The .npy element types besides float32 (model/npy.h): int64, uint64 and float64, which
// checkpoints use. Round trips keep every bit, the bytes are NumPy's, weights refuse them,
// truncated data is an nn::IoError, and (when Debian's numpy is installed) numpy reads
// what we write and we read what numpy writes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "nn.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nn::Dtype;
using nn::NamedArray;
using nn::NpyArray;
using nn::Shape;
using nn::Tensor;

namespace {

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min(), kI64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// Doubles whose bits a careless copy would change: -0, infinities, a NaN with a payload,
// the smallest subnormal, and one that needs all 53 bits.
std::vector<double> awkward_doubles() {
  return {-0.0,
          std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(),
          std::bit_cast<double>(0x7FF8000000012345ull),
          std::bit_cast<double>(uint64_t{1}),
          0.1,
          -1e300};
}

std::vector<uint64_t> bits_of(const std::vector<double>& v) {
  std::vector<uint64_t> bits;
  for (double d : v) bits.push_back(std::bit_cast<uint64_t>(d));
  return bits;
}

// A checkpoint-like archive: every type, a scalar, an empty array, several shapes.
std::vector<NamedArray> mixed_entries() {
  return {{"weights/kernel", Tensor({2, 3}, {1, -2, 0.5f, 3, -0.25f, 8})},
          {"counts", NpyArray({2, 3}, std::vector<int64_t>{kI64Min, -1, 0, 1, 1234567890123, kI64Max})},
          {"state", NpyArray(std::vector<uint64_t>{0, 1, uint64_t{1} << 63, kU64Max})},
          {"sums", NpyArray(awkward_doubles())},
          {"scalar", NpyArray(Shape{}, std::vector<int64_t>{42})},
          {"none", NpyArray({0, 4}, std::vector<uint64_t>{})}};
}

// Same name, type, shape and bits in every entry.
void require_same(const std::vector<NamedArray>& a, const std::vector<NamedArray>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(a[i].name);
    REQUIRE(a[i].name == b[i].name);
    REQUIRE(a[i].value.dtype() == b[i].value.dtype());
    REQUIRE(a[i].value.shape() == b[i].value.shape());
    REQUIRE(nn::encode_npy(a[i].value) == nn::encode_npy(b[i].value));
  }
}

// The error message of decoding `bytes` as one .npy array, or "" when it decodes.
std::string npy_error(const std::vector<uint8_t>& bytes) {
  try {
    nn::decode_npy(bytes.data(), bytes.size(), "test.npy");
    return "";
  } catch (const nn::IoError& e) {
    return e.what();
  }
}


}  // namespace

TEST_CASE("npy: int64, uint64 and float64 round trip bit for bit, through .npy and .npz") {
  const std::vector<NamedArray> entries = mixed_entries();
  for (const NamedArray& e : entries) {
    CAPTURE(e.name);
    const std::vector<uint8_t> bytes = nn::encode_npy(e.value);
    const NpyArray back = nn::decode_npy(bytes.data(), bytes.size());
    CHECK(back.dtype() == e.value.dtype());
    CHECK(back.shape() == e.value.shape());
    CHECK(back.size() == e.value.size());
  }
  const std::vector<uint8_t> z = nn::encode_npz(entries);
  const std::vector<NamedArray> back = nn::decode_npz(z.data(), z.size());
  require_same(back, entries);
  // The values themselves, not just their encodings.
  CHECK(back[1].value.int64() == entries[1].value.int64());
  CHECK(back[1].value.int64().front() == kI64Min);
  CHECK(back[2].value.uint64().back() == kU64Max);
  CHECK(bits_of(back[3].value.float64()) == bits_of(awkward_doubles()));
  CHECK(back[4].value.shape().empty());
  CHECK(back[4].value.int64() == std::vector<int64_t>{42});
  CHECK(back[5].value.size() == 0);
  CHECK(back[5].value.shape() == Shape{0, 4});

  nn_test::TempDir tmp("npy");
  const std::string path = (tmp.path / "mixed.npz").string();
  nn::write_npz(path, entries);
  require_same(nn::read_npz(path), entries);
}

TEST_CASE("npy: the header names the type and the numbers are little-endian") {
  auto header_and_data = [](const NpyArray& a) {
    const std::vector<uint8_t> b = nn::encode_npy(a);
    const size_t header_len = b[8] | b[9] << 8;
    REQUIRE((10 + header_len) % 64 == 0);
    return std::make_pair(std::string(b.begin() + 10, b.begin() + 10 + header_len),
                          std::vector<uint8_t>(b.begin() + 10 + header_len, b.end()));
  };
  auto [h64, d64] = header_and_data(NpyArray(std::vector<int64_t>{-2}));
  CHECK(h64.rfind("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 0) == 0);
  CHECK(d64 == std::vector<uint8_t>{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  auto [hu, du] = header_and_data(NpyArray({1, 1}, std::vector<uint64_t>{0x0102030405060708ull}));
  CHECK(hu.rfind("{'descr': '<u8', 'fortran_order': False, 'shape': (1, 1), }", 0) == 0);
  CHECK(du == std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1});
  auto [hf, df] = header_and_data(NpyArray(std::vector<double>{1.0}));
  CHECK(hf.rfind("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 0) == 0);
  CHECK(df == std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0xF0, 0x3F});
  auto [h32, d32] = header_and_data(Tensor({1}, {1.0f}));  // and weights, unchanged
  CHECK(h32.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 0) == 0);
  CHECK(d32 == std::vector<uint8_t>{0, 0, 0x80, 0x3F});
}

TEST_CASE("npy: NpyArray checks its size and which type is asked for") {
  CHECK_THROWS_AS(NpyArray({2, 2}, std::vector<int64_t>{1, 2, 3}), nn::ShapeError);
  CHECK_THROWS_AS(NpyArray({-1}, std::vector<double>{}), nn::ShapeError);
  const NpyArray counts(std::vector<int64_t>{1, 2});
  CHECK(counts.dtype() == Dtype::int64);
  CHECK(std::string(counts.descr()) == "<i8");
  CHECK(counts.shape() == Shape{2});
  CHECK_THROWS_WITH_AS(counts.float32(), doctest::Contains("holds '<i8' numbers, not '<f4'"), nn::Error);
  CHECK_THROWS_AS(counts.uint64(), nn::Error);
  CHECK_THROWS_AS(counts.float64(), nn::Error);
  const NpyArray weights = Tensor({3});
  CHECK(weights.dtype() == Dtype::float32);
  CHECK_THROWS_AS(weights.int64(), nn::Error);
  CHECK(NpyArray().size() == 0);
  CHECK(NpyArray().dtype() == Dtype::float32);
}

TEST_CASE("npy: every truncation of the 64-bit types is an error, never a crash") {
  for (const NamedArray& e : mixed_entries()) {
    CAPTURE(e.name);
    const std::vector<uint8_t> good = nn::encode_npy(e.value);
    for (size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      const std::vector<uint8_t> cut(good.begin(), good.begin() + n);  // exact size: ASan sees overreads
      CHECK(npy_error(cut) != "");
    }
    // One byte too many is as wrong as one too few: the shape says exactly how many.
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    CHECK(npy_error(longer).find("truncated or corrupt") != std::string::npos);
  }
  const std::vector<uint8_t> z = nn::encode_npz(mixed_entries());
  for (size_t n = 0; n < z.size(); ++n) {
    const std::vector<uint8_t> cut(z.begin(), z.begin() + n);
    CHECK_THROWS_AS(nn::decode_npz(cut.data(), cut.size()), nn::Error);
  }
  // Cutting the data of an int64 entry by one number, keeping its header: the byte count
  // says it, in the element type's size.
  std::vector<uint8_t> npy = nn::encode_npy(NpyArray(std::vector<int64_t>{1, 2, 3}));
  npy.resize(npy.size() - 8);
  CHECK(npy_error(npy).find("needs 24 bytes of '<i8' data but the entry holds 16") != std::string::npos);
}

TEST_CASE("npy: load_weights refuses a weight stored as another type, and changes nothing") {
  nn::reset_layer_names();
  nn::Sequential model({nn::layers::Input({3}), nn::layers::Dense(2)});
  const std::vector<Tensor> before = model.get_weights();
  nn_test::TempDir tmp("npy");
  const std::string path = (tmp.path / "w.npz").string();
  const std::vector<double> as_doubles(before[0].begin(), before[0].end());
  nn::write_npz(path, {{"dense/kernel", NpyArray({3, 2}, as_doubles)}, {"dense/bias", before[1]}});
  CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains("\"dense/kernel\" holds '<f8' numbers"),
                       nn::IoError);
  CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains("a.astype('<f4')"), nn::IoError);
  const std::vector<Tensor> after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i) CHECK(std::equal(before[i].begin(), before[i].end(), after[i].begin()));
  // The same values as float32 load.
  nn::write_npz(path, {{"dense/kernel", before[0]}, {"dense/bias", before[1]}});
  CHECK_NOTHROW(model.load_weights(path));
}

TEST_CASE("npy: numpy reads what we write and we read what numpy writes (skipped without numpy)") {
  // Debian's python3-numpy, if installed; nothing here needs it otherwise.
  const std::string python = "/usr/bin/python3";
  if (!fs::exists(python) || std::system((python + " -c 'import numpy' >/dev/null 2>&1").c_str()) != 0) {
    MESSAGE("skipped: " << python << " with numpy is not installed");
    return;
  }
  nn_test::TempDir tmp("npy");
  const std::string ours = (tmp.path / "ours.npz").string(), theirs = (tmp.path / "theirs.npz").string();
  nn::write_npz(ours, mixed_entries());
  // The script checks every entry's dtype, shape and bits against what mixed_entries()
  // holds, then writes the same arrays with numpy.savez for the way back.
  const std::string script = (tmp.path / "check.py").string();
  {
    const std::string text = R"(import sys, numpy as np
z = np.load(sys.argv[1])
imin, imax, umax = -2**63, 2**63 - 1, 2**64 - 1
sums = np.array([0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000012345, 1,
                 np.float64(0.1).view(np.uint64), np.float64(-1e300).view(np.uint64)], dtype=np.uint64).view(np.float64)
want = {
  'weights/kernel': np.array([[1, -2, 0.5], [3, -0.25, 8]], dtype='<f4'),
  'counts': np.array([[imin, -1, 0], [1, 1234567890123, imax]], dtype='<i8'),
  'state': np.array([0, 1, 2**63, umax], dtype='<u8'),
  'sums': sums.astype('<f8'),
  'scalar': np.array(42, dtype='<i8'),
  'none': np.zeros((0, 4), dtype='<u8'),
}
assert sorted(z.files) == sorted(want), z.files
for k, w in want.items():
  a = z[k]
  assert a.dtype == w.dtype and a.shape == w.shape, (k, a.dtype, a.shape)
  assert a.tobytes() == w.tobytes(), k
np.savez(sys.argv[2], **want)
)";
    std::vector<uint8_t> bytes(text.begin(), text.end());
    nn::write_file_atomic(script, bytes);
  }
  REQUIRE(std::system((python + " " + script + " " + ours + " " + theirs).c_str()) == 0);
  // numpy.savez writes zip64-style local headers and its own header spacing.
  std::vector<NamedArray> back = nn::read_npz(theirs);
  std::vector<NamedArray> want = mixed_entries();
  std::sort(back.begin(), back.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::sort(want.begin(), want.end(), [](auto& a, auto& b) { return a.name < b.name; });
  require_same(back, want);
}
