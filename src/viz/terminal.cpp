#include "viz/terminal.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"
#include "viz/pixels.h"

namespace nn::viz {
namespace {

struct Rgb {
  int r = 0, g = 0, b = 0;
};

// Shrinks by averaging every source pixel that falls into a target pixel (a "box
// filter"): thin strokes fade instead of vanishing, as they would if we skipped pixels.
std::vector<Rgb> resample(const Image8& img, int out_w, int out_h) {
  std::vector<Rgb> out(static_cast<size_t>(out_w) * out_h);
  for (int ty = 0; ty < out_h; ++ty) {
    const int y0 = static_cast<int>(static_cast<long long>(ty) * img.height / out_h);
    const int y1 = std::max(y0 + 1, static_cast<int>(static_cast<long long>(ty + 1) * img.height / out_h));
    for (int tx = 0; tx < out_w; ++tx) {
      const int x0 = static_cast<int>(static_cast<long long>(tx) * img.width / out_w);
      const int x1 = std::max(x0 + 1, static_cast<int>(static_cast<long long>(tx + 1) * img.width / out_w));
      long long sum[3] = {0, 0, 0}, count = 0;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
          const uint8_t* p = img.pixels.data() + (static_cast<size_t>(y) * img.width + x) * img.channels;
          // Gray (1 channel, or 2 with alpha) repeats its value in R, G and B.
          const bool colour = img.channels >= 3;
          sum[0] += p[0];
          sum[1] += colour ? p[1] : p[0];
          sum[2] += colour ? p[2] : p[0];
          ++count;
        }
      out[static_cast<size_t>(ty) * out_w + tx] = {static_cast<int>((sum[0] + count / 2) / count),
                                                   static_cast<int>((sum[1] + count / 2) / count),
                                                   static_cast<int>((sum[2] + count / 2) / count)};
    }
  }
  return out;
}

std::string colour_code(int layer, const Rgb& c) {  // layer 38 = foreground, 48 = background
  return "\x1b[" + std::to_string(layer) + ";2;" + std::to_string(c.r) + ";" + std::to_string(c.g) + ";" +
         std::to_string(c.b) + "m";
}

// The image as 8-bit pixels, shrunk to at most `width` columns (keeping the aspect ratio).
std::vector<Rgb> shrunk(const Tensor& image, const TerminalImageOptions& options, const char* who, int& out_w,
                        int& out_h) {
  if (options.width < 0)
    throw ValueError(std::string(who) + " width must be >= 0, got " + std::to_string(options.width));
  const Image8 img = to_image8(image, options.lo, options.hi);
  out_w = img.width, out_h = img.height;
  if (options.width > 0 && options.width < img.width) {
    out_w = options.width;
    out_h = std::max(1, static_cast<int>(std::lround(static_cast<double>(img.height) * out_w / img.width)));
  }
  return resample(img, out_w, out_h);
}

}  // namespace

std::string terminal_image(const Tensor& image, TerminalImageOptions options) {
  int out_w = 0, out_h = 0;
  const std::vector<Rgb> px = shrunk(image, options, "terminal_image", out_w, out_h);
  const std::string upper_half = "\u2580";  // ▀
  std::string out;
  for (int y = 0; y < out_h; y += 2) {
    for (int x = 0; x < out_w; ++x) {
      out += colour_code(38, px[static_cast<size_t>(y) * out_w + x]);
      // An odd last row has no pixel below: keep the terminal's own background there.
      out += y + 1 < out_h ? colour_code(48, px[static_cast<size_t>(y + 1) * out_w + x]) : "\x1b[49m";
      out += upper_half;
    }
    out += "\x1b[0m\n";  // reset, so the colours do not leak into the next line
  }
  return out;
}

std::string text_image(const Tensor& image, TerminalImageOptions options) {
  static const char kRamp[] = " .:-=+*#%@";  // dark to bright, ten steps
  int out_w = 0, out_h = 0;
  const std::vector<Rgb> px = shrunk(image, options, "text_image", out_w, out_h);
  auto brightness = [&](int x, int y) {  // 0..255, as the eye weighs red, green and blue
    const Rgb& c = px[static_cast<size_t>(y) * out_w + x];
    return (299 * c.r + 587 * c.g + 114 * c.b) / 1000;
  };
  std::string out;
  for (int y = 0; y < out_h; y += 2) {
    for (int x = 0; x < out_w; ++x) {
      const int b = y + 1 < out_h ? (brightness(x, y) + brightness(x, y + 1) + 1) / 2 : brightness(x, y);
      out += kRamp[std::min(9, b * 10 / 256)];
    }
    out += '\n';
  }
  return out;
}

std::string sparkline(const std::vector<float>& values, int width) {
  static const char* const kBars[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  if (width < 0) throw ValueError("sparkline width must be >= 0, got " + std::to_string(width));
  // Average neighbouring values into `width` buckets (ignoring non-finite ones).
  std::vector<float> v = values;
  if (width > 0 && values.size() > static_cast<size_t>(width)) {
    v.assign(static_cast<size_t>(width), NAN);
    for (size_t b = 0; b < v.size(); ++b) {
      const size_t from = b * values.size() / v.size(), to = (b + 1) * values.size() / v.size();
      double sum = 0;
      size_t count = 0;
      for (size_t i = from; i < to; ++i)
        if (std::isfinite(values[i])) sum += values[i], ++count;
      if (count) v[b] = static_cast<float>(sum / count);
    }
  }
  float lo = INFINITY, hi = -INFINITY;
  for (float x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  std::string out;
  for (float x : v) {
    if (!std::isfinite(x)) {
      out += ' ';
      continue;
    }
    // A flat series sits in the middle rather than looking like all-minimum.
    const int level = hi > lo ? static_cast<int>(std::lround((x - lo) / (hi - lo) * 7)) : 3;
    out += kBars[std::clamp(level, 0, 7)];
  }
  return out;
}

}  // namespace nn::viz
