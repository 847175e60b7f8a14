// The zip container around the .npy entries.
//
// A zip file is read from its end. Layout of what we write:
//
//   [local header 1][name 1][data 1] [local header 2][name 2][data 2] ...
//   [central directory: one record per entry, pointing at its local header]
//   [end of central directory: where the central directory starts, how many entries]
//
// The data is written twice-described (local header and central record) so that tools
// can stream a zip front to back or jump straight to an entry; a reader must check that
// the two descriptions agree. All numbers are little-endian.
//
// numpy.savez writes "zip64" local headers (sizes 0xFFFFFFFF, real sizes in an extra
// field); the reader understands those too, so files saved from Python load here.
#include "model/npz.h"

#include <set>

#include "model/npy.h"
#include "tensor/bytes.h"
#include "tensor/crc32.h"
#include "tensor/error.h"
#include "tensor/file_io.h"

namespace nn {
namespace {

constexpr uint32_t kLocalSignature = 0x04034b50;    // "PK\3\4"
constexpr uint32_t kCentralSignature = 0x02014b50;  // "PK\1\2"
constexpr uint32_t kEndSignature = 0x06054b50;      // "PK\5\6"
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22;  // fixed parts, bytes
constexpr uint32_t kVersion = 20;       // "2.0": the zip version that a stored file needs
constexpr uint32_t kDosTime = 0;        // 00:00:00
constexpr uint32_t kDosDate = 1 << 5 | 1;  // 1980-01-01: (year-1980) << 9 | month << 5 | day
constexpr uint32_t kFlagEncrypted = 1, kFlagDataDescriptor = 8, kFlagUtf8 = 0x800;
constexpr uint32_t kZip64Marker = 0xFFFFFFFF;

[[noreturn]] void corrupt(const std::string& source, const std::string& problem) {
  throw IoError(source + ": " + problem);
}

const std::string kCorruptHint = "; the file is truncated or corrupt (write it again, e.g. with save_weights)";

// Fields shared by the local header and the central record of one entry.
struct EntryInfo {
  uint32_t flags = 0, method = 0, crc = 0;
  uint64_t compressed_size = 0, size = 0, local_offset = 0;
  std::string name;
};

// A zip64 "extra field" (id 1) holds, in this order, the 8-byte values of whichever of
// size, compressed size and local offset were set to 0xFFFFFFFF in the fixed part.
void apply_zip64_extra(const uint8_t* extra, size_t extra_len, EntryInfo& e, bool with_offset,
                       const std::string& source) {
  bool need_size = e.size == kZip64Marker, need_csize = e.compressed_size == kZip64Marker;
  bool need_offset = with_offset && e.local_offset == kZip64Marker;
  if (!need_size && !need_csize && !need_offset) return;
  size_t pos = 0;
  while (pos + 4 <= extra_len) {
    uint32_t id = get_u16le(extra + pos), len = get_u16le(extra + pos + 2);
    if (pos + 4 + len > extra_len) break;
    if (id == 1) {
      const uint8_t* p = extra + pos + 4;
      size_t left = len;
      auto take = [&](uint64_t& field) {
        if (left < 8) corrupt(source, "entry '" + e.name + "' has a short zip64 field" + kCorruptHint);
        field = get_u64le(p);
        p += 8;
        left -= 8;
      };
      if (need_size) take(e.size);
      if (need_csize) take(e.compressed_size);
      if (need_offset) take(e.local_offset);
      return;
    }
    pos += 4 + len;
  }
  corrupt(source, "entry '" + e.name + "' says its sizes are in a zip64 field, but there is none" + kCorruptHint);
}

// Array names become file names "<name>.npy": they must be usable as such.
void check_names(const std::vector<NamedArray>& entries) {
  std::set<std::string> seen;
  for (const NamedArray& e : entries) {
    if (e.name.empty()) throw IoError("cannot write an .npz entry with an empty name; give every tensor a name");
    if (e.name.find('\0') != std::string::npos)
      throw IoError("the .npz entry name '" + e.name + "' contains a NUL character; use printable names");
    if (!seen.insert(e.name).second)
      throw IoError("two .npz entries are named '" + e.name + "'; names must be unique (they become file names)");
  }
}

void check_file_names(const std::vector<ZipEntry>& files) {
  std::set<std::string> seen;
  for (const ZipEntry& f : files) {
    if (f.name.empty()) throw IoError("cannot write a zip file entry with an empty name");
    if (f.name.find('\0') != std::string::npos)
      throw IoError("the zip entry name '" + f.name + "' contains a NUL character; use printable names");
    if (f.name.size() > 0xFFFF) throw IoError("the zip entry name '" + f.name.substr(0, 40) + "...' is too long");
    if (!seen.insert(f.name).second) throw IoError("two zip entries are named '" + f.name + "'; names must be unique");
  }
}

const std::string kNpySuffix = ".npy";

bool is_npy_name(const std::string& name) {
  return name.size() > kNpySuffix.size() &&
         name.compare(name.size() - kNpySuffix.size(), kNpySuffix.size(), kNpySuffix) == 0;
}

}  // namespace

ZipEntry npy_file(const NamedArray& array) { return ZipEntry{array.name + kNpySuffix, encode_npy(array.value)}; }

std::vector<uint8_t> encode_npz(const std::vector<NamedArray>& entries) {
  check_names(entries);
  std::vector<ZipEntry> files;
  files.reserve(entries.size());
  for (const NamedArray& e : entries) files.push_back(npy_file(e));
  return encode_zip(files);
}

std::vector<uint8_t> encode_zip(const std::vector<ZipEntry>& entries) {
  check_file_names(entries);
  if (entries.size() > 0xFFFF) throw IoError("a zip without zip64 holds at most 65535 entries, got " + std::to_string(entries.size()));

  std::vector<uint8_t> out, central;
  auto check_fits = [&](uint64_t value, const std::string& what) {
    if (value >= kZip64Marker)
      throw IoError("the archive would exceed 4 GiB (" + what + "); nnscratch writes plain zip files, which cannot");
  };
  for (const ZipEntry& e : entries) {
    const std::vector<uint8_t>& npy = e.data;  // the file's bytes (an .npy array, or e.g. config.json)
    const std::string& name = e.name;
    const uint32_t crc = crc32(npy.data(), npy.size());
    const uint64_t offset = out.size();
    check_fits(npy.size(), "entry '" + e.name + "'");
    check_fits(offset, "offset of entry '" + e.name + "'");
    uint32_t flags = 0;
    for (unsigned char c : name)
      if (c >= 0x80) flags = kFlagUtf8;  // tell unzip tools the name is UTF-8, not DOS code page 437

    // Local header, then the name and the data.
    put_u32le(out, kLocalSignature);
    put_u16le(out, kVersion);  // version needed to extract
    put_u16le(out, flags);
    put_u16le(out, 0);  // method 0: stored, no compression
    put_u16le(out, kDosTime);
    put_u16le(out, kDosDate);
    put_u32le(out, crc);
    put_u32le(out, static_cast<uint32_t>(npy.size()));  // compressed size (= size when stored)
    put_u32le(out, static_cast<uint32_t>(npy.size()));  // uncompressed size
    put_u16le(out, static_cast<uint32_t>(name.size()));
    put_u16le(out, 0);  // no extra field
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), npy.begin(), npy.end());

    // Central directory record: the same facts plus where the local header is.
    put_u32le(central, kCentralSignature);
    put_u16le(central, kVersion);  // version made by (2.0, MS-DOS attributes)
    put_u16le(central, kVersion);  // version needed to extract
    put_u16le(central, flags);
    put_u16le(central, 0);
    put_u16le(central, kDosTime);
    put_u16le(central, kDosDate);
    put_u32le(central, crc);
    put_u32le(central, static_cast<uint32_t>(npy.size()));
    put_u32le(central, static_cast<uint32_t>(npy.size()));
    put_u16le(central, static_cast<uint32_t>(name.size()));
    put_u16le(central, 0);  // extra field length
    put_u16le(central, 0);  // comment length
    put_u16le(central, 0);  // disk number
    put_u16le(central, 0);  // internal attributes
    put_u32le(central, 0);  // external attributes
    put_u32le(central, static_cast<uint32_t>(offset));
    central.insert(central.end(), name.begin(), name.end());
  }
  const uint64_t central_offset = out.size();
  check_fits(central_offset + central.size(), "central directory");
  out.insert(out.end(), central.begin(), central.end());

  put_u32le(out, kEndSignature);
  put_u16le(out, 0);  // this disk
  put_u16le(out, 0);  // disk where the central directory starts
  put_u16le(out, static_cast<uint32_t>(entries.size()));  // entries on this disk
  put_u16le(out, static_cast<uint32_t>(entries.size()));  // entries in total
  put_u32le(out, static_cast<uint32_t>(central.size()));
  put_u32le(out, static_cast<uint32_t>(central_offset));
  put_u16le(out, 0);  // comment length
  return out;
}

std::vector<NamedArray> decode_npz(const uint8_t* bytes, size_t size, const std::string& source) {
  return npy_arrays(decode_zip(bytes, size, source), source);
}

std::vector<NamedArray> npy_arrays(const std::vector<ZipEntry>& files, const std::string& source) {
  std::vector<NamedArray> result;
  for (const ZipEntry& f : files) {
    if (!is_npy_name(f.name)) continue;  // e.g. a model file's config.json: numpy.load skips it too
    std::string name = f.name.substr(0, f.name.size() - kNpySuffix.size());
    NpyArray value = decode_npy(f.data.data(), f.data.size(), source + ": entry '" + name + "'");
    result.push_back({std::move(name), std::move(value)});
  }
  return result;
}

std::vector<ZipEntry> decode_zip(const uint8_t* bytes, size_t size, const std::string& source) {
  // 1. The end-of-central-directory record: the last 22 bytes, unless a comment follows
  //    it (up to 65535 bytes), so search backwards for its signature.
  if (size < kEndSize)
    corrupt(source, "only " + std::to_string(size) + " bytes, too short for a zip/.npz file" + kCorruptHint);
  size_t end = SIZE_MAX;
  const size_t lowest = size - kEndSize > 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
    if (get_u32le(bytes + pos) == kEndSignature && get_u16le(bytes + pos + 20) == size - pos - kEndSize) {
      end = pos;
      break;
    }
  }
  if (end == SIZE_MAX)
    corrupt(source, "not a zip (.npz) file: no zip end-of-central-directory record found" + kCorruptHint);
  const uint8_t* e = bytes + end;
  const uint32_t disk = get_u16le(e + 4), central_disk = get_u16le(e + 6);
  const uint32_t count_here = get_u16le(e + 8), count = get_u16le(e + 10);
  const uint64_t central_size = get_u32le(e + 12), central_offset = get_u32le(e + 16);
  if (disk != 0 || central_disk != 0 || count_here != count)
    corrupt(source, "split (multi-disk) zip archives are not supported");
  if (count == 0xFFFF || central_size == kZip64Marker || central_offset == kZip64Marker)
    corrupt(source, "zip64 archives (over 4 GiB or 65535 entries) are not supported");
  if (central_offset > end || central_size > end - central_offset)
    corrupt(source, "the central directory (offset " + std::to_string(central_offset) + ", " +
                        std::to_string(central_size) + " bytes) lies outside the file" + kCorruptHint);
  if (static_cast<uint64_t>(count) * kCentralSize > central_size)
    corrupt(source, std::to_string(count) + " entries cannot fit in a central directory of " +
                        std::to_string(central_size) + " bytes" + kCorruptHint);

  // 2. Walk the central directory; for each entry check its local header and data.
  std::vector<ZipEntry> result;
  result.reserve(count);
  std::set<std::string> seen;
  size_t pos = central_offset;
  const size_t central_end = central_offset + central_size;
  for (uint32_t i = 0; i < count; ++i) {
    const std::string where = "central directory record " + std::to_string(i + 1);
    if (central_end - pos < kCentralSize || get_u32le(bytes + pos) != kCentralSignature)
      corrupt(source, where + " is missing or damaged" + kCorruptHint);
    const uint8_t* c = bytes + pos;
    EntryInfo info;
    info.flags = get_u16le(c + 8);
    info.method = get_u16le(c + 10);
    info.crc = get_u32le(c + 16);
    info.compressed_size = get_u32le(c + 20);
    info.size = get_u32le(c + 24);
    const size_t name_len = get_u16le(c + 28), extra_len = get_u16le(c + 30), comment_len = get_u16le(c + 32);
    info.local_offset = get_u32le(c + 42);
    if (central_end - pos - kCentralSize < name_len + extra_len + comment_len)
      corrupt(source, where + " runs past the end of the central directory" + kCorruptHint);
    info.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);
    apply_zip64_extra(c + kCentralSize + name_len, extra_len, info, true, source);
    pos += kCentralSize + name_len + extra_len + comment_len;

    const std::string entry = "entry '" + info.name + "'";
    if (info.flags & kFlagEncrypted) corrupt(source, entry + " is encrypted; save the weights without a password");
    if (info.method != 0)
      corrupt(source, entry + " is compressed (zip method " + std::to_string(info.method) +
                          "); nnscratch reads uncompressed .npz files: in NumPy use numpy.savez, not savez_compressed");
    if (info.compressed_size != info.size)
      corrupt(source, entry + " is stored but its two sizes differ" + kCorruptHint);

    // The local header repeats the facts; it must agree with the central record.
    if (info.local_offset > central_offset || central_offset - info.local_offset < kLocalSize ||
        get_u32le(bytes + info.local_offset) != kLocalSignature)
      corrupt(source, entry + ": its local header (at offset " + std::to_string(info.local_offset) + ") is missing" + kCorruptHint);
    const uint8_t* l = bytes + info.local_offset;
    EntryInfo local;
    local.flags = get_u16le(l + 6);
    local.method = get_u16le(l + 8);
    local.crc = get_u32le(l + 14);
    local.compressed_size = get_u32le(l + 18);
    local.size = get_u32le(l + 22);
    const size_t local_name_len = get_u16le(l + 26), local_extra_len = get_u16le(l + 28);
    const uint64_t data_offset = info.local_offset + kLocalSize + local_name_len + local_extra_len;
    if (data_offset > central_offset || info.size > central_offset - data_offset)
      corrupt(source, entry + ": its data runs past the start of the central directory" + kCorruptHint);
    local.name.assign(reinterpret_cast<const char*>(l + kLocalSize), local_name_len);
    if (local.name != info.name || local.method != info.method)
      corrupt(source, entry + ": the local header does not match the central directory" + kCorruptHint);
    // With a "data descriptor" (flag 8) the local CRC and sizes may be zero; the
    // central record is then the only authority.
    if (!(local.flags & kFlagDataDescriptor)) {
      apply_zip64_extra(l + kLocalSize + local_name_len, local_extra_len, local, false, source);
      if (local.crc != info.crc || local.size != info.size || local.compressed_size != info.compressed_size)
        corrupt(source, entry + ": the local header's CRC or sizes differ from the central directory" + kCorruptHint);
    }

    const uint8_t* data = bytes + data_offset;
    const uint32_t actual_crc = crc32(data, info.size);
    if (actual_crc != info.crc)
      corrupt(source, entry + " fails its CRC-32 check (the bytes changed after writing)" + kCorruptHint);

    // "a.npy" and "a" would both be the array "a" to numpy.load; keep names unambiguous.
    const std::string array_name = is_npy_name(info.name) ? info.name.substr(0, info.name.size() - kNpySuffix.size()) : info.name;
    if (!seen.insert(array_name).second) corrupt(source, "two entries are named '" + array_name + "'" + kCorruptHint);
    result.push_back({std::move(info.name), std::vector<uint8_t>(data, data + info.size)});
  }
  return result;
}

void write_npz(const std::string& path, const std::vector<NamedArray>& entries) {
  std::vector<uint8_t> bytes;
  try {
    bytes = encode_npz(entries);
  } catch (const IoError& err) {
    throw IoError("cannot write '" + path + "': " + err.what());
  }
  write_file_atomic(path, bytes);
}

std::vector<NamedArray> read_npz(const std::string& path) {
  remove_stale_temporary(path);  // what an interrupted save of this file left behind
  std::vector<uint8_t> bytes = read_file(path);
  return decode_npz(bytes.data(), bytes.size(), "'" + path + "'");
}

}  // namespace nn
