// The geometry of one pooling window, shared by MaxPooling2D's fast path
// (kernels/max_pool.h) and its plain reference (reference/max_pool.h).
//
// A p×p window slides with stride s over an image (H, W, C) that has pt rows before it
// and pl columns to its left, giving an output (Ho, Wo, C): window (oy, ox) covers input
// rows iy = oy·s - pt ... oy·s - pt + p - 1 and columns ix = ox·s - pl ... ox·s - pl + p - 1
// (see layers/window.h for how Ho, Wo, pt and pl follow from "valid" and "same").
#pragma once

namespace nn {

struct PoolShape {
  int in_h = 0, in_w = 0, channels = 0;  // H, W, C
  int out_h = 0, out_w = 0;              // Ho, Wo
  int pool = 0, stride = 0;              // p, s
  int pad_top = 0, pad_left = 0;         // pt, pl
};

}  // namespace nn
