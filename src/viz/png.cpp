// PNG, byte by byte (numbers in PNG are big-endian: most significant byte first).
//
//   89 50 4E 47 0D 0A 1A 0A               signature ("\x89PNG\r\n\x1a\n")
//   IHDR  width, height, bit depth 8, colour type, compression 0, filter 0, interlace 0
//   IDAT  zlib stream of the "filtered" rows: each row is one filter byte (0 = none) + pixels
//   IEND  empty
//
// The zlib stream is: 2 header bytes (0x78 0x01: deflate, 32 KiB window, no dictionary),
// deflate blocks, then the Adler-32 of the uncompressed bytes. A stored deflate block is:
// one byte 0x00 (0x01 if it is the last block), LEN as 2 bytes little-endian (at most
// 65535), NLEN = ~LEN, then LEN raw bytes.
#include "viz/png.h"

#include <algorithm>

#include "tensor/bytes.h"
#include "tensor/crc32.h"
#include "tensor/error.h"
#include "tensor/file_io.h"
#include "viz/adler32.h"
#include "viz/pixels.h"

namespace nn::viz {
namespace {

constexpr size_t kMaxStoredBlock = 65535;

// A chunk's CRC covers its type and data, not its length.
void append_chunk(std::vector<uint8_t>& png, const char type[4], const std::vector<uint8_t>& data) {
  put_u32be(png, static_cast<uint32_t>(data.size()));
  const size_t type_at = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  put_u32be(png, crc32(png.data() + type_at, 4 + data.size()));
}

int colour_type(int channels) {
  switch (channels) {
    case 1: return 0;  // grayscale
    case 2: return 4;  // grayscale + alpha
    case 3: return 2;  // truecolour (RGB)
    case 4: return 6;  // truecolour + alpha
  }
  return -1;
}

std::vector<uint8_t> zlib_stored(const std::vector<uint8_t>& raw) {
  std::vector<uint8_t> z;
  z.reserve(raw.size() + raw.size() / kMaxStoredBlock * 5 + 16);
  put_u8(z, 0x78);  // CMF: method 8 (deflate), window 2^(7+8) = 32 KiB
  put_u8(z, 0x01);  // FLG: chosen so that (CMF * 256 + FLG) is a multiple of 31
  size_t pos = 0;
  do {
    const size_t n = std::min(kMaxStoredBlock, raw.size() - pos);
    const bool last = pos + n == raw.size();
    put_u8(z, last ? 1 : 0);  // BFINAL bit, BTYPE 00 = stored
    put_u16le(z, static_cast<uint32_t>(n));
    put_u16le(z, static_cast<uint32_t>(~n & 0xFFFF));
    z.insert(z.end(), raw.begin() + pos, raw.begin() + pos + n);
    pos += n;
  } while (pos < raw.size());
  put_u32be(z, adler32(raw.data(), raw.size()));
  return z;
}

}  // namespace

std::vector<uint8_t> encode_png(int width, int height, int channels, const uint8_t* pixels) {
  if (colour_type(channels) < 0)
    throw ValueError("a PNG image has 1, 2, 3 or 4 channels, got " + std::to_string(channels));
  if (width < 1 || height < 1)
    throw ValueError("a PNG image is at least 1x1 pixel, got " + std::to_string(width) + "x" + std::to_string(height));
  if (!pixels) throw ValueError("encode_png got no pixel data (a null pointer)");
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  // One IDAT chunk holds the whole stream, and a chunk's length must stay below 2^31.
  if ((row_bytes + 1) * static_cast<size_t>(height) > (size_t{1} << 30))
    throw ValueError("image too large for this PNG writer: " + std::to_string(width) + "x" + std::to_string(height));

  std::vector<uint8_t> raw;
  raw.reserve((row_bytes + 1) * height);
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);  // filter type 0: the row's bytes as they are
    raw.insert(raw.end(), pixels + y * row_bytes, pixels + (y + 1) * row_bytes);
  }

  std::vector<uint8_t> ihdr;
  put_u32be(ihdr, static_cast<uint32_t>(width));
  put_u32be(ihdr, static_cast<uint32_t>(height));
  put_u8(ihdr, 8);  // bits per channel
  put_u8(ihdr, static_cast<uint32_t>(colour_type(channels)));
  put_u8(ihdr, 0);  // compression method: deflate (the only one)
  put_u8(ihdr, 0);  // filter method: adaptive (the only one)
  put_u8(ihdr, 0);  // no interlacing

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  append_chunk(png, "IHDR", ihdr);
  append_chunk(png, "IDAT", zlib_stored(raw));
  append_chunk(png, "IEND", {});
  return png;
}

void write_png(const std::string& path, int width, int height, int channels, const uint8_t* pixels) {
  write_file_atomic(path, encode_png(width, height, channels, pixels));
}

std::vector<uint8_t> encode_png(const Tensor& image, float lo, float hi) {
  Image8 img = to_image8(image, lo, hi);
  return encode_png(img.width, img.height, img.channels, img.pixels.data());
}

void write_png(const std::string& path, const Tensor& image, float lo, float hi) {
  write_file_atomic(path, encode_png(image, lo, hi));
}

}  // namespace nn::viz
