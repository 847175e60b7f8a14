// Pictures in the terminal, for a quick look while a program runs.
//
// terminal_image draws an image with the character '▀' (upper half block): its
// foreground colour paints the top half of a character cell and its background colour
// the bottom half, so each line of text shows two rows of pixels, in 24-bit colour
// (the escape codes ESC[38;2;R;G;Bm and ESC[48;2;R;G;Bm that modern terminals understand).
// Those codes are noise in a log file or a pipe: text_image draws the same picture with
// plain characters instead, from ' ' (dark) to '@' (bright).
//
//   std::cout << nn::viz::terminal_image(x_train.slice_rows(0, 1), {.width = 28});
//   std::cout << "loss " << nn::viz::sparkline(history_loss) << "\n";   // ▇▅▃▂▂▁▁
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn::viz {

struct TerminalImageOptions {
  int width = 0;      // at most this many columns (the image is shrunk to fit); 0 = its own width
  float lo = 0.0f;    // value range of the image: 0..255 raw, or 0..1 after scaling
  float hi = 255.0f;
};

// image: (H, W), (H, W, C) or (1, H, W, C), C = 1 (gray) or 3 (RGB); alpha is ignored.
// Returns ceil(H' / 2) lines, each ending in a colour reset and '\n' (H' = the height
// after shrinking).
std::string terminal_image(const Tensor& image, TerminalImageOptions options = {});

// The same picture in plain ASCII: one character per column and per two rows (a character
// cell is about twice as tall as it is wide), its brightness one of " .:-=+*#%@". Returns
// the same number of lines as terminal_image, each exactly as wide as the image (after
// shrinking) and ending in '\n'.
std::string text_image(const Tensor& image, TerminalImageOptions options = {});

// One character per value, '▁' for the smallest up to '█' for the largest; NaN and
// infinite values show as ' '. With width > 0 and more values than that, neighbouring
// values are averaged so the line is `width` characters long.
std::string sparkline(const std::vector<float>& values, int width = 0);

}  // namespace nn::viz
