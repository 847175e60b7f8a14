// 04 — Building the chapter's model, and counting its parameters
//
// The chapter's multilayer perceptron for CIFAR-10 images (32×32 pixels, 3 colour channels):
//   Input(32, 32, 3) -> Flatten -> Dense(200, relu) -> Dense(150, relu) -> Dense(10, softmax)
// We build it twice — with the activation inside Dense, and as a separate Activation layer
// — and print Keras's summary table. Then we explain where every number comes from.
//
// The idea to take away: a Dense layer with K units on D inputs has K·(D + 1) parameters —
// one weight per (input, unit) pair plus one bias per unit. The bias lets a unit fire even
// when all its inputs are zero; without it, every unit's line would have to pass through
// the origin.
//
// Where this lives in the library:
//   the functional API   nn::Node (src/layers/node.h); calling a layer on a node is
//                        LayerBase::operator() (src/layers/layer.h), which adds it to the graph
//                        with Node::apply (src/layers/layer.cpp)
//   the model            nn::Model (src/model/model.h), walking from output back to input
//   the table            Model::summary_string in src/model/summary.cpp
//   the counts           Dense::build in src/layers/dense.cpp creates W (D, K) and b (K)
//
// Expected output: two tables ending in "Total params: 646,260" (the second with two
// Activation rows of 0 parameters), the explained version (200 × (3072 + 1) = 614,600,
// 150 × (200 + 1) = 30,150, 10 × (150 + 1) = 1,510), and the check that both models compute
// the same ten probabilities: largest difference 0.
#include <cstdio>

#include "nn.h"
#include "tutorial.h"

namespace L = nn::layers;

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  nn::set_seed(42);

  tutorial::section(args, 1, "The chapter's model, activation inside Dense");
  // Each line calls a layer on the previous node: nothing is computed yet, only the graph
  // and the shapes. Dense(200, "relu") creates its 3072×200 weights right here.
  nn::Node input = L::Input({32, 32, 3});
  nn::Node x = L::Flatten()(input);
  x = L::Dense(200, "relu")(x);
  x = L::Dense(150, "relu")(x);
  nn::Node output = L::Dense(10, "softmax")(x);
  nn::Model model(input, output);
  model.summary();

  tutorial::section(args, 2, "The same model, activation as its own layer");
  // Dense(150) followed by Activation("relu") is the same computation: z = x·W + b, then
  // relu(z). The Activation layer has no parameters, so the total does not change.
  nn::Node input2 = L::Input({32, 32, 3});
  nn::Node y = L::Flatten()(input2);
  y = L::Dense(200)(y);
  y = L::Activation("relu")(y);
  y = L::Dense(150)(y);
  y = L::Activation("relu")(y);
  nn::Node output2 = L::Dense(10, "softmax")(y);
  nn::Model model2(input2, output2);  // the second model of the session: Keras names it model_1
  model2.summary();

  tutorial::section(args, 3, "Where the numbers come from");
  model.summary({.explain = true});
  std::printf("\n  By hand: units × (inputs + 1)\n");
  std::printf("    dense    200 × (3072 + 1) = %d\n", 200 * (3072 + 1));
  std::printf("    dense_1  150 × (200 + 1)  = %d\n", 150 * (200 + 1));
  std::printf("    dense_2   10 × (150 + 1)  = %d\n", 10 * (150 + 1));
  std::printf("    total                     = %d\n", 200 * 3073 + 150 * 201 + 10 * 151);
  std::printf("  95%% of them sit in the first layer: every pixel is wired to every unit.\n");

  tutorial::section(args, 4, "Both spellings compute the same thing");
  // Give the second model the first one's weights, then feed both the same random image.
  model2.set_weights(model.get_weights());
  nn::Tensor image({1, 32, 32, 3});
  for (float& v : image) v = nn::global_rng().uniform();
  nn::Tensor p1 = model.predict(image), p2 = model2.predict(image);
  float max_diff = 0;
  for (size_t i = 0; i < p1.size(); ++i) max_diff = std::max(max_diff, std::abs(p1[i] - p2[i]));
  std::cout << "  model   : " << p1 << "\n  model_1 : " << p2 << "\n";
  std::printf("  largest difference: %g\n", max_diff);
  return max_diff == 0.0f ? 0 : 1;
}
