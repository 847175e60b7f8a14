// 07 — Batch size: how many examples per step
//
// Each training step estimates the gradient from a batch of examples instead of the whole
// data set. A small batch is a noisy estimate, but cheap, so you take many steps per epoch;
// a large batch is accurate but each step costs more and you take few of them. We measure
// all three effects:
//   1. the noise: how far a batch's gradient is from the full data set's gradient
//   2. the time per epoch and the loss after training, for batch sizes 8 .. everything
//   3. the chapter's suggestion: start with small batches, then grow them
//
// Where this lives in the library: the batch loop in Model::fit (src/model/fit.cpp),
// data::gather_rows (src/data/preprocessing.cpp), BatchSizeScheduler (src/model/callbacks.h).
//
// What "loss after 3 epochs" means here: the mean training loss over the batches of the
// 3rd epoch, as Keras's History records it. It is measured while the weights are still
// changing, batch by batch, and on the training data: a fair way to compare runs that saw
// the same examples the same number of times, not the loss of the final weights on new data.
//
// Expected output (30,000 Fashion-MNIST images, 3 epochs): the gradient error roughly halves
// each time the batch size is multiplied by four (noise ∝ 1/√batch: 1.956, 0.940, 0.511, 0.249);
// of the fixed sizes batch 8 reaches the lowest loss after 3 epochs (0.3728) but takes the
// longest per epoch (how many times batch 128's time depends on the machine: ~2x to ~15x);
// one step per epoch on the whole set barely learns (loss 1.9512); growing the batch
// 8 -> 32 -> 128 ends at 0.3485, below every fixed size. The chart out/07_batch_size.svg
// draws every run, the growing one too. ~15 s; --quick: 1,024 images, 1 epoch.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "nn.h"
#include "tutorial.h"
#include "tutorial_data.h"

namespace L = nn::layers;
using nn::Tensor;

namespace {

std::unique_ptr<nn::Sequential> make_model(int pixels) {
  nn::set_seed(1);
  auto model = std::make_unique<nn::Sequential>(
      std::initializer_list<nn::LayerRef>{L::Input({pixels}), L::Dense(64, "relu"), L::Dense(10, "softmax")});
  model->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.001f), {"accuracy"});
  return model;
}

// The gradient of the loss over rows `order[0..count)`, flattened into one vector.
std::vector<double> gradient(nn::Model& model, const Tensor& x, const Tensor& y, const std::vector<int>& order,
                             int count) {
  Tensor xb, yb;
  nn::data::gather_rows(x, order, 0, count, xb);
  nn::data::gather_rows(y, order, 0, count, yb);
  model.forward(xb, true);
  model.backward(yb);  // adds dL/dθ into every param's grad
  std::vector<double> g;
  for (nn::Param* p : model.params()) {
    for (float v : p->grad) g.push_back(v);
    p->grad.fill(0.0f);  // no optimizer step here: clear the grads ourselves
  }
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  const int n = args.quick ? 1024 : 30000, epochs = args.quick ? 1 : 3;
  tutorial::Data data = tutorial::load_best_data(false, n, 1);
  Tensor x = data.split.x_train;
  for (float& v : x) v /= 255.0f;
  const int pixels = static_cast<int>(x.row_size());
  x.reshape({n, pixels});
  const Tensor y = nn::data::to_categorical(data.split.y_train, 10);
  std::printf("%d training images of %s\n", n, data.name.c_str());

  tutorial::section(args, 1, "How noisy is a batch's gradient?");
  auto model = make_model(pixels);
  std::vector<int> all(n);
  for (int i = 0; i < n; ++i) all[i] = i;
  const std::vector<double> full = gradient(*model, x, y, all, n);
  double full_norm = 0;
  for (double v : full) full_norm += v * v;
  full_norm = std::sqrt(full_norm);
  nn::Rng rng(3);
  std::printf("  batch   relative error of its gradient (mean over 20 random batches)\n");
  for (int b : {8, 32, 128, 512}) {
    double err = 0;
    for (int trial = 0; trial < 20; ++trial) {
      const auto g = gradient(*model, x, y, rng.permutation(n), b);
      double d = 0;
      for (size_t i = 0; i < g.size(); ++i) d += (g[i] - full[i]) * (g[i] - full[i]);
      err += std::sqrt(d) / full_norm / 20;
    }
    std::printf("  %5d   %.3f\n", b, err);
  }
  std::printf("  Four times the batch, half the error: the error of an average of B samples\n"
              "  shrinks like 1/sqrt(B).\n");

  tutorial::section(args, 2, "Time per epoch and loss, batch sizes 8 .. everything");
  nn::viz::LineChart chart("Training loss per epoch for each batch size");
  chart.x_label("epoch").y_label("mean training loss over the epoch's batches").whole_x();
  std::vector<double> ep;
  for (int e = 1; e <= epochs; ++e) ep.push_back(e);
  std::printf("  batch   steps/epoch     time/epoch   loss in epoch %d   accuracy\n", epochs);
  for (int b : {8, 32, 128, 512, n}) {
    auto m = make_model(pixels);
    const auto t0 = std::chrono::steady_clock::now();
    nn::History h = m->fit(x, y, {.batch_size = b, .epochs = epochs, .verbose = 0, .seed = 11});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / epochs;
    std::printf("  %5d   %11d   %10.3f s   %15.4f   %8.3f\n", b, (n + b - 1) / b, secs, h["loss"].back(),
                h["accuracy"].back());
    chart.add_series("batch " + std::to_string(b), ep, h["loss"], {.markers = true});
  }
  std::printf("  \"loss in epoch %d\": the mean training loss over that epoch's batches, as fit's History\n"
              "  records it (measured while the weights still change, on the training data).\n"
              "  Small batches: many noisy steps, the lowest loss per epoch, but the most time\n"
              "  (each step has fixed overheads and small matrix multiplies run below peak).\n"
              "  The full set: one accurate step per epoch — far too few.\n", epochs);

  tutorial::section(args, 3, "Growing the batch size during training");
  // Early on, any rough direction helps, so cheap noisy steps are best; later, precise
  // steps help settle into the minimum. BatchSizeScheduler changes the batch per epoch.
  auto m = make_model(pixels);
  auto schedule = std::make_shared<nn::BatchSizeScheduler>([](int epoch, int) { return 8 << (2 * epoch); });
  nn::History h = m->fit(x, y, {.epochs = epochs, .verbose = 0, .callbacks = {schedule}, .seed = 11});
  for (int e = 0; e < epochs; ++e)
    std::printf("  epoch %d: batch %4d   loss %.4f\n", e + 1, 8 << (2 * e), h["loss"][e]);
  std::string label = "growing batch";
  for (int e = 0; e < epochs; ++e) label += (e ? " -> " : " ") + std::to_string(8 << (2 * e));
  chart.add_series(label, ep, h["loss"], {.color = "#000000", .dashed = true, .markers = true});
  chart.save(tutorial::out_path(args, "07_batch_size.svg"));
  std::printf("  chart: %s (every run above, the growing batch dashed)\n",
              tutorial::out_path(args, "07_batch_size.svg").c_str());
  return 0;
}
