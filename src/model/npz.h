// Named arrays in a NumPy .npz file: the weights (and checkpoint) file format of nnscratch.
//
// An .npz is an ordinary zip archive holding one .npy file per array (model/npy.h: float32
// tensors, 64-bit floats and integers), named "<name>.npy". We store entries uncompressed
// (zip method 0, like numpy.savez), so in Python `numpy.load("w.npz")["dense/kernel"]`
// gives back the array.
//
// The bytes depend only on the arrays: every entry carries the same fixed timestamp
// (1980-01-01 00:00, the earliest a zip can say) and entries keep the order given, so
// two identical trainings write byte-identical files.
//
// Reading checks every field it relies on (signatures, sizes, offsets, CRC-32, the npy
// header) and throws nn::IoError naming the file and the problem; a corrupt or truncated
// file never crashes the program or makes it allocate more than the file's own size.
//
// The zip layer is also open on its own (encode_zip / decode_zip), for archives that hold
// other files next to the arrays: a whole-model file (model/model_file.h) is such a zip,
// config.json followed by the weights. The array readers skip files that are not .npy,
// as numpy.load does, so load_weights reads the weights out of a model file too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/npy.h"

namespace nn {

struct NamedArray {
  std::string name;  // e.g. "dense/kernel"; stored as "dense/kernel.npy"
  NpyArray value;    // a weight is a float32 Tensor: {"dense/kernel", kernel} works
};

// One file in a zip, as stored: its name ("dense/kernel.npy", "config.json") and its bytes.
struct ZipEntry {
  std::string name;
  std::vector<uint8_t> data;
};

// A whole zip in memory: the files uncompressed, in the order given, with the fixed
// timestamp. Names must be non-empty, unique and free of NUL characters.
std::vector<uint8_t> encode_zip(const std::vector<ZipEntry>& files);
// Every file of a zip, in the order of its central directory, each one checked (local
// header against central record, CRC-32). `source` names the data in error messages.
std::vector<ZipEntry> decode_zip(const uint8_t* bytes, size_t size, const std::string& source = "zip data");

// An array as the file "<name>.npy" of an archive.
ZipEntry npy_file(const NamedArray& array);
// The arrays among `files`: each "<name>.npy" decoded, in order; other files are skipped.
std::vector<NamedArray> npy_arrays(const std::vector<ZipEntry>& files, const std::string& source);

// Whole archive in memory. Names must be non-empty and unique.
std::vector<uint8_t> encode_npz(const std::vector<NamedArray>& entries);
// `source` names the data in error messages (read_npz passes the path). Files in the zip
// that are not .npy arrays are skipped.
std::vector<NamedArray> decode_npz(const uint8_t* bytes, size_t size, const std::string& source = "npz data");

// Writes via `<path>.tmp`, fsync and rename (a crash never leaves half a file at `path`).
void write_npz(const std::string& path, const std::vector<NamedArray>& entries);
// Also removes a leftover `<path>.tmp` of an interrupted write (remove_stale_temporary).
std::vector<NamedArray> read_npz(const std::string& path);

}  // namespace nn
