// One tensor as a NumPy .npy file (format 1.0), as bytes in memory.
//
// Layout of what encode_npy produces (all that numpy.load needs):
//   "\x93NUMPY"  magic, 6 bytes
//   1, 0         format version 1.0
//   HEADER_LEN   2 bytes, little-endian
//   header       "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" padded with
//                spaces and ended by '\n' so that the data starts at a multiple of 64 bytes
//   data         the floats, little-endian float32 ('<f4'), row-major ("C order")
//
// decode_npy accepts what NumPy writes for a float32 array (versions 1.0, 2.0 and 3.0)
// and rejects everything else with an nn::IoError saying what it found.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn {

std::vector<uint8_t> encode_npy(const Tensor& tensor);

// `what` names the array in error messages, e.g. "entry 'dense/kernel' of 'w.npz'".
Tensor decode_npy(const uint8_t* bytes, size_t size, const std::string& what = "npy data");

}  // namespace nn
