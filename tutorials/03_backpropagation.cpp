// 03 — Backpropagation, one number at a time
//
// A network learns by asking, for every weight: "if I nudged you a little, how much would
// the error change?" That number is the gradient. Backpropagation computes all of them in
// one sweep from the output back to the input, reusing what the forward pass already
// worked out. Here we do it for a network small enough to print every value, then check
// each gradient the slow, obvious way (nudge the weight and measure the loss again), and
// finally take one step downhill and watch the loss go down.
//
// The network: 2 inputs -> Dense(3, relu) -> Dense(2, softmax), one training example.
//
// Where this lives in the library:
//   forward    Dense::forward in src/layers/dense.cpp (z = x·W + b, then the activation)
//   loss       CategoricalCrossentropy::value_from_logits in src/losses/categorical_crossentropy.cpp
//   output     CategoricalCrossentropy::gradient_from_logits (softmax + cross-entropy: dL/dz = p - y)
//   backward   Dense::backward (dW = xᵀ·dz, db = Σ dz, dx = dz·Wᵀ, relu' from the output)
//   update     SGD::update in src/optimizers/sgd.cpp (θ ← θ - lr·g)
//
// Expected output: z1 = (0.5500, -0.2500, 0.3000) before the relu and h = (0.5500, 0.0000,
// 0.3000) after it, the logits z2 = (0.4800, -0.0850) and their softmax p = (0.6376, 0.3624),
// a loss of 1.0150; the gradients, each named as
// the maths names it (dL/dW2) and as the library does (dense_1 kernel); every one agrees
// with its finite-difference estimate to ~5e-05 (float32 rounding), and one SGD step
// (lr 0.5) lowers the loss from 1.0150 to 0.4082. The numbers are the same on every run:
// the weights are set by hand.
#include <cmath>
#include <cstdio>

#include "nn.h"
#include "tutorial.h"

using nn::Tensor;

namespace {

void print_matrix(const char* name, const Tensor& t) {
  std::printf("  %-6s", name);
  const int cols = t.rank() == 2 ? t.dim(1) : t.dim(0);
  for (size_t i = 0; i < t.size(); ++i) {
    if (i && i % cols == 0) std::printf("\n        ");
    std::printf("%9.4f", t[i]);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  nn::layers::Dense hidden(3, "relu"), output(2, "softmax");
  nn::losses::CategoricalCrossentropy cross_entropy;

  tutorial::section(args, 1, "A network small enough to print");
  hidden.build_for({2});
  output.build_for({3});
  // Weights chosen by hand so that every number below can be followed with a calculator.
  hidden.kernel().value = Tensor({2, 3}, {0.2f, -0.4f, 0.7f, 0.5f, 0.3f, -0.6f});
  hidden.bias().value = Tensor({3}, {0.1f, 0.0f, -0.1f});
  output.kernel().value = Tensor({3, 2}, {0.6f, -0.3f, -0.2f, 0.4f, 0.5f, 0.1f});
  output.bias().value = Tensor({2}, {0.0f, 0.05f});
  const Tensor x({1, 2}, {1.0f, 0.5f});       // one example, two features
  const Tensor target({1, 2}, {0.0f, 1.0f});  // its true class is class 1 (one-hot)
  print_matrix("x", x);
  print_matrix("W1", hidden.kernel().value);
  print_matrix("b1", hidden.bias().value);
  print_matrix("W2", output.kernel().value);
  print_matrix("b2", output.bias().value);
  print_matrix("y", target);
  // The same numbers by the library's names, which summary(), weight files and the gradient
  // check below use: the hidden layer is "dense", the output layer "dense_1".
  std::printf("  in the library: W1, b1 = %s kernel, bias;  W2, b2 = %s kernel, bias\n", hidden.name().c_str(),
              output.name().c_str());

  tutorial::section(args, 2, "Forward pass: inputs -> hidden -> probabilities");
  Tensor h, z2, p({1, 2});
  hidden.forward(x, h, true);  // h = relu(x·W1 + b1)
  // The output layer hands out z2, the logits, and we apply the softmax ourselves: that is
  // what fit does, so the loss can be computed from z2 (no probability to clip).
  output.set_logits_output(true);
  output.forward(h, z2, true);  // z2 = h·W2 + b2
  nn::activation_forward(nn::ActivationKind::softmax, z2.data(), p.data(), 1, 2);  // p = softmax(z2)
  // z1 by hand: one weighted sum per hidden unit. Dense applies the relu straight away, so
  // it never shows z1; here we see what the relu cuts off.
  Tensor z1({1, 3});
  for (int j = 0; j < 3; ++j) {
    z1[j] = hidden.bias().value[j];
    for (int i = 0; i < 2; ++i) z1[j] += x[i] * hidden.kernel().value[i * 3 + j];
  }
  std::printf("  hidden layer: z1 = x·W1 + b1, then h = relu(z1) = max(0, z1)\n");
  print_matrix("z1", z1);
  print_matrix("h", h);
  std::printf("  the second unit's sum is negative, so relu outputs 0 there: that unit is off for this input\n");
  std::printf("  output layer: z2 = h·W2 + b2, p = softmax(z2)\n");
  print_matrix("z2", z2);
  print_matrix("p", p);
  const float loss = cross_entropy.value_from_logits(z2, target);
  std::printf("  loss = -log p[true class] = -log %.4f = %.4f\n", p[1], loss);

  tutorial::section(args, 3, "Backward pass: the error flows back, layer by layer");
  // Start at the output. For softmax followed by cross-entropy the chain rule collapses to
  // dL/dz2 = p - y: "how far off was each probability".
  Tensor dz2, dh, dx;
  cross_entropy.gradient_from_logits(z2, target, dz2);  // Dense::backward gets dL/dz2 directly
  print_matrix("dL/dz2", dz2);
  output.backward(dz2, dh);  // dW2 = hᵀ·dz2, db2 = dz2, dh = dz2·W2ᵀ
  std::printf("  each output weight's share of the error: dL/dW2 = hᵀ · dL/dz2 (the library keeps it in\n"
              "  %s's kernel.grad, and dL/db2 in its bias.grad)\n", output.name().c_str());
  print_matrix("dL/dW2", output.kernel().grad);
  print_matrix("dL/db2", output.bias().grad);
  std::printf("  the error handed to the hidden layer: dL/dh = dL/dz2 · W2ᵀ\n");
  print_matrix("dL/dh", dh);
  hidden.backward(dh, dx);  // relu passes the error only where h > 0; then dW1 = xᵀ·dz1
  std::printf("  relu lets the error through only where the unit was active (z1 > 0): dL/dz1 = dL/dh where\n"
              "  z1 > 0, else 0; then dL/dW1 = xᵀ · dL/dz1 (%s's kernel.grad). The unit that was off\n"
              "  gets no blame, and its weights no gradient.\n", hidden.name().c_str());
  print_matrix("dL/dW1", hidden.kernel().grad);
  print_matrix("dL/db1", hidden.bias().grad);

  tutorial::section(args, 4, "Check every gradient the slow way: nudge, re-measure");
  // Central difference: (L(w + e) - L(w - e)) / 2e. One forward pass per nudge: fine for
  // 17 weights, hopeless for 646,260 — which is exactly why backpropagation matters.
  auto loss_now = [&] {
    Tensor hh, zz;
    hidden.forward(x, hh, false);
    output.forward(hh, zz, false);  // the logits, as above
    return cross_entropy.value_from_logits(zz, target);
  };
  double worst = 0;
  int layer_number = 0;
  for (nn::layers::Dense* layer : {&hidden, &output}) {
    ++layer_number;  // 1: W1, b1; 2: W2, b2
    for (nn::Param* param : layer->params()) {
      const bool is_kernel = param->name == "kernel";
      const int cols = is_kernel ? param->value.dim(1) : 1;
      for (size_t i = 0; i < param->value.size(); ++i) {
        const float saved = param->value[i], e = 1e-3f;
        param->value[i] = saved + e;
        const double up = loss_now();
        param->value[i] = saved - e;
        const double down = loss_now();
        param->value[i] = saved;
        const double numeric = (up - down) / (2 * e), analytic = param->grad[i];
        worst = std::max(worst, std::abs(numeric - analytic));
        char maths[64];  // dL/dW1[0][2] for kernel entry 2 of the first layer
        if (is_kernel)
          std::snprintf(maths, sizeof maths, "dL/dW%d[%zu][%zu]", layer_number, i / cols, i % cols);
        else
          std::snprintf(maths, sizeof maths, "dL/db%d[%zu]", layer_number, i);
        std::printf("  %-13s (%-7s %-6s[%zu])  backprop %9.5f   nudge %9.5f\n", maths, layer->name().c_str(),
                    param->name.c_str(), i, analytic, numeric);
      }
    }
  }
  std::printf("  largest disagreement: %.1e (float32 rounding: the loss is computed to ~7 digits)\n", worst);

  tutorial::section(args, 5, "One step downhill");
  // Each weight moves against its gradient: the ones that contributed most to the error
  // move most. Then the same example gives a smaller loss.
  nn::optimizers::SGD sgd(0.5f);
  std::vector<nn::Param*> params;
  for (auto* layer : {&hidden, &output})
    for (nn::Param* param : layer->params()) params.push_back(param);
  sgd.step(params);
  print_matrix("W2 new", output.kernel().value);
  std::printf("  loss before the step %.4f, after %.4f\n", loss, loss_now());
  return 0;
}
