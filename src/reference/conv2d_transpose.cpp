#include "reference/conv2d_transpose.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace nn::ref {
namespace {

// Names for the transposed view of the shape (see the header): the layer's input and output.
struct Geometry {
  int in_h, in_w, in_c;     // H, W, C
  int out_h, out_w, out_c;  // Ho, Wo, F
  int k, s, pt, pl;
};

Geometry geometry(const ConvShape& t) {
  return {t.out_h, t.out_w, t.filters, t.in_h, t.in_w, t.channels, t.kernel, t.stride, t.pad_top, t.pad_left};
}

size_t x_at(const Geometry& g, int n, int iy, int ix, int c) {
  return ((static_cast<size_t>(n) * g.in_h + iy) * g.in_w + ix) * g.in_c + c;
}
size_t y_at(const Geometry& g, int n, int oy, int ox, int f) {
  return ((static_cast<size_t>(n) * g.out_h + oy) * g.out_w + ox) * g.out_c + f;
}
size_t w_at(const Geometry& g, int ky, int kx, int f, int c) {
  return ((static_cast<size_t>(ky) * g.k + kx) * g.out_c + f) * g.in_c + c;
}
bool lands(const Geometry& g, int oy, int ox) { return oy >= 0 && oy < g.out_h && ox >= 0 && ox < g.out_w; }

// The input index i that window offset k carries to output index o, when there is one:
// o = i·s + k - pad, so i = (o + pad - k) / s if that divides evenly and lies in [0, in). Else -1.
int input_index(int o, int k, int pad, int stride, int in) {
  const int i_times_s = o + pad - k;
  if (i_times_s < 0 || i_times_s % stride != 0) return -1;
  const int i = i_times_s / stride;
  return i < in ? i : -1;
}

}  // namespace

void conv2d_transpose_forward(const float* x, const float* w, const float* b, float* y, int n, const ConvShape& t) {
  const Geometry g = geometry(t);
  std::vector<double> sum(g.out_c);  // y[i][oy][ox][f] for every f, being added up
  for (int i = 0; i < n; ++i)
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        for (int f = 0; f < g.out_c; ++f) sum[f] = b[f];
        for (int ky = 0; ky < g.k; ++ky) {
          const int iy = input_index(oy, ky, g.pt, g.s, g.in_h);
          if (iy < 0) continue;  // no input pixel reaches this row at offset ky
          for (int kx = 0; kx < g.k; ++kx) {
            const int ix = input_index(ox, kx, g.pl, g.s, g.in_w);
            if (ix < 0) continue;
            for (int c = 0; c < g.in_c; ++c) {
              const double xv = x[x_at(g, i, iy, ix, c)];
              for (int f = 0; f < g.out_c; ++f) sum[f] += xv * w[w_at(g, ky, kx, f, c)];
            }
          }
        }
        for (int f = 0; f < g.out_c; ++f) y[y_at(g, i, oy, ox, f)] = static_cast<float>(sum[f]);
      }
}

void conv2d_transpose_input_grad(const float* dy, const float* w, float* dx, int n, const ConvShape& t) {
  const Geometry g = geometry(t);
  std::vector<double> sum(g.in_c);  // dx[i][iy][ix][c] for every c, being added up
  for (int i = 0; i < n; ++i)
    for (int iy = 0; iy < g.in_h; ++iy)
      for (int ix = 0; ix < g.in_w; ++ix) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int ky = 0; ky < g.k; ++ky)
          for (int kx = 0; kx < g.k; ++kx) {
            const int oy = iy * g.s + ky - g.pt, ox = ix * g.s + kx - g.pl;
            if (!lands(g, oy, ox)) continue;  // that share fell in the padding
            for (int f = 0; f < g.out_c; ++f) {
              const double dyv = dy[y_at(g, i, oy, ox, f)];
              for (int c = 0; c < g.in_c; ++c) sum[c] += dyv * w[w_at(g, ky, kx, f, c)];
            }
          }
        for (int c = 0; c < g.in_c; ++c) dx[x_at(g, i, iy, ix, c)] = static_cast<float>(sum[c]);
      }
}

void conv2d_transpose_weight_grad(const float* x, const float* dy, float* dw, int n, const ConvShape& t) {
  const Geometry g = geometry(t);
  std::vector<double> sum(g.in_c);  // dW[ky][kx][f][c] for every c, being added up
  for (int ky = 0; ky < g.k; ++ky)
    for (int kx = 0; kx < g.k; ++kx)
      for (int f = 0; f < g.out_c; ++f) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int i = 0; i < n; ++i)
          for (int iy = 0; iy < g.in_h; ++iy)
            for (int ix = 0; ix < g.in_w; ++ix) {
              const int oy = iy * g.s + ky - g.pt, ox = ix * g.s + kx - g.pl;
              if (!lands(g, oy, ox)) continue;
              const double dyv = dy[y_at(g, i, oy, ox, f)];
              for (int c = 0; c < g.in_c; ++c) sum[c] += dyv * x[x_at(g, i, iy, ix, c)];
            }
        for (int c = 0; c < g.in_c; ++c) dw[w_at(g, ky, kx, f, c)] += static_cast<float>(sum[c]);
      }
}

void conv2d_transpose_bias_grad(const float* dy, float* db, int n, const ConvShape& t) {
  const Geometry g = geometry(t);
  for (int f = 0; f < g.out_c; ++f) {
    double sum = 0;
    for (int i = 0; i < n; ++i)
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox) sum += dy[y_at(g, i, oy, ox, f)];
    db[f] += static_cast<float>(sum);
  }
}

}  // namespace nn::ref
