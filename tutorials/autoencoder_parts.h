// What tutorials 11 (the autoencoder) and 12 (the variational autoencoder) share: the
// images, the book's decoder, and the picture of the latent plane. Tutorial 11 explains
// each piece where it first uses it.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "nn.h"

namespace tutorial {

// (N, 28, 28, 1) pixels 0..255 -> (N, 32, 32, 1) in 0..1 with a black border, as the book
// pads Fashion-MNIST: three stride-2 convolutions then halve 32 -> 16 -> 8 -> 4 exactly.
inline nn::Tensor pad_to_32(const nn::Tensor& images) {  // images: (N, H, W, 1), H, W <= 32
  const int n = images.dim(0), h = images.dim(1), w = images.dim(2);
  const int top = (32 - h) / 2, left = (32 - w) / 2;
  nn::Tensor out({n, 32, 32, 1});
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c)
        out[(static_cast<size_t>(i) * 32 + r + top) * 32 + c + left] =
            images[(static_cast<size_t>(i) * h + r) * w + c] / 255.0f;
  return out;
}

// Image i of a batch, as one (H, W, 1) picture.
inline nn::Tensor image_at(const nn::Tensor& batch, int i) {  // batch: (N, H, W, 1)
  nn::Tensor one = batch.slice_rows(i, i + 1);
  one.reshape({batch.dim(1), batch.dim(2), 1});
  return one;
}

// The book's decoder, from a point of the latent plane to an image: the mirror image of
// the encoder. Dense brings the 2 numbers up to 2,048; Reshape makes them a 4×4×128 block;
// each Conv2DTranspose doubles the size (every input number stamps a 3×3 copy of each
// filter, scaled by itself, into an output twice as large: a stride-2 convolution run
// backwards); the last Conv2D makes one channel, and its sigmoid keeps pixels in 0..1.
inline nn::Node decoder_layers(const nn::Node& decoder_input, const nn::Shape& shape_before_flattening) {
  namespace L = nn::layers;
  int flat = 1;
  for (int d : shape_before_flattening) flat *= d;
  nn::Node y = L::Dense(flat)(decoder_input);
  y = L::Reshape(shape_before_flattening)(y);
  y = L::Conv2DTranspose(128, 3, {.strides = 2, .padding = "same", .activation = "relu"})(y);
  y = L::Conv2DTranspose(64, 3, {.strides = 2, .padding = "same", .activation = "relu"})(y);
  y = L::Conv2DTranspose(32, 3, {.strides = 2, .padding = "same", .activation = "relu"})(y);
  return L::Conv2D(1, 3, {.strides = 1, .padding = "same", .activation = "sigmoid"})(y);
}

// The latent plane as a picture: each image's point z (N, 2), coloured by its class
// (labels: (N)), saved to `path`; prints where each class lies on average.
inline void plot_latent_plane(const nn::Tensor& z, const nn::Tensor& labels, const std::vector<std::string>& class_names,
                              const std::string& title, const std::string& path) {
  nn::viz::LineChart plane(title);
  plane.x_label("z[0]").y_label("z[1]").size(760, 560);
  std::printf("  class          points   mean z[0]   mean z[1]\n");
  for (int c = 0; c < static_cast<int>(class_names.size()); ++c) {
    std::vector<double> xs, ys;
    for (int i = 0; i < z.dim(0); ++i)
      if (static_cast<int>(labels[i]) == c) xs.push_back(z[2 * i]), ys.push_back(z[2 * i + 1]);
    if (xs.empty()) continue;
    plane.add_series(class_names[c], xs, ys, {.line = false});
    double mx = 0, my = 0;
    for (size_t i = 0; i < xs.size(); ++i) mx += xs[i], my += ys[i];
    std::printf("  %-13s  %6zu   %9.2f   %9.2f\n", class_names[c].c_str(), xs.size(), mx / xs.size(), my / xs.size());
  }
  plane.save(path);
}

// Decodes each point (points: (P, 2)) into an image and saves them as a grid of `columns`.
inline void save_decoded_grid(nn::Model& decoder, const nn::Tensor& points, int columns, const std::string& title,
                              const std::string& path) {
  const nn::Tensor made = decoder.predict(points);  // (P, 32, 32, 1)
  nn::viz::ImageGrid grid({.columns = columns, .scale = 2, .lo = 0, .hi = 1, .title = title});
  for (int i = 0; i < made.dim(0); ++i) grid.add(image_at(made, i));
  grid.save(path);
}

}  // namespace tutorial
