#include "reference/conv2d.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace nn::ref {
namespace {

// Flat indices of the four arrays, row-major, spelled out once.
size_t x_at(const ConvShape& s, int n, int iy, int ix, int c) {
  return ((static_cast<size_t>(n) * s.in_h + iy) * s.in_w + ix) * s.channels + c;
}
size_t z_at(const ConvShape& s, int n, int oy, int ox, int f) {
  return ((static_cast<size_t>(n) * s.out_h + oy) * s.out_w + ox) * s.filters + f;
}
size_t w_at(const ConvShape& s, int ky, int kx, int c, int f) {
  return ((static_cast<size_t>(ky) * s.kernel + kx) * s.channels + c) * s.filters + f;
}
bool inside(const ConvShape& s, int iy, int ix) { return iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w; }

// The output index o whose window reaches input index i at window offset k, when there is
// one: i = o·s + k - pad, so o = (i + pad - k) / s if that divides evenly and lies in
// [0, out). Else -1.
int output_index(int i, int k, int pad, int stride, int out) {
  const int o_times_s = i + pad - k;
  if (o_times_s < 0 || o_times_s % stride != 0) return -1;
  const int o = o_times_s / stride;
  return o < out ? o : -1;
}

}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, float* z, int n, const ConvShape& s) {
  std::vector<double> sum(s.filters);  // z[i][oy][ox][f] for every f, being added up
  for (int i = 0; i < n; ++i)
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int f = 0; f < s.filters; ++f) sum[f] = b[f];
        for (int ky = 0; ky < s.kernel; ++ky)
          for (int kx = 0; kx < s.kernel; ++kx) {
            const int iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
            if (!inside(s, iy, ix)) continue;  // padding: x = 0 there
            for (int c = 0; c < s.channels; ++c) {
              const double xv = x[x_at(s, i, iy, ix, c)];
              for (int f = 0; f < s.filters; ++f) sum[f] += xv * w[w_at(s, ky, kx, c, f)];
            }
          }
        for (int f = 0; f < s.filters; ++f) z[z_at(s, i, oy, ox, f)] = static_cast<float>(sum[f]);
      }
}

void conv2d_weight_grad(const float* x, const float* dz, float* dw, int n, const ConvShape& s) {
  std::vector<double> sum(s.filters);  // dW[ky][kx][c][f] for every f, being added up
  for (int ky = 0; ky < s.kernel; ++ky)
    for (int kx = 0; kx < s.kernel; ++kx)
      for (int c = 0; c < s.channels; ++c) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int i = 0; i < n; ++i)
          for (int oy = 0; oy < s.out_h; ++oy)
            for (int ox = 0; ox < s.out_w; ++ox) {
              const int iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
              if (!inside(s, iy, ix)) continue;
              const double xv = x[x_at(s, i, iy, ix, c)];
              for (int f = 0; f < s.filters; ++f) sum[f] += xv * dz[z_at(s, i, oy, ox, f)];
            }
        for (int f = 0; f < s.filters; ++f) dw[w_at(s, ky, kx, c, f)] += static_cast<float>(sum[f]);
      }
}

void conv2d_bias_grad(const float* dz, float* db, int n, const ConvShape& s) {
  for (int f = 0; f < s.filters; ++f) {
    double sum = 0;
    for (int i = 0; i < n; ++i)
      for (int oy = 0; oy < s.out_h; ++oy)
        for (int ox = 0; ox < s.out_w; ++ox) sum += dz[z_at(s, i, oy, ox, f)];
    db[f] += static_cast<float>(sum);
  }
}

void conv2d_input_grad(const float* dz, const float* w, float* dx, int n, const ConvShape& s) {
  std::vector<double> sum(s.channels);  // dx[i][iy][ix][c] for every c, being added up
  for (int i = 0; i < n; ++i)
    for (int iy = 0; iy < s.in_h; ++iy)
      for (int ix = 0; ix < s.in_w; ++ix) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int ky = 0; ky < s.kernel; ++ky) {
          const int oy = output_index(iy, ky, s.pad_top, s.stride, s.out_h);
          if (oy < 0) continue;  // no window puts offset ky on this row
          for (int kx = 0; kx < s.kernel; ++kx) {
            const int ox = output_index(ix, kx, s.pad_left, s.stride, s.out_w);
            if (ox < 0) continue;
            for (int f = 0; f < s.filters; ++f) {
              const double dzv = dz[z_at(s, i, oy, ox, f)];
              for (int c = 0; c < s.channels; ++c) sum[c] += dzv * w[w_at(s, ky, kx, c, f)];
            }
          }
        }
        for (int c = 0; c < s.channels; ++c) dx[x_at(s, i, iy, ix, c)] = static_cast<float>(sum[c]);
      }
}

}  // namespace nn::ref
