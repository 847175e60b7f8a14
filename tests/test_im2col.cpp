// The im2col family (kernels/im2col.h) and its inner steps (kernels/float_runs.h), each
// against the formula in its contract written as plain loops, on awkward shapes: channel
// counts 1, 3, 7, 13; windows 1, 2, 3, 5; strides 1, 2, 3 (larger than the window too);
// "valid" and "same" (one-sided padding, and windows larger than the image).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/float_runs.h"
#include "kernels/im2col.h"
#include "layers/window.h"
#include "nn.h"
#include "test_util.h"

namespace {

using nn_test::random_floats;

constexpr float kUnwritten = std::numeric_limits<float>::quiet_NaN();  // never equal to anything

// Every geometry of the sweep: (H, W) x C x k x s x padding, where the window fits.
std::vector<nn::ConvShape> shapes() {
  std::vector<nn::ConvShape> all;
  for (auto [h, w] : {std::pair{5, 7}, {3, 4}, {9, 6}})
    for (int c : {1, 3, 7, 13})
      for (int k : {1, 2, 3, 5})
        for (int s : {1, 2, 3})
          for (const char* padding : {"valid", "same"}) {
            if (std::string(padding) == "valid" && (k > h || k > w)) continue;
            const auto rows = nn::layers::window_axis(h, k, s, padding, "test", "height");
            const auto cols = nn::layers::window_axis(w, k, s, padding, "test", "width");
            all.push_back({.out_h = rows.out, .out_w = cols.out, .kernel = k, .stride = s, .channels = c,
                           .filters = 1, .in_h = h, .in_w = w, .pad_top = rows.pad_before,
                           .pad_left = cols.pad_before});
          }
  return all;
}

std::string describe(const nn::ConvShape& s) {
  return std::to_string(s.in_h) + "x" + std::to_string(s.in_w) + "x" + std::to_string(s.channels) + " k" +
         std::to_string(s.kernel) + " s" + std::to_string(s.stride) + " pad " + std::to_string(s.pad_top) + "," +
         std::to_string(s.pad_left) + " -> " + std::to_string(s.out_h) + "x" + std::to_string(s.out_w);
}

// Flat indices: padded (Hp, Wp, C), image (H, W, C), cols (Ho·Wo, k·k·C).
size_t padded_at(const nn::ConvShape& s, int py, int px, int c) {
  return (static_cast<size_t>(py) * s.padded_w() + px) * s.channels + c;
}
size_t image_at(const nn::ConvShape& s, int iy, int ix, int c) {
  return (static_cast<size_t>(iy) * s.in_w + ix) * s.channels + c;
}
size_t cols_at(const nn::ConvShape& s, int oy, int ox, int ky, int kx, int c) {
  return (static_cast<size_t>(oy) * s.out_w + ox) * s.patch() + (ky * s.kernel + kx) * s.channels + c;
}

}  // namespace

TEST_CASE("pad_image and unpad_image: the image inside a zero border, and back") {
  for (const nn::ConvShape& s : shapes()) {
    INFO(describe(s));
    REQUIRE(s.padded_h() >= s.in_h + s.pad_top);
    REQUIRE(s.padded_w() >= s.in_w + s.pad_left);
    const std::vector<float> img = random_floats(s.image(), 1);
    std::vector<float> padded(s.padded_image(), kUnwritten);
    nn::pad_image(s, img.data(), padded.data());
    int wrong = 0;
    for (int py = 0; py < s.padded_h(); ++py)
      for (int px = 0; px < s.padded_w(); ++px)
        for (int c = 0; c < s.channels; ++c) {
          const int iy = py - s.pad_top, ix = px - s.pad_left;
          const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
          wrong += padded[padded_at(s, py, px, c)] != (inside ? img[image_at(s, iy, ix, c)] : 0.0f);
        }
    CHECK(wrong == 0);

    const std::vector<float> border = random_floats(s.padded_image(), 2);
    std::vector<float> back(s.image(), kUnwritten);
    nn::unpad_image(s, border.data(), back.data());
    wrong = 0;
    for (int iy = 0; iy < s.in_h; ++iy)
      for (int ix = 0; ix < s.in_w; ++ix)
        for (int c = 0; c < s.channels; ++c)
          wrong += back[image_at(s, iy, ix, c)] != border[padded_at(s, iy + s.pad_top, ix + s.pad_left, c)];
    CHECK(wrong == 0);
  }
}

TEST_CASE("im2col_image copies every patch into its row; col2im_image adds every row back") {
  for (const nn::ConvShape& s : shapes()) {
    INFO(describe(s));
    const std::vector<float> padded = random_floats(s.padded_image(), 3);
    std::vector<float> cols(static_cast<size_t>(s.pixels()) * s.patch(), kUnwritten);
    nn::im2col_image(s, padded.data(), cols.data());
    int wrong = 0;
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox)
        for (int ky = 0; ky < s.kernel; ++ky)
          for (int kx = 0; kx < s.kernel; ++kx)
            for (int c = 0; c < s.channels; ++c)
              wrong += cols[cols_at(s, oy, ox, ky, kx, c)] !=
                       padded[padded_at(s, oy * s.stride + ky, ox * s.stride + kx, c)];
    CHECK(wrong == 0);

    // col2im: padded[py][px][c] = Σ of the cols entries im2col took from there (in double).
    const std::vector<float> dcols = random_floats(cols.size(), 4);
    std::vector<double> want(s.padded_image(), 0.0);
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox)
        for (int ky = 0; ky < s.kernel; ++ky)
          for (int kx = 0; kx < s.kernel; ++kx)
            for (int c = 0; c < s.channels; ++c)
              want[padded_at(s, oy * s.stride + ky, ox * s.stride + kx, c)] += dcols[cols_at(s, oy, ox, ky, kx, c)];
    std::vector<float> got(s.padded_image(), kUnwritten);  // col2im overwrites, NaN included
    nn::col2im_image(s, dcols.data(), got.data());
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i)
      worst = std::isnan(got[i]) ? INFINITY : std::max(worst, std::abs(got[i] - want[i]) / (1 + std::abs(want[i])));
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("copy_floats and add_into: every count, any alignment, nothing outside the run") {
  const std::vector<float> src = random_floats(64, 5), base = random_floats(64, 6);
  for (int offset = 0; offset < 4; ++offset)
    for (int count = 0; count <= 40; ++count) {
      INFO("offset ", offset, ", count ", count);
      std::vector<float> copied = base, added = base;
      nn::copy_floats(copied.data() + offset, src.data() + 3 - offset, count);
      nn::add_into(added.data() + offset, src.data() + 3 - offset, count);
      int wrong = 0;
      for (int j = 0; j < 64; ++j) {
        const bool in_run = j >= offset && j < offset + count;
        const float s = in_run ? src[j - offset + 3 - offset] : 0.0f;
        wrong += copied[j] != (in_run ? s : base[j]);
        wrong += added[j] != (in_run ? base[j] + s : base[j]);
      }
      CHECK(wrong == 0);
    }
}
