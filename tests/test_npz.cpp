// The .npz weights format: bit-exact round trips, the exact bytes of the .npy header and
// the zip records, reproducible files, and corrupt or truncated input that must always end
// in an nn::Error (never a crash, a hang or a huge allocation).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "nn.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nn::NamedArray;
using nn::Shape;
using nn::Tensor;

namespace {

uint32_t le16(const uint8_t* p) { return p[0] | p[1] << 8; }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
void put16(std::vector<uint8_t>& v, uint32_t x) { v.push_back(uint8_t(x)), v.push_back(uint8_t(x >> 8)); }
void put32(std::vector<uint8_t>& v, uint32_t x) { put16(v, x & 0xFFFF), put16(v, x >> 16); }
void put64(std::vector<uint8_t>& v, uint64_t x) { put32(v, uint32_t(x)), put32(v, uint32_t(x >> 32)); }

// Random floats including the awkward ones: -0, inf, NaN with a payload, subnormals.
Tensor random_tensor(const Shape& shape, nn::Rng& rng) {
  Tensor t(shape);
  const uint32_t specials[] = {0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC01234u, 0x00000001u, 0x007FFFFFu};
  for (size_t i = 0; i < t.size(); ++i) {
    uint32_t bits = rng.below(5) == 0 ? specials[rng.below(6)] : uint32_t(rng.below(1u << 16)) << 16 | uint32_t(rng.below(1u << 16));
    std::memcpy(&t[i], &bits, 4);
  }
  return t;
}

using nn_test::same_bits;

// Same name, and a float32 tensor with the same shape and bits in each entry.
bool same_entries(const std::vector<NamedArray>& a, const std::vector<NamedArray>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].value.dtype() != nn::Dtype::float32 || b[i].value.dtype() != nn::Dtype::float32 ||
        !same_bits(a[i].value.float32(), b[i].value.float32()))
      return false;
  return true;
}

std::vector<NamedArray> sample_weights() {
  nn::Rng rng(5);
  std::vector<NamedArray> w;
  w.push_back({"dense/kernel", random_tensor({3, 5}, rng)});
  w.push_back({"dense/bias", random_tensor({5}, rng)});
  w.push_back({"batch_normalization/moving_mean", random_tensor({1, 2, 2}, rng)});
  return w;
}

// An .npy written by hand: any header text, padded as NumPy pads it.
std::vector<uint8_t> make_npy(const std::string& dict, size_t data_bytes, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> npy = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  if (major == 1) put16(npy, uint32_t(header.size()));
  else put32(npy, uint32_t(header.size()));
  npy.insert(npy.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_bytes; ++i) npy.push_back(uint8_t(i));
  return npy;
}

// A one-entry zip written independently of the library. zip64_local: sizes 0xFFFFFFFF in
// the local header with the real ones in a zip64 extra field, as numpy.savez can write.
std::vector<uint8_t> make_zip(const std::string& name, const std::vector<uint8_t>& data, bool zip64_local = false,
                              uint32_t method = 0) {
  const uint32_t crc = nn::crc32(data.data(), data.size());
  std::vector<uint8_t> z;
  put32(z, 0x04034b50);
  put16(z, zip64_local ? 45 : 20);
  put16(z, 0);
  put16(z, method);
  put16(z, 0), put16(z, 0x21);
  put32(z, crc);
  put32(z, zip64_local ? 0xFFFFFFFF : uint32_t(data.size()));
  put32(z, zip64_local ? 0xFFFFFFFF : uint32_t(data.size()));
  put16(z, uint32_t(name.size()));
  put16(z, zip64_local ? 20 : 0);
  z.insert(z.end(), name.begin(), name.end());
  if (zip64_local) {
    put16(z, 1), put16(z, 16);
    put64(z, data.size()), put64(z, data.size());
  }
  z.insert(z.end(), data.begin(), data.end());
  const uint32_t cd = uint32_t(z.size());
  put32(z, 0x02014b50);
  put16(z, 20), put16(z, 20), put16(z, 0), put16(z, method), put16(z, 0), put16(z, 0x21);
  put32(z, crc), put32(z, uint32_t(data.size())), put32(z, uint32_t(data.size()));
  put16(z, uint32_t(name.size())), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
  put32(z, 0), put32(z, 0);
  z.insert(z.end(), name.begin(), name.end());
  const uint32_t cd_size = uint32_t(z.size()) - cd;
  put32(z, 0x06054b50);
  put16(z, 0), put16(z, 0), put16(z, 1), put16(z, 1);
  put32(z, cd_size), put32(z, cd);
  put16(z, 0);
  return z;
}

// The error message of decoding `bytes`, or "" when it decodes.
std::string decode_error(const std::vector<uint8_t>& bytes) {
  try {
    nn::decode_npz(bytes.data(), bytes.size(), "test.npz");
    return "";
  } catch (const nn::IoError& e) {
    return e.what();
  }
}


}  // namespace

TEST_CASE("npz: round trip is bit-exact for ranks 0..4, odd and empty shapes") {
  nn::Rng rng(1);
  std::vector<NamedArray> entries;
  const std::vector<Shape> shapes = {{},        {1},          {7},       {3, 5},     {1, 1},    {2, 3, 5},
                                     {2, 1, 3, 7}, {0},       {0, 5},    {4, 0, 2},  {1, 1, 1, 1}, {31, 17}};
  for (size_t i = 0; i < shapes.size(); ++i) entries.push_back({"layer_" + std::to_string(i) + "/w", random_tensor(shapes[i], rng)});
  entries.push_back({"dense_1/kernel", random_tensor({200, 150}, rng)});

  const std::vector<uint8_t> bytes = nn::encode_npz(entries);
  const std::vector<NamedArray> back = nn::decode_npz(bytes.data(), bytes.size());
  CHECK(same_entries(entries, back));
  CHECK(back[0].value.float32().rank() == 0);
  CHECK(back[0].value.size() == 1);

  nn_test::TempDir tmp("npz");
  const std::string path = (tmp.path / "out" / "weights.npz").string();
  nn::write_npz(path, entries);
  CHECK(!fs::exists(path + ".tmp"));
  CHECK(nn::read_file(path) == bytes);
  CHECK(same_entries(nn::read_npz(path), entries));
  CHECK(nn::encode_npz({}).size() == 22);  // just the end record
  CHECK(nn::decode_npz(nn::encode_npz({}).data(), 22).empty());
}

TEST_CASE("npz: the .npy header and zip records, byte by byte") {
  Tensor t({3, 4});
  for (size_t i = 0; i < t.size(); ++i) t[i] = float(i) + 1.0f;
  const std::vector<uint8_t> z = nn::encode_npz({{"dense/kernel", t}});
  const std::string name = "dense/kernel.npy";

  // Local header.
  REQUIRE(z.size() > 30 + name.size());
  CHECK(le32(&z[0]) == 0x04034b50u);
  CHECK(le16(&z[8]) == 0);       // method: stored
  CHECK(le16(&z[10]) == 0);      // time 00:00
  CHECK(le16(&z[12]) == 0x21);   // date 1980-01-01
  CHECK(le16(&z[26]) == name.size());
  CHECK(le16(&z[28]) == 0);
  CHECK(std::string(z.begin() + 30, z.begin() + 30 + name.size()) == name);
  const uint32_t size = le32(&z[22]);
  CHECK(le32(&z[18]) == size);
  const uint8_t* npy = &z[30 + name.size()];
  CHECK(le32(&z[14]) == nn::crc32(npy, size));

  // The .npy inside: magic, version 1.0, header length, dict text, padding, newline.
  CHECK(std::memcmp(npy, "\x93NUMPY", 6) == 0);
  CHECK(npy[6] == 1);
  CHECK(npy[7] == 0);
  const uint32_t hlen = le16(npy + 8);
  CHECK((10 + hlen) % 64 == 0);
  const std::string header(reinterpret_cast<const char*>(npy + 10), hlen);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  CHECK(header.substr(0, dict.size()) == dict);
  CHECK(header.back() == '\n');
  CHECK(header.find_first_not_of(' ', dict.size()) == hlen - 1);
  CHECK(size == 10 + hlen + 12 * 4);
  const uint8_t one[4] = {0x00, 0x00, 0x80, 0x3F};  // 1.0f, little-endian
  CHECK(std::memcmp(npy + 10 + hlen, one, 4) == 0);

  // Central directory and end record.
  const uint8_t* end = &z[z.size() - 22];
  CHECK(le32(end) == 0x06054b50u);
  CHECK(le16(end + 8) == 1);
  CHECK(le16(end + 10) == 1);
  const uint32_t cd = le32(end + 16);
  CHECK(cd == 30 + name.size() + size);
  CHECK(le32(end + 12) == 46 + name.size());
  CHECK(le32(&z[cd]) == 0x02014b50u);
  CHECK(le32(&z[cd + 16]) == le32(&z[14]));  // same CRC
  CHECK(le32(&z[cd + 42]) == 0);             // local header offset

  // Shapes of rank 0 and 1 print as Python tuples do.
  auto header_of = [](const Tensor& x) {
    const std::vector<uint8_t> b = nn::encode_npy(x);
    return std::string(b.begin() + 10, b.begin() + 10 + le16(&b[8]));
  };
  CHECK(header_of(Tensor(Shape{})).find("'shape': (), }") != std::string::npos);
  CHECK(header_of(Tensor({5})).find("'shape': (5,), }") != std::string::npos);
  CHECK(header_of(Tensor({2, 1, 3, 7})).find("'shape': (2, 1, 3, 7), }") != std::string::npos);
}

TEST_CASE("npz: identical weights give identical bytes; order is kept") {
  const auto w = sample_weights();
  CHECK(nn::encode_npz(w) == nn::encode_npz(sample_weights()));
  auto changed = sample_weights();
  Tensor bias = changed[1].value.float32();
  bias[2] = std::nextafter(bias[2], 1e30f);
  changed[1].value = bias;
  CHECK(nn::encode_npz(changed) != nn::encode_npz(w));
  auto reversed = std::vector<NamedArray>(w.rbegin(), w.rend());
  const auto bytes = nn::encode_npz(reversed);
  const auto back = nn::decode_npz(bytes.data(), bytes.size());
  CHECK(back[0].name == "batch_normalization/moving_mean");
  CHECK(back[2].name == "dense/kernel");
}

TEST_CASE("npz: bad names on write; a failed write keeps the old file") {
  CHECK_THROWS_AS(nn::encode_npz({{"", Tensor({1})}}), nn::IoError);
  CHECK_THROWS_AS(nn::encode_npz({{"a", Tensor({1})}, {"a", Tensor({2})}}), nn::IoError);
  CHECK_THROWS_AS(nn::encode_npz({{std::string("a\0b", 3), Tensor({1})}}), nn::IoError);

  nn_test::TempDir tmp("npz");
  const std::string path = (tmp.path / "w.npz").string();
  nn::write_npz(path, sample_weights());
  const auto before = nn::read_file(path);
  CHECK_THROWS_AS(nn::write_npz(path, {{"x", Tensor({1})}, {"x", Tensor({1})}}), nn::IoError);
  CHECK(nn::read_file(path) == before);
  CHECK(!fs::exists(path + ".tmp"));
  CHECK_THROWS_AS(nn::read_npz((tmp.path / "missing.npz").string()), nn::IoError);
}

TEST_CASE("npz: every truncation of a valid file is an error, never a crash") {
  const std::vector<uint8_t> good = nn::encode_npz(sample_weights());
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    std::vector<uint8_t> cut(good.begin(), good.begin() + n);  // exact size: ASan sees overreads
    CHECK_THROWS_AS(nn::decode_npz(cut.data(), cut.size()), nn::Error);
  }
}

TEST_CASE("npz: corrupted bytes either fail with nn::Error or change nothing") {
  const auto original = sample_weights();
  const std::vector<uint8_t> good = nn::encode_npz(original);
  int rejected = 0, harmless = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t flip : {uint8_t(0xFF), uint8_t(0x01), uint8_t(0x80)}) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= flip;
      try {
        // Bytes nothing depends on (e.g. "version made by") may change; the tensors may not.
        const auto back = nn::decode_npz(bad.data(), bad.size());
        REQUIRE_MESSAGE(same_entries(back, original), "byte " << i << " ^ " << int(flip) << " changed the result silently");
        ++harmless;
      } catch (const nn::Error&) {
        ++rejected;
      }
    }
  }
  CHECK(rejected > harmless);

  // Random multi-byte damage.
  nn::Rng rng(99);
  const int trials = nn_test::quick() ? 300 : 3000;
  for (int t = 0; t < trials; ++t) {
    std::vector<uint8_t> bad = good;
    const int hits = 1 + int(rng.below(8));
    for (int h = 0; h < hits; ++h) bad[rng.below(uint32_t(bad.size()))] = uint8_t(rng.below(256));
    bad.resize(bad.size() - rng.below(3) * rng.below(uint32_t(bad.size() / 4)));
    try {
      const auto back = nn::decode_npz(bad.data(), bad.size());
      REQUIRE(same_entries(back, original));
    } catch (const nn::Error&) {
    }
  }
}

TEST_CASE("npz: hand-made files with bad headers give clear messages") {
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // A valid hand-made file decodes (so the failures below are about the one change each makes).
  {
    const auto z = make_zip("a.npy", make_npy(ok_dict, 24));
    const auto back = nn::decode_npz(z.data(), z.size());
    REQUIRE(back.size() == 1);
    CHECK(back[0].name == "a");
    CHECK(back[0].value.shape() == Shape{2, 3});
    CHECK(back[0].value.dtype() == nn::Dtype::float32);
  }
  // numpy.savez's zip64-style local header, and npy format 2.0, are understood.
  CHECK(decode_error(make_zip("a.npy", make_npy(ok_dict, 24), true)) == "");
  CHECK(decode_error(make_zip("a.npy", make_npy(ok_dict, 24, 2))) == "");
  // Other key orders and spacing, as another writer might produce.
  CHECK(decode_error(make_zip("a.npy", make_npy("{\"shape\":(2,3),\"fortran_order\":False,\"descr\":\"<f4\"}", 24))) == "");

  struct Bad {
    std::string dict;
    size_t data;
    std::string expect;  // part of the message
  };
  const std::vector<Bad> cases = {
      // Types other than the four (model/npy.h), big-endian ones included, name what they are.
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 24, "dtype '<i4'"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", 24, "dtype '>f4'"},
      {"{'descr': '>i8', 'fortran_order': False, 'shape': (2, 3), }", 48, "dtype '>i8'"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", 6, "dtype '|u1'"},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", 12, "dtype '<f2'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 24, "needs 48 bytes of '<f8' data"},
      {"{'descr': '<u8', 'fortran_order': True, 'shape': (2, 3), }", 48, "Fortran"},
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24, "Fortran"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", 24, "needs 32 bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", 4, "more than 4 dimensions"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", 24, "far too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536), }", 24, "needs 1125899906842624 bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 0), }", 24, "needs 0 bytes"},
      // Empty, but its other dimensions multiply past any size: still a clear IoError.
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647, 0), }", 0, "far too large"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647, 0), }", 0, "far too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 3), }", 24, "too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24, "malformed"},
      {"{'descr': '<f4', 'fortran_order': False, }", 24, "must all be present"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", 24, "unexpected or repeated key"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, "unexpected or repeated key"},
      {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }", 24, "True or False"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }", 24, "malformed"},
      {"not a dict", 24, "malformed"},
  };
  for (const Bad& b : cases) {
    CAPTURE(b.dict);
    const std::string msg = decode_error(make_zip("a.npy", make_npy(b.dict, b.data)));
    CHECK(msg.find(b.expect) != std::string::npos);
    CHECK(msg.find("test.npz") != std::string::npos);
  }

  std::vector<uint8_t> npy = make_npy(ok_dict, 24);
  npy[0] = 'X';
  CHECK(decode_error(make_zip("a.npy", npy)).find("\\x93NUMPY") != std::string::npos);
  npy = make_npy(ok_dict, 24);
  npy[6] = 9;
  CHECK(decode_error(make_zip("a.npy", npy)).find("version 9.0") != std::string::npos);
  npy = make_npy(ok_dict, 24);
  npy[8] = 0xFF, npy[9] = 0xFF;  // header length beyond the entry
  CHECK(decode_error(make_zip("a.npy", npy)).find("claims 65535 bytes") != std::string::npos);
  npy = make_npy(ok_dict, 24);
  npy[10 + le16(&npy[8]) - 1] = ' ';  // no final newline
  CHECK(decode_error(make_zip("a.npy", npy)).find("newline") != std::string::npos);

  // A file that is not an array is skipped, as numpy.load skips it (a model file's config.json).
  {
    const auto z = make_zip("a.txt", make_npy(ok_dict, 24));
    CHECK(nn::decode_npz(z.data(), z.size()).empty());
    const auto files = nn::decode_zip(z.data(), z.size());
    REQUIRE(files.size() == 1);
    CHECK(files[0].name == "a.txt");
    CHECK(files[0].data == make_npy(ok_dict, 24));
  }
  CHECK(decode_error(make_zip("a.npy", make_npy(ok_dict, 24), false, 8)).find("savez_compressed") != std::string::npos);
  CHECK(decode_error({'P', 'K'}).find("too short") != std::string::npos);
  CHECK(decode_error(std::vector<uint8_t>(100, 0)).find("end-of-central-directory") != std::string::npos);

  // An end record that promises 60,000 entries in a tiny central directory.
  auto z = make_zip("a.npy", make_npy(ok_dict, 24));
  z[z.size() - 22 + 8] = 0x60, z[z.size() - 22 + 9] = 0xEA;
  z[z.size() - 22 + 10] = 0x60, z[z.size() - 22 + 11] = 0xEA;
  CHECK(decode_error(z).find("cannot fit") != std::string::npos);

  // Flipped data byte: the CRC catches it.
  z = nn::encode_npz(sample_weights());
  z[30 + std::string("dense/kernel.npy").size() + 130] ^= 1;
  CHECK(decode_error(z).find("CRC-32") != std::string::npos);
}
