// im2col and col2im: a convolution as one matrix multiply.
//
// Copy every k×k patch of an image into one row of a matrix, and the convolution becomes
//   cols (Ho·Wo, kh·kw·C) · W (kh·kw·C, F) = z (Ho·Wo, F)
// (the layout Keras stores W in). col2im goes the other way: it adds every row of a
// (Ho·Wo, kh·kw·C) matrix back onto the pixels its patch was copied from, which is how a
// convolution's dx is formed from dz · Wᵀ (and how a transposed convolution forms its
// output).
//
// Both work on the image with its zero border already around it (pad_image): in the
// padded image every window lies wholly inside, so each of a patch's kh rows is one run
// of kw·C neighbouring numbers (NHWC keeps a pixel's channels together and a row's pixels
// next to each other) — one copy or one add per patch row, with no edge cases. When the
// shape needs no padding (shape.needs_padding() is false), the image itself is its
// padded image: (Hp, Wp) = (H, W).
//
// Legend: the shape's H W C (image), Hp Wp (padded image), Ho Wo (output), k (window).
// All functions handle one image, on the calling thread; they are thread-safe as long as
// the arrays they write are not shared.
#pragma once
#include "kernels/conv_shape.h"

namespace nn {

// padded = the image inside a border of zeros: padded[pt + iy][pl + ix][c] = img[iy][ix][c],
// 0 everywhere else.                              img: (H, W, C)  padded: (Hp, Wp, C); no overlap
void pad_image(const ConvShape& shape, const float* img, float* padded);

// The inverse of pad_image: img[iy][ix][c] = padded[pt + iy][pl + ix][c]; the border is
// dropped.                                        padded: (Hp, Wp, C)  img: (H, W, C); no overlap
void unpad_image(const ConvShape& shape, const float* padded, float* img);

// cols[oy·Wo + ox][(ky·k + kx)·C + c] = padded[oy·s + ky][ox·s + kx][c]: row (oy, ox) of
// cols is the patch output pixel (oy, ox) sees, in (ky, kx, c) order.
//                                                 padded: (Hp, Wp, C)  cols: (Ho·Wo, k·k·C); no overlap
void im2col_image(const ConvShape& shape, const float* padded, float* cols);

// padded[py][px][c] = Σ over the patch entries copied from there of dcols: every row of
// dcols added back where im2col_image took that patch from (overwrites padded; starts from
// zeros). Patches overlap when the stride is smaller than the window, so a pixel collects
// from several; they are added in output-pixel order, the same every time. The border
// collects the shares of positions outside the image, which unpad_image drops.
//                                                 dcols: (Ho·Wo, k·k·C)  padded: (Hp, Wp, C); no overlap
void col2im_image(const ConvShape& shape, const float* dcols, float* padded);

}  // namespace nn
