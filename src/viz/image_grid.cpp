// Layout: every cell has the size of the largest image (times scale) or of the widest
// caption, whichever is wider, plus room for the most caption lines any cell has, so the
// grid stays aligned even when captions differ in length.
#include "viz/image_grid.h"

#include <algorithm>

#include "tensor/error.h"
#include "tensor/file_io.h"
#include "viz/pixels.h"
#include "viz/png.h"
#include "viz/svg_util.h"

namespace nn::viz {
namespace {

constexpr double kCaptionFont = 12, kLineHeight = 15, kGap = 12, kTitleFont = 16;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

ImageGrid::ImageGrid(ImageGridOptions options) : options_(std::move(options)) {
  if (options_.columns < 1 || options_.columns > 1000)
    throw ValueError("ImageGrid columns must be between 1 and 1000, got " + std::to_string(options_.columns));
  if (options_.scale < 1 || options_.scale > 64)
    throw ValueError("ImageGrid scale must be between 1 and 64, got " + std::to_string(options_.scale));
  if (!(options_.hi > options_.lo))
    throw ValueError("ImageGrid needs lo < hi (the images' value range); use 0, 255 or 0, 1");
}

ImageGrid& ImageGrid::add(const Tensor& image, std::string caption, std::string caption_color) {
  Image8 img = to_image8(image, options_.lo, options_.hi);
  std::vector<uint8_t> png = encode_png(img.width, img.height, img.channels, img.pixels.data());
  cells_.push_back({img.width, img.height, base64(png), split_lines(caption), std::move(caption_color)});
  return *this;
}

std::string ImageGrid::to_svg() const {
  const int scale = options_.scale;
  double cell_w = 0, image_h = 0;
  size_t lines = 0;
  for (const Cell& c : cells_) {
    cell_w = std::max(cell_w, static_cast<double>(c.width) * scale);
    image_h = std::max(image_h, static_cast<double>(c.height) * scale);
    for (const std::string& l : c.caption_lines) cell_w = std::max(cell_w, text_width(l, kCaptionFont) + 4);
    lines = std::max(lines, c.caption_lines.size());
  }
  const double cell_h = image_h + (lines > 0 ? 6 + lines * kLineHeight : 0);
  const int cols = cells_.empty() ? 1 : std::min<int>(options_.columns, static_cast<int>(cells_.size()));
  const int rows = static_cast<int>((cells_.size() + cols - 1) / cols);
  const double top = kGap + (options_.title.empty() ? 0 : kTitleFont + 10);
  int width = static_cast<int>(kGap + cols * (cell_w + kGap));
  int height = static_cast<int>(top + rows * (cell_h + kGap));
  if (!options_.title.empty()) width = std::max(width, static_cast<int>(text_width(options_.title, kTitleFont) + 2 * kGap));
  width = std::max(width, 40), height = std::max(height, 40);

  auto n = [](double v) { return svg_number(v, 2); };
  std::string svg = svg_open(width, height);
  if (!options_.title.empty())
    svg += "<text class=\"title\" x=\"" + n(width / 2.0) + "\" y=\"" + n(kGap + kTitleFont) +
           "\" text-anchor=\"middle\" font-size=\"" + n(kTitleFont) + "\" font-weight=\"bold\">" +
           xml_escape(options_.title) + "</text>\n";
  for (size_t i = 0; i < cells_.size(); ++i) {
    const Cell& c = cells_[i];
    const double x0 = kGap + static_cast<double>(i % cols) * (cell_w + kGap);
    const double y0 = top + static_cast<double>(i / cols) * (cell_h + kGap);
    const double w = c.width * scale, h = c.height * scale;
    const double ix = x0 + (cell_w - w) / 2, iy = y0 + (image_h - h) / 2;
    // Both spellings of the pixelated hint, for old and new viewers; the last one a
    // viewer understands wins.
    svg += "<g class=\"cell\">\n<image x=\"" + n(ix) + "\" y=\"" + n(iy) + "\" width=\"" + n(w) + "\" height=\"" + n(h) +
           "\" preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" "
           "style=\"image-rendering:crisp-edges;image-rendering:pixelated\" xlink:href=\"data:image/png;base64," +
           c.png_base64 + "\"/>\n";
    for (size_t k = 0; k < c.caption_lines.size(); ++k)
      svg += "<text class=\"caption\" x=\"" + n(x0 + cell_w / 2) + "\" y=\"" + n(y0 + image_h + 4 + (k + 1) * kLineHeight - 3) +
             "\" text-anchor=\"middle\" font-size=\"" + n(kCaptionFont) + "\" fill=\"" +
             xml_escape(c.caption_color.empty() ? "#222" : c.caption_color) + "\">" + xml_escape(c.caption_lines[k]) +
             "</text>\n";
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

void ImageGrid::save(const std::string& path) const { write_file_atomic(path, to_svg()); }

}  // namespace nn::viz
