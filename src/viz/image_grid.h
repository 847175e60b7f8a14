// A grid of small images with a caption under each, as one SVG file: e.g. ten test
// images with "pred = shirt" / "act = T-shirt" under each, like the chapter's figure.
//
//   nn::viz::ImageGrid grid({.columns = 5, .scale = 4});
//   for (int i = 0; i < 10; ++i)
//     grid.add(x_test.slice_rows(i, i + 1), "pred = " + names[p] + "\nact = " + names[a],
//              p == a ? "" : "#c0392b");            // wrong predictions in red
//   grid.save("out/predictions.svg");
//
// Each image is embedded in the SVG as a PNG (a base64 "data:" URI), so the file stands
// alone. The PNG keeps the image's own size and the SVG draws it `scale` times larger with
// `image-rendering: pixelated`, so a 28x28 digit shows crisp square pixels, not a blur.
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn::viz {

struct ImageGridOptions {
  int columns = 5;       // images per row
  int scale = 4;         // each image pixel becomes scale x scale screen pixels
  float lo = 0.0f;       // value range of the images: 0..255 raw, or 0..1 after scaling
  float hi = 255.0f;
  std::string title = "";
};

class ImageGrid {
 public:
  explicit ImageGrid(ImageGridOptions options = {});

  // image: (H, W), (H, W, C) or (1, H, W, C), C = 1 or 3 (see to_image8 in pixels.h).
  // caption: '\n' separates lines. caption_color: any SVG colour, "" for the default.
  ImageGrid& add(const Tensor& image, std::string caption = "", std::string caption_color = "");

  size_t size() const { return cells_.size(); }
  std::string to_svg() const;
  void save(const std::string& path) const;  // atomic write; IoError on failure

 private:
  struct Cell {
    int width, height;        // image pixels
    std::string png_base64;
    std::vector<std::string> caption_lines;
    std::string caption_color;
  };
  ImageGridOptions options_;
  std::vector<Cell> cells_;
};

}  // namespace nn::viz
