// Implicit GEMM: a convolution's three matrix multiplies run straight on the (padded) image,
// with no im2col buffer in between.
//
// im2col (layers/conv2d.h) copies every k×k patch into a row of a matrix, then multiplies.
// For the chapter's CNN those copies are 9× the image, written once and read back (twice
// per training step: forward and backward), and cost a large share of the step. But the
// micro-kernel (kernels/ukernel.h) does not need a matrix: it reads MR rows of A at any
// fixed distance a_row apart. In a zero-padded image, kernel row ky of the patches of MR
// neighbouring output pixels of one output row is exactly that:
//
//   patch(oy, ox)[ky][kx, c] = padded[(oy·s + ky) · Wp·C + ox·s·C + kx·C + c]
//
// i.e. a run of kw·C numbers, the runs of neighbouring pixels s·C apart. So each
// multiply is done as kh smaller ones (one per kernel row ky), each reading A in place:
//
//   forward  z       = Σ_ky  A_ky · W_ky               A_ky (Ho·Wo, kw·C) in place, W_ky (kw·C, F)
//   dx       dpadded += dz · W_kyᵀ  for each ky        written back in place, s·C apart
//   dW       dW_ky   = A_kyᵀ · dz                       A_ky packed from the image
//
// where W_ky is rows [ky·kw·C, (ky+1)·kw·C) of the kernel viewed as (kh·kw·C, F). A tile
// never spans two output rows (tiles are cut per output row), so every tile is such a
// strided view. The dx tiles write overlapping places (neighbouring patches overlap) and
// are added one after another in a fixed order; within one tile the rows must not overlap,
// which needs s·C ≥ NR (conv_gemm_supported checks it).
//
// Numbers: per image, the order of every sum is fixed by the shapes alone (never by the
// thread that runs it), so results are the same for any thread count. They differ from the
// im2col path in the last bits only (the sums over a patch are grouped by kernel row).
#pragma once
#include <cstddef>

namespace nn {

// One convolution, as these multiplies see it: a k×k window with stride s over a padded
// image (Hp, Wp, C) giving (Ho, Wo, F).
struct ConvShape {
  int out_h = 0, out_w = 0;         // Ho, Wo
  int kernel = 0, stride = 0;       // k, s
  int channels = 0, filters = 0;    // C, F
  int padded_h = 0, padded_w = 0;   // Hp, Wp
  int run() const { return kernel * channels; }    // one kernel row of a patch: kw·C numbers
  int patch() const { return kernel * run(); }     // kh·kw·C
  size_t padded_row() const { return static_cast<size_t>(padded_w) * channels; }
  size_t padded_image() const { return static_cast<size_t>(padded_h) * padded_row(); }
  int pixels() const { return out_h * out_w; }
};

// Whether these multiplies are worth it for this shape with the current micro-kernel: a
// kernel row must be long enough to feed the kernel (kw·C ≥ 32; the first layer of an RGB
// network, kw·C = 9, is better served by im2col), and s·C ≥ NR for dx (see above).
bool conv_gemm_supported(const ConvShape& shape);

// Floats of the packed weights for either direction; the packing depends on the kernel, so
// pack again after set_simd_level.
size_t conv_packed_weights_size(const ConvShape& shape);
// w (kh·kw·C, F) -> packed for conv_forward_image.
void conv_pack_weights(const ConvShape& shape, const float* w, float* packed);
// w (kh·kw·C, F) -> its transpose, packed for conv_input_grad_image.
void conv_pack_weights_transposed(const ConvShape& shape, const float* w, float* packed);

// z (Ho·Wo, F) = the patches of one padded image (Hp, Wp, C) times W.
void conv_forward_image(const ConvShape& shape, const float* padded, const float* packed_w, float* z);

// padded_dx (Hp, Wp, C) += every patch's share of the error, dz (Ho·Wo, F) · Wᵀ, added back
// where the patch came from. Start from zeros; the padding then holds what fell outside.
void conv_input_grad_image(const ConvShape& shape, const float* dz, const float* packed_wt, float* padded_dx);

// Floats of scratch conv_weight_grad needs for `images` images.
size_t conv_weight_grad_scratch(const ConvShape& shape, int images);
// dw (kh·kw·C, F) = Σ over the images' output pixels of patchᵀ · dz (overwritten, not added).
// padded: `images` padded images (Hp, Wp, C), image_stride floats apart; dz (images·Ho·Wo, F).
void conv_weight_grad(const ConvShape& shape, const float* padded, size_t image_stride, int images, const float* dz,
                      float* scratch, float* dw);

}  // namespace nn
