// The geometry of one convolution, shared by every convolution kernel (kernels/conv_gemm.h,
// kernels/im2col.h) and the plain reference (reference/conv2d.h).
//
// A k×k window slides with stride s over an image (H, W, C) that has pt rows of zeros
// above it and pl columns to its left (and as many below and to the right as the last
// window needs), giving an output (Ho, Wo, F): output pixel (oy, ox) sees input pixels
//   iy = oy·s + ky - pt,  ix = ox·s + kx - pl     for ky, kx in [0, k)
// (see layers/window.h for how Ho, Wo, pt and pl follow from "valid" and "same").
#pragma once
#include <algorithm>
#include <cstddef>

namespace nn {

struct ConvShape {
  int out_h = 0, out_w = 0;         // Ho, Wo
  int kernel = 0, stride = 0;       // k, s
  int channels = 0, filters = 0;    // C, F
  int in_h = 0, in_w = 0;           // H, W
  int pad_top = 0, pad_left = 0;    // pt, pl (layers/window.h)
  int run() const { return kernel * channels; }    // one kernel row of a patch: kw·C numbers
  int patch() const { return kernel * run(); }     // kh·kw·C
  size_t image() const { return static_cast<size_t>(in_h) * in_w * channels; }
  int pixels() const { return out_h * out_w; }
  // The image with its zero border, (Hp, Wp, C): as far as the padding before it and the
  // last window reach. "Valid" windows may stop short of the far edge; then Hp = H.
  int padded_h() const { return std::max(in_h + pad_top, (out_h - 1) * stride + kernel); }
  int padded_w() const { return std::max(in_w + pad_left, (out_w - 1) * stride + kernel); }
  size_t padded_image() const { return static_cast<size_t>(padded_h()) * padded_w() * channels; }
  bool needs_padding() const { return padded_h() != in_h || padded_w() != in_w; }
};

}  // namespace nn
