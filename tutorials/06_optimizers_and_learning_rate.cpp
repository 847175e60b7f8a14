// 06 — Optimizers and the learning rate
//
// Backpropagation tells each weight which way is downhill. The optimizer decides how far
// to step. Plain SGD steps lr × gradient. Adam keeps a running average of each weight's
// gradient (momentum) and of its square (how noisy it is), and gives every weight its own
// step size. The learning rate scales everything:
//   too high  -> steps overshoot the valley: the loss jumps around or blows up
//   too low   -> every step is safe but tiny: the loss creeps down
// We train the same small network from the same starting weights with each setting and
// draw all loss curves in one chart (out/06_optimizers.svg).
//
// Where this lives in the library: src/optimizers/adam.cpp (Adam::update),
// src/optimizers/sgd.cpp (SGD::update); Model::train_on_batch in src/model/model.cpp.
//
// Expected output (Fashion-MNIST, 5,000 images, 5 epochs): a table of the mean training
// loss per epoch for every setting. After 5 epochs Adam at 0.01 and 0.001 reach 0.3822 and
// 0.4154, SGD at 0.1 is close behind (0.4642), Adam at 0.1 stalls at 1.4044, and Adam at 1e-5
// and SGD at 0.001 are still at 1.5561 and 1.3981. Then a deliberately absurd setting whose
// loss becomes infinite at batch 5 of epoch 1, which fit() stops with a clear message.
// ~5 s; --quick: 1,000 images, 2 epochs.
#include <cstdio>
#include <numeric>

#include "nn.h"
#include "tutorial.h"
#include "tutorial_data.h"

namespace L = nn::layers;
using nn::Tensor;

namespace {

// The same architecture every time; set_seed first so every run starts from the same weights.
std::unique_ptr<nn::Sequential> make_model(int pixels) {
  nn::set_seed(1);
  return std::make_unique<nn::Sequential>(std::initializer_list<nn::LayerRef>{
      L::Input({pixels}), L::Dense(64, "relu"), L::Dense(10, "softmax")});
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  const int n = args.quick ? 1000 : 5000, epochs = args.quick ? 2 : 5, batch = 32;

  tutorial::section(args, 1, "Data");
  // Small images keep six trainings quick: Fashion-MNIST when it is on the machine.
  tutorial::Data data = tutorial::load_best_data(false, n, 1);
  Tensor x = data.split.x_train;
  for (float& v : x) v /= 255.0f;  // scale to 0..1: unscaled inputs make every step too big
  const int pixels = static_cast<int>(x.row_size());
  x.reshape({n, pixels});
  Tensor y = nn::data::to_categorical(data.split.y_train, 10);
  std::printf("  %d images of %s, %d epochs of batches of %d\n", n, data.name.c_str(), epochs, batch);

  tutorial::section(args, 2, "Same network, same start, different optimizers");
  struct Setting {
    std::string label;
    std::unique_ptr<nn::optimizers::Optimizer> optimizer;
  };
  std::vector<Setting> settings;
  settings.push_back({"Adam lr 0.1 (too high)", std::make_unique<nn::optimizers::Adam>(0.1f)});
  settings.push_back({"Adam lr 0.01", std::make_unique<nn::optimizers::Adam>(0.01f)});
  settings.push_back({"Adam lr 0.001", std::make_unique<nn::optimizers::Adam>(0.001f)});
  settings.push_back({"Adam lr 1e-5 (too low)", std::make_unique<nn::optimizers::Adam>(1e-5f)});
  settings.push_back({"SGD lr 0.1", std::make_unique<nn::optimizers::SGD>(0.1f)});
  settings.push_back({"SGD lr 0.001", std::make_unique<nn::optimizers::SGD>(0.001f)});

  nn::viz::LineChart chart("Training loss: optimizers and learning rates");
  chart.x_label("batches seen").y_label("loss (mean of the last 20 batches)").log_y();
  std::printf("  %-24s", "setting");
  for (int e = 1; e <= epochs; ++e) std::printf("  epoch %d", e);
  std::printf("\n");
  Tensor xb, yb;
  for (auto& s : settings) {
    auto model = make_model(pixels);
    model->compile(nn::losses::CategoricalCrossentropy(), *s.optimizer);
    nn::Rng shuffle(7);  // the same batches in the same order for every setting
    std::vector<double> steps, curve;
    std::vector<float> recent;
    std::printf("  %-24s", s.label.c_str());
    for (int e = 0; e < epochs; ++e) {
      auto order = shuffle.permutation(n);
      double epoch_loss = 0;
      for (int b = 0; b + batch <= n; b += batch) {
        nn::data::gather_rows(x, order, b, batch, xb);
        nn::data::gather_rows(y, order, b, batch, yb);
        const float loss = model->train_on_batch(xb, yb);  // forward, backward, one step
        epoch_loss += loss;
        recent.push_back(loss);
        if (recent.size() > 20) recent.erase(recent.begin());
        steps.push_back(static_cast<double>(steps.size() + 1));
        curve.push_back(std::accumulate(recent.begin(), recent.end(), 0.0) / recent.size());
      }
      std::printf("  %7.4f", epoch_loss / (n / batch));
    }
    std::printf("\n");
    chart.add_series(s.label, steps, curve);
  }
  chart.save(tutorial::out_path(args, "06_optimizers.svg"));
  std::printf("  chart: %s\n", tutorial::out_path(args, "06_optimizers.svg").c_str());

  tutorial::section(args, 3, "What the curves say");
  std::printf("  Adam adapts each weight's step, so it is forgiving: 0.01 and 0.001 both work.\n"
              "  At 0.1 the steps overshoot and the curve is noisy and high. At 1e-5 it is\n"
              "  stable but would need hundreds of epochs. SGD takes the raw gradient, so its\n"
              "  good learning rate is different (here larger) and it is more sensitive to it.\n");

  tutorial::section(args, 4, "A learning rate far too high: the guard stops training");
  // Pixels left at 0..255, a linear model (one Dense layer, no activation) trained with mean
  // squared error, and SGD at lr 0.1: each step overshoots more than the last, the errors
  // grow geometrically, and within a few batches the numbers overflow. fit() notices the
  // NaN/inf loss, stops at that batch, and says why. (Cross-entropy after softmax is harder
  // to break this way: its gradient p - y can never exceed 1. And a relu in between can
  // hide the problem: one huge step can switch every unit off for good, and then nothing
  // moves at all.)
  Tensor raw = x;
  for (float& v : raw) v *= 255.0f;
  nn::set_seed(1);
  nn::Sequential regression({L::Input({pixels}), L::Dense(10)});
  regression.compile(nn::losses::MeanSquaredError(), nn::optimizers::SGD(0.1f));
  nn::History h = regression.fit(raw, y, {.batch_size = batch, .epochs = 2, .verbose = 0});
  std::printf("  fit returned after %d complete epochs; reason: %s\n", h.epochs(),
              h.stop_reason.empty() ? "(it did not blow up this time)" : h.stop_reason.c_str());
  return 0;
}
