// 02 — The forward pass: from pixels to probabilities
//
// A neural network is a chain of simple steps. Each unit takes a weighted sum of its inputs,
// adds a bias, and passes the result through an activation function:
//     z = w1·x1 + w2·x2 + ... + b        y = activation(z)
// A Dense layer is many such units side by side, which is one matrix multiply: z = x·W + b.
// We first work one unit out by hand, then push one image through the chapter's
// (untrained) network and look at what every layer hands to the next.
//
// Where this lives in the library:
//   one unit, one layer   Dense::forward in src/layers/dense.cpp (sgemm, bias, activation)
//   activations           activation_forward in src/layers/activations.cpp
//   the whole chain       Model::forward in src/model/model.cpp (layer by layer)
//
// Expected output: the unit's sum z = -0.70, relu(z) = 0.0000 and sigmoid(z) = 0.3318 (the
// library's Dense layer agrees), then the image (a circle) and the shapes it takes on its way
// (1, 32, 32, 3) -> (1, 3072) -> (1, 200) -> (1, 150) -> (1, 10), with 105 of the 200 and 86
// of the 150 relu outputs exactly 0, and ten probabilities between 0.0506 and 0.1849 that add
// up to 1.0000: an untrained network has no opinion yet. The numbers are the same on every
// run (fixed seed).
#include <cmath>
#include <cstdio>

#include "nn.h"
#include "tutorial.h"

namespace L = nn::layers;

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  nn::set_seed(42);

  tutorial::section(args, 1, "One unit, by hand");
  const float x[3] = {0.5f, -1.0f, 2.0f};  // three inputs
  const float w[3] = {0.8f, 0.2f, -0.5f};  // one weight per input: how much each matters
  const float b = 0.1f;                    // the bias: the unit's own offset
  float z = b;
  std::printf("  z = b");
  for (int i = 0; i < 3; ++i) {
    z += w[i] * x[i];
    std::printf(" + (%.1f)(%.1f)", w[i], x[i]);
  }
  std::printf(" = %.2f\n", z);
  std::printf("  relu(z)    = max(0, z)      = %.4f\n", std::max(0.0f, z));
  std::printf("  sigmoid(z) = 1 / (1 + e^-z) = %.4f\n", 1.0f / (1.0f + std::exp(-z)));
  // The same unit through the library: a Dense layer with one unit and these weights.
  L::Dense unit(1, "relu");
  unit.build_for({3});
  unit.kernel().value = nn::Tensor({3, 1}, {w[0], w[1], w[2]});
  unit.bias().value = nn::Tensor({1}, {b});
  nn::Tensor in({1, 3}, {x[0], x[1], x[2]}), out;
  unit.forward(in, out, false);
  std::printf("  Dense(1, \"relu\") with those weights gives %.4f\n", out[0]);

  tutorial::section(args, 2, "The chapter's network, untrained");
  nn::reset_layer_names();  // so the layers get the chapter's names: dense, dense_1, dense_2
  nn::Node input = L::Input({32, 32, 3});
  nn::Node h = L::Flatten()(input);
  h = L::Dense(200, "relu")(h);
  h = L::Dense(150, "relu")(h);
  nn::Node output = L::Dense(10, "softmax")(h);
  nn::Model model(input, output);
  std::printf("  Input(32, 32, 3) -> Flatten -> Dense(200, relu) -> Dense(150, relu) -> Dense(10, softmax)\n");

  tutorial::section(args, 3, "One image, layer by layer");
  // An image from the built-in "shapes" data set, scaled to 0..1 as the chapter does.
  auto [images, labels] = nn::data::make_shapes(1, 7);
  for (float& v : images) v /= 255.0f;
  const auto names = nn::data::class_names("shapes");
  std::printf("  the image (a %s):\n%s", names[static_cast<int>(labels[0])].c_str(),
              tutorial::side_by_side({tutorial::picture(args, images.slice_rows(0, 1).reshape({32, 32, 3}),
                                                        {.width = 32, .lo = 0, .hi = 1})})
                  .c_str());
  model.forward(images, false);
  for (size_t i = 0; i < model.layers().size(); ++i) {
    const nn::Tensor& t = model.layer_output(i);
    int zeros = 0;
    for (float v : t) zeros += v == 0.0f;
    std::printf("  %-9s output %-14s first values:", model.layers()[i]->name().c_str(), nn::shape_str(t.shape()).c_str());
    for (int j = 0; j < 4; ++j) std::printf(" %7.4f", t[j]);
    if (model.layers()[i]->type() == "Dense" && i + 1 < model.layers().size())
      std::printf("   (%d of %zu are 0: relu cut them off)", zeros, t.size());
    std::printf("\n");
  }

  tutorial::section(args, 4, "Class probabilities");
  const nn::Tensor& p = model.layer_output(model.layers().size() - 1);
  double sum = 0;
  int lowest = 0, highest = 0;
  for (int c = 0; c < 10; ++c) {
    std::printf("  %-13s %.4f %s\n", names[c].c_str(), p[c], std::string(static_cast<int>(p[c] * 200), '#').c_str());
    sum += p[c];
    if (p[c] < p[lowest]) lowest = c;
    if (p[c] > p[highest]) highest = c;
  }
  std::printf("  sum = %.4f. Softmax turns ten arbitrary scores into probabilities that add up to 1.\n"
              "  Untrained, they lie between %.4f (%s) and %.4f (%s), none far from 1/10: the random\n"
              "  weights give no class a real preference. Training (tutorial 03 onwards) moves the\n"
              "  weights until the right class gets the high probability.\n",
              sum, p[lowest], names[lowest].c_str(), p[highest], names[highest].c_str());
  return 0;
}
