// .npy encoding and decoding. The header is a Python dict literal; we write exactly one
// form of it and read it with a tiny parser that understands just the three keys NumPy
// uses, so a malformed or hostile header can only ever produce an error message.
// The numbers are copied byte by byte, lowest byte first, whatever their type.
#include "model/npy.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <type_traits>

#include "tensor/bytes.h"
#include "tensor/error.h"

namespace nn {
namespace {

constexpr char kMagic[] = "\x93NUMPY";  // 6 bytes (plus the string's terminating zero)
constexpr size_t kMagicSize = 6;
constexpr size_t kAlign = 64;  // NumPy aligns the data to 64 bytes (one cache line)

struct TypeInfo {
  Dtype dtype;
  const char* descr;  // NumPy's name, as in the header
  size_t item_size;   // bytes per number
};
// In the order of enum Dtype.
constexpr TypeInfo kTypes[] = {
    {Dtype::float32, "<f4", 4}, {Dtype::float64, "<f8", 8}, {Dtype::int64, "<i8", 8}, {Dtype::uint64, "<u8", 8}};

const TypeInfo& info(Dtype dtype) { return kTypes[static_cast<int>(dtype)]; }

std::string shape_tuple(const Shape& shape) {
  // Python's repr of a tuple: (), (3,), (3, 4)
  return shape_str(shape);
}

[[noreturn]] void bad(const std::string& what, const std::string& problem) {
  throw IoError(what + ": " + problem);
}

// Parser for the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  void parse(std::string& descr, bool& fortran_order, Shape& shape) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      std::string key = parse_string();
      expect(':');
      if (key == "descr" && !seen_descr) {
        descr = parse_string();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_order) {
        fortran_order = parse_bool();
        seen_order = true;
      } else if (key == "shape" && !seen_shape) {
        shape = parse_shape();
        seen_shape = true;
      } else {
        fail("unexpected or repeated key '" + key + "'");
      }
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;
    skip_spaces();
    if (pos_ != s_.size()) fail("unexpected text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) fail("the keys 'descr', 'fortran_order' and 'shape' must all be present");
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    bad(what_, "malformed .npy header (" + problem + " at character " + std::to_string(pos_) + " of \"" + printable() +
                   "\"); the file is corrupt or not written by NumPy");
  }
  std::string printable() const {
    std::string out;
    for (char c : s_.substr(0, 120)) out += (c >= 32 && c < 127) ? c : '?';
    return out;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c) {
    skip_spaces();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string parse_string() {
    skip_spaces();
    char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string value = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return value;
  }
  bool parse_bool() {
    skip_spaces();
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  Shape parse_shape() {
    expect('(');
    Shape shape;
    while (true) {
      skip_spaces();
      if (peek() == ')') break;
      if (shape.size() == static_cast<size_t>(Tensor::kMaxRank))
        bad(what_, "the array has more than " + std::to_string(Tensor::kMaxRank) +
                       " dimensions; nnscratch tensors have at most that many");
      if (peek() < '0' || peek() > '9') fail("expected a dimension (a non-negative integer)");
      long long d = 0;
      while (peek() >= '0' && peek() <= '9') {
        d = d * 10 + (peek() - '0');
        if (d > INT_MAX) fail("dimension too large");
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 wrote long integers as 3L
      shape.push_back(static_cast<int>(d));
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail("expected ',' or ')' in the shape");
    }
    ++pos_;
    return shape;
  }

  const std::string& s_;
  const std::string& what_;
  size_t pos_ = 0;
};

// A number's bits as an unsigned integer of the same width: the same bytes on every CPU
// whatever its own byte order (see tensor/bytes.h).
template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

// out: n * sizeof(T) bytes, little-endian.
template <class T>
void write_numbers(const T* values, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i, out += sizeof(T)) {
    const Bits<T> bits = std::bit_cast<Bits<T>>(values[i]);  // the exact bit pattern, NaNs too
    for (size_t b = 0; b < sizeof(T); ++b) out[b] = static_cast<uint8_t>(bits >> (8 * b));
  }
}

// in: n * sizeof(T) bytes, little-endian.
template <class T>
void read_numbers(const uint8_t* in, size_t n, T* values) {
  for (size_t i = 0; i < n; ++i, in += sizeof(T)) {
    Bits<T> bits = 0;
    for (size_t b = 0; b < sizeof(T); ++b) bits |= static_cast<Bits<T>>(in[b]) << (8 * b);
    values[i] = std::bit_cast<T>(bits);
  }
}

template <class T>
std::vector<T> read_vector(const uint8_t* in, size_t n) {
  std::vector<T> values(n);
  read_numbers(in, n, values.data());
  return values;
}

void check_count(const Shape& shape, size_t count) {
  if (shape_size(shape) != count)
    throw ShapeError("NpyArray: shape " + shape_str(shape) + " holds " + std::to_string(shape_size(shape)) +
                     " numbers, but " + std::to_string(count) + " were given");
}

template <class T, class Variant>
const T& values_as(const Variant& values, Dtype wanted) {
  if (const T* v = std::get_if<T>(&values)) return *v;
  throw Error(std::string("NpyArray: the array holds '") + npy_descr(static_cast<Dtype>(values.index())) +
              "' numbers, not '" + npy_descr(wanted) + "'; check dtype() before reading it");
}

}  // namespace

const char* npy_descr(Dtype dtype) { return info(dtype).descr; }

// ---- NpyArray ----
// (shape_ is declared before values_, so it is set before `values` is moved away.)

NpyArray::NpyArray(Tensor values) : shape_(values.shape()), values_(std::move(values)) {}
NpyArray::NpyArray(std::vector<double> values) : shape_{static_cast<int>(values.size())}, values_(std::move(values)) {}
NpyArray::NpyArray(std::vector<int64_t> values) : shape_{static_cast<int>(values.size())}, values_(std::move(values)) {}
NpyArray::NpyArray(std::vector<uint64_t> values) : shape_{static_cast<int>(values.size())}, values_(std::move(values)) {}

NpyArray::NpyArray(Shape shape, std::vector<double> values) : shape_(std::move(shape)), values_(std::move(values)) {
  check_count(shape_, size());
}
NpyArray::NpyArray(Shape shape, std::vector<int64_t> values) : shape_(std::move(shape)), values_(std::move(values)) {
  check_count(shape_, size());
}
NpyArray::NpyArray(Shape shape, std::vector<uint64_t> values) : shape_(std::move(shape)), values_(std::move(values)) {
  check_count(shape_, size());
}

size_t NpyArray::size() const {
  return std::visit([](const auto& values) { return values.size(); }, values_);
}

const Tensor& NpyArray::float32() const { return values_as<Tensor>(values_, Dtype::float32); }
const std::vector<double>& NpyArray::float64() const { return values_as<std::vector<double>>(values_, Dtype::float64); }
const std::vector<int64_t>& NpyArray::int64() const { return values_as<std::vector<int64_t>>(values_, Dtype::int64); }
const std::vector<uint64_t>& NpyArray::uint64() const { return values_as<std::vector<uint64_t>>(values_, Dtype::uint64); }

// ---- encoding ----

std::vector<uint8_t> encode_npy(const NpyArray& array) {
  const TypeInfo& type = info(array.dtype());
  std::string header = std::string("{'descr': '") + type.descr + "', 'fortran_order': False, 'shape': " +
                       shape_tuple(array.shape()) + ", }";
  // magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
  const size_t fixed = kMagicSize + 2 + 2;
  size_t padding = (kAlign - (fixed + header.size() + 1) % kAlign) % kAlign;
  header.append(padding, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) throw IoError("npy header too long for format 1.0: " + std::to_string(header.size()) + " bytes");

  std::vector<uint8_t> out(fixed + header.size() + array.size() * type.item_size);
  std::memcpy(out.data(), kMagic, kMagicSize);
  out[6] = 1;  // major version
  out[7] = 0;  // minor version
  out[8] = static_cast<uint8_t>(header.size());  // header length, little-endian
  out[9] = static_cast<uint8_t>(header.size() >> 8);
  std::memcpy(out.data() + fixed, header.data(), header.size());
  uint8_t* data = out.data() + fixed + header.size();
  switch (array.dtype()) {
    case Dtype::float32: write_numbers(array.float32().data(), array.size(), data); break;
    case Dtype::float64: write_numbers(array.float64().data(), array.size(), data); break;
    case Dtype::int64: write_numbers(array.int64().data(), array.size(), data); break;
    case Dtype::uint64: write_numbers(array.uint64().data(), array.size(), data); break;
  }
  return out;
}

// ---- decoding ----

NpyArray decode_npy(const uint8_t* bytes, size_t size, const std::string& what) {
  if (size < kMagicSize + 4 || std::memcmp(bytes, kMagic, kMagicSize) != 0)
    bad(what, "not a .npy array (it does not start with the bytes \\x93NUMPY)");
  const int major = bytes[6], minor = bytes[7];
  if ((major < 1 || major > 3) || minor != 0)
    bad(what, ".npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                  " is not supported (expected 1.0, 2.0 or 3.0)");
  // Version 1.0 stores the header length in 2 bytes; 2.0 and 3.0 (for huge headers) in 4.
  const size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix) bad(what, "truncated .npy header");
  const size_t header_len = major == 1 ? get_u16le(bytes + 8) : get_u32le(bytes + 8);
  if (header_len > size - prefix)
    bad(what, "the .npy header claims " + std::to_string(header_len) + " bytes but only " +
                  std::to_string(size - prefix) + " follow; the file is truncated or corrupt");
  std::string header(reinterpret_cast<const char*>(bytes + prefix), header_len);
  if (header.empty() || header.back() != '\n') bad(what, "the .npy header does not end with a newline; the file is corrupt");

  std::string descr;
  bool fortran_order = false;
  Shape shape;
  HeaderParser(header, what).parse(descr, fortran_order, shape);
  const TypeInfo* type = nullptr;
  for (const TypeInfo& t : kTypes)
    if (descr == t.descr) type = &t;
  if (!type)
    bad(what, "the array has dtype '" + descr +
                  "' but nnscratch reads only '<f4' (float32), '<f8' (float64), '<i8' (int64) and '<u8' (uint64), "
                  "little-endian; in NumPy, save a.astype('<f4') for weights");
  if (fortran_order)
    bad(what, "the array is stored in Fortran (column-major) order; in NumPy, save np.ascontiguousarray(a)");

  // Count the elements in a way that cannot overflow, and allocate nothing until the count
  // matches the bytes actually present: a corrupt header can only cause an error message.
  const size_t data_size = size - prefix - header_len;
  // The product of the non-zero dimensions must fit too, even when a zero makes the array
  // empty: shape arithmetic elsewhere (shape_size) multiplies them all.
  size_t count = 1;
  bool too_large = false;
  for (int d : shape) {
    if (d == 0) continue;
    if (count > SIZE_MAX / 8 / static_cast<size_t>(d)) {  // 8: the widest item, so count * 8 fits
      too_large = true;
      break;
    }
    count *= static_cast<size_t>(d);
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) count = 0;  // an empty array
  if (too_large)
    bad(what, "shape " + shape_str(shape) + " is far too large for any file; the header is corrupt");
  if (count * type->item_size != data_size)
    bad(what, "shape " + shape_str(shape) + " needs " + std::to_string(count * type->item_size) + " bytes of '" +
                  descr + "' data but the entry holds " + std::to_string(data_size) +
                  "; the file is truncated or corrupt");

  const uint8_t* data = bytes + prefix + header_len;
  switch (type->dtype) {
    case Dtype::float32: {
      Tensor tensor(shape);
      read_numbers(data, count, tensor.data());
      return NpyArray(std::move(tensor));
    }
    case Dtype::float64: return NpyArray(shape, read_vector<double>(data, count));
    case Dtype::int64: return NpyArray(shape, read_vector<int64_t>(data, count));
    case Dtype::uint64: return NpyArray(shape, read_vector<uint64_t>(data, count));
  }
  bad(what, "unreachable dtype");
}

}  // namespace nn
