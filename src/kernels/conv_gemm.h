// Implicit GEMM: a convolution's three matrix multiplies run straight on the image, with
// no im2col buffer and no padded copy in between.
//
// im2col (kernels/im2col.h) copies every k×k patch into a row of a matrix, then multiplies.
// For the chapter's CNN those copies are 9× the image, written once and read back (twice
// per training step: forward and backward), and cost a large share of the step. But the
// micro-kernel (kernels/ukernel.h) does not need a matrix: it reads MR rows of A at any
// fixed distance a_row apart. In NHWC memory, kernel row ky of the patches of MR
// neighbouring output pixels of one output row is exactly that:
//
//   patch(oy, ox)[ky][kx, c] = x[iy, ox·s + kx - pl, c],   iy = oy·s + ky - pt
//
// i.e. a run of kw·C numbers (a pixel's channels are adjacent, and so are a row's pixels),
// the runs of neighbouring output pixels s·C apart. So each multiply is done as smaller
// ones, each reading the image in place:
//
//   forward  z        = b + Σ_ky A_ky · W_ky     A_ky (Ho·Wo, kw·C), W_ky (kw·C, F): per kernel row
//   dx       dx[ky,kx] += dz · W_{ky,kx}ᵀ         per window position: C numbers written back
//                                                 in place, the pixels' rows s·C apart
//   dW       dW_{ky,kx} = A_{ky,kx}ᵀ · dz          per window position, A (pixels, C) packed
//                                                 from the image MR channels at a time
//
// where W_ky is rows [ky·kw·C, (ky+1)·kw·C) of the kernel viewed as (kh·kw·C, F) and
// W_{ky,kx} the C rows of one window position. Tiles are
// cut per output row, so every tile is such a strided view. Padding is never copied: a
// window position outside the image would only multiply a zero, so it is left out — a
// kernel row ky that falls outside is skipped, and at the left and right edges the
// columns kx that fall outside are dropped for the pixels concerned (those calls cover
// fewer rows or a shorter run). The dx tiles write overlapping places (neighbouring
// patches overlap) and are added one after another in a fixed order; within one tile the
// rows are s·C ≥ C apart and a tile is at most C wide, so they never overlap there.
//
// Numbers: per image, the order of every sum is fixed by the shapes alone (never by the
// thread that runs it), so results are the same for any thread count. They differ from the
// im2col path in the last bits only (the sums over a patch are grouped by kernel row).
#pragma once
#include <cstddef>

#include "kernels/conv_shape.h"

namespace nn {

// Whether these multiplies are worth it for this shape: a kernel row must be long enough
// to feed the micro-kernel (kw·C ≥ 32; the first layer of an RGB network, kw·C = 9, is
// better served by im2col).
bool conv_gemm_supported(const ConvShape& shape);

// Floats of the packed weights for either direction; the packing depends on the kernel, so
// pack again after set_simd_level.
size_t conv_packed_weights_size(const ConvShape& shape);
// w (kh·kw·C, F) -> packed for conv_forward_image.
void conv_pack_weights(const ConvShape& shape, const float* w, float* packed);
// w (kh·kw·C, F) -> its transpose, packed for conv_input_grad_image.
void conv_pack_weights_transposed(const ConvShape& shape, const float* w, float* packed);

// z (Ho·Wo, F) = b (F) + the patches of one image x (H, W, C) times W.
void conv_forward_image(const ConvShape& shape, const float* x, const float* packed_w, const float* bias, float* z);

// dx (H, W, C) += every patch's share of the error, dz (Ho·Wo, F) · Wᵀ, added back where
// the patch came from (start from zeros).
void conv_input_grad_image(const ConvShape& shape, const float* dz, const float* packed_wt, float* dx);

// Floats of scratch conv_weight_grad needs for `images` images.
size_t conv_weight_grad_scratch(const ConvShape& shape, int images);
// dw (kh·kw·C, F) = Σ over the images' output pixels of patchᵀ · dz (overwritten, not added).
// x: `images` consecutive images (H, W, C); dz (images·Ho·Wo, F).
void conv_weight_grad(const ConvShape& shape, const float* x, int images, const float* dz, float* scratch, float* dw);

}  // namespace nn
