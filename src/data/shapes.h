// "shapes": a synthetic image data set built into the library, for machines with no real
// data (and for quick experiments). Ten classes of simple figures:
//
//   0 circle   1 square   2 triangle   3 cross   4 ring
//   5 stripes  6 diamond  7 x          8 frame   9 checkerboard
//
// Each image draws one figure at a random position and size, in a random colour, on a
// background with a random colour gradient, then adds pixel noise. So — as the chapter
// says of real images — no single pixel tells you the class, and the same feature shows up
// in different places: a model has to learn shapes, not memorise pixels.
//
// Images are float values 0..255 (whole numbers, like real 8-bit photos) of shape
// (N, size, size, channels); labels are (N) class ids. Classes are balanced (n/10 each,
// the first n%10 classes one more) in a shuffled order. The same seed gives the same
// images on every machine and for any number of threads: each image draws from its own
// generator, seeded from (seed, image index).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace nn::data {

struct ShapesOptions {
  int size = 32;     // images are size × size pixels; 8..1024
  int channels = 3;  // 3 (RGB) or 1 (grey)
};

// n images (n >= 0) and their labels.
Dataset make_shapes(int n, uint64_t seed, ShapesOptions opts = {});

// A train/test pair like the real loaders return; the test images come from a different
// stream than the training images, so none is repeated.
Split load_shapes(int n_train = 50000, int n_test = 10000, uint64_t seed = 1, ShapesOptions opts = {});

// The ten class names above, by class id (also class_names("shapes")).
std::vector<std::string> shape_class_names();

}  // namespace nn::data
