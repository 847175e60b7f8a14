// A PNG encoder with no dependencies: enough of the format to write any 8-bit image.
//
// A PNG file is a signature followed by chunks: IHDR (size and pixel format), IDAT (the
// pixels, as a zlib stream) and IEND. Each chunk is length, 4-letter type, data, CRC-32.
// PNG normally compresses the pixels with deflate; we use deflate's "stored" blocks,
// which hold bytes uncompressed. The file is larger, every viewer still opens it, and the
// whole encoder fits on a page (see png.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn::viz {

// pixels: height rows of width * channels bytes, channels 1 gray, 2 gray+alpha, 3 RGB,
// 4 RGBA. Throws ValueError for a size of 0 or an unsupported channel count.
std::vector<uint8_t> encode_png(int width, int height, int channels, const uint8_t* pixels);
void write_png(const std::string& path, int width, int height, int channels, const uint8_t* pixels);

// image: (H, W), (H, W, C) or (1, H, W, C) floats in [lo, hi] (see to_image8 in pixels.h).
std::vector<uint8_t> encode_png(const Tensor& image, float lo = 0.0f, float hi = 255.0f);
void write_png(const std::string& path, const Tensor& image, float lo = 0.0f, float hi = 255.0f);

}  // namespace nn::viz
