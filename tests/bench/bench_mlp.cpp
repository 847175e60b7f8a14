// bench_mlp — end-to-end training speed and memory of the chapter's MLP, against PyTorch
// measured in the same run.
//
//   build/bench/bench_mlp            full run (a few minutes with PyTorch)
//   build/bench/bench_mlp --quick    5,000 samples, one repetition, times scaled to 50,000
//   build/bench/bench_mlp --no-torch skip the PyTorch peer
//
// Then the seed's model as the chapter writes it (images → Flatten → Dense ...), on random
// and on learnable labels, 1 and 2 threads, in 7 repetitions that each measure the FMA peak
// beside the epoch: seconds per epoch, the 2-thread speed-up, the share of the FMA peak (by
// the FLOPs done and by model FLOPs, 6 × batch × parameters; medians of per-repetition ratios
// over the repetitions whose 2-thread peak shows two cores' worth of arithmetic, see
// on_two_cores),
// PyTorch on the same model, a table of where one step goes on 1 and on 2 threads
// (multiplies per layer, element-wise, loss, guard, optimizer, gathering the batch, fit's
// loop, the second thread's idle share), and each run's Model::profile_report.
//
// It prints, for the CIFAR-10-shaped MLP (3072 -> 200 -> 150 -> 10, Adam, random data):
// samples/s and seconds per 50,000-sample epoch for batch 32 and 256 on 1 and 2 threads;
// the split of one step's time (GEMM, element-wise, optimizer) with the achieved GFLOP/s
// against the FMA peak and Adam's GB/s against the measured memory bandwidth; then one
// epoch of the 784-input MLP on real Fashion-MNIST when it is installed, and the peak
// memory of training that for 10 epochs (measured in a child process, so this program's
// own CIFAR-shaped data does not count). Medians of repeated runs.
#include <unistd.h>

#include <cstring>
#include <numeric>

#include "../chapter_models.h"
#include "bench_util.h"

namespace L = nn::layers;
using nn::Tensor;

namespace {

struct Options {
  bool quick = false, torch = true;
  int samples = 50000, reps = 3;
};

std::unique_ptr<nn::Sequential> mlp(int inputs) {
  nn::set_seed(1);
  auto m = std::make_unique<nn::Sequential>(std::initializer_list<nn::LayerRef>{
      L::Input({inputs}), L::Dense(200, "relu"), L::Dense(150, "relu"), L::Dense(10, "softmax")});
  m->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  return m;
}


// FLOPs of one training step: forward x·W, backward xᵀ·dz and dz·Wᵀ (skipped for the
// first layer, whose dx nobody needs); 2 FLOPs per multiply-add.
double step_flops(int batch, const std::vector<std::pair<int, int>>& layers) {
  double f = 0;
  for (size_t i = 0; i < layers.size(); ++i) f += 2.0 * batch * layers[i].first * layers[i].second * (i ? 3 : 2);
  return f;
}

// Median seconds of the sgemm calls one step makes, replayed alone on buffers of ordinary
// numbers (uninitialised memory could hold denormals, which are slow and would skew this).
double gemm_seconds_per_step(int batch, const std::vector<std::pair<int, int>>& layers) {
  struct Buffers {
    Tensor x, w, y, dw, dx;
  };
  std::vector<Buffers> bufs;
  for (auto [d, k] : layers)
    bufs.push_back({Tensor({batch, d}, 0.5f), Tensor({d, k}, 0.01f), Tensor({batch, k}, 0.5f), Tensor({d, k}, 0.0f),
                    Tensor({batch, d}, 0.0f)});
  auto run = [&] {
    for (size_t i = 0; i < layers.size(); ++i) {
      const int d = layers[i].first, k = layers[i].second;
      Buffers& b = bufs[i];
      nn::sgemm(false, false, batch, k, d, 1, b.x.data(), d, b.w.data(), k, 0, b.y.data(), k);
      nn::sgemm(true, false, d, k, batch, 1, b.x.data(), d, b.y.data(), k, 0, b.dw.data(), k);
      if (i) nn::sgemm(false, true, batch, d, k, 1, b.y.data(), k, b.w.data(), k, 0, b.dx.data(), d);
    }
  };
  run();
  return bench::median_seconds(200, run);
}

struct StepSplit {
  double forward, backward, optimizer;
};

// Times the three phases of a step on one fixed batch (medians over 200 steps).
StepSplit time_step(nn::Model& model, const Tensor& x, const Tensor& y, int batch) {
  std::vector<int> order(batch);
  std::iota(order.begin(), order.end(), 0);
  Tensor xb, yb;
  nn::data::gather_rows(x, order, 0, batch, xb);
  nn::data::gather_rows(y, order, 0, batch, yb);
  for (int i = 0; i < 20; ++i) model.train_on_batch(xb, yb);  // warm up buffers and caches
  std::vector<double> f, b, o;
  for (int i = 0; i < 200; ++i) {
    auto t0 = bench::Clock::now();
    model.forward(xb, true);
    f.push_back(bench::seconds_since(t0));
    t0 = bench::Clock::now();
    model.backward(yb);
    b.push_back(bench::seconds_since(t0));
    t0 = bench::Clock::now();
    model.optimizer().step(model.params());
    o.push_back(bench::seconds_since(t0));
  }
  return {bench::median(f), bench::median(b), bench::median(o)};
}

// One epoch of fit over `samples` rows, median of reps, scaled to 50,000 samples.
double epoch_seconds(const Tensor& x, const Tensor& y, int batch, int reps, int inputs) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    auto model = mlp(inputs);
    const auto t0 = bench::Clock::now();
    model->fit(x, y, {.batch_size = batch, .epochs = 1, .verbose = 0, .seed = 5});
    t.push_back(bench::seconds_since(t0) * 50000.0 / x.dim(0));
  }
  return bench::median(t);
}

// Seconds per epoch that the PyTorch peer prints ("epoch 1: 12.3 seconds, ..."), median.
double torch_epoch_seconds(const std::string& python, const std::string& args, int epochs) {
  const std::string out = bench::run_command(python + " tests/bench/torch_mlp.py " + args + " 2>&1");
  std::vector<double> t;
  for (size_t at = out.find("epoch "); at != std::string::npos; at = out.find("epoch ", at + 1)) {
    double s = 0;
    if (std::sscanf(out.c_str() + out.find(':', at) + 1, "%lf", &s) == 1) t.push_back(s);
  }
  if (static_cast<int>(t.size()) != epochs) std::printf("  (PyTorch peer said: %s)\n", out.c_str());
  return bench::median(t);
}

// The seed's model exactly as the chapter writes it: images (32, 32, 3) → Flatten → Dense
// 200 relu → Dense 150 relu → Dense 10 softmax (the Flatten matters: the first Dense then
// needs no dx, see Model::set_layers).
std::unique_ptr<nn::Model> seed_model() {
  nn::reset_layer_names();  // "dense", "dense_1", ... in every profile
  nn::set_seed(1);
  nn::Node input = L::Input({32, 32, 3});
  nn::Node h = L::Flatten()(input);
  h = L::Dense(200, "relu")(h);
  h = L::Dense(150, "relu")(h);
  auto m = std::make_unique<nn::Model>(input, L::Dense(10, "softmax")(h));
  m->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  return m;
}

// Labels a network can learn: the class is the largest of 10 fixed random projections of
// the image, so training keeps units alive (with random labels many die in epoch 1).
Tensor learnable_labels(const Tensor& x, int classes, uint64_t seed) {
  const int n = x.dim(0), d = static_cast<int>(x.size() / n);
  nn::Rng rng(seed);
  Tensor w({d, classes});
  for (float& v : w) v = rng.uniform(-1.0f, 1.0f);
  Tensor ids({n});
  for (int i = 0; i < n; ++i) {
    std::vector<double> score(classes, 0.0);
    for (int j = 0; j < d; ++j)
      for (int c = 0; c < classes; ++c) score[c] += (x[static_cast<size_t>(i) * d + j] - 0.5) * w[j * classes + c];
    ids[i] = static_cast<float>(std::max_element(score.begin(), score.end()) - score.begin());
  }
  return nn::data::to_categorical(ids, classes);
}

// Where one step of a profiled epoch went, in ms per step (Model::Profile, PoolTimes).
struct StepBreakdown {
  std::vector<std::string> multiply_names;
  std::vector<double> multiply;  // per Dense layer: its x·W, xᵀ·dz (and dz·Wᵀ where needed)
  double other_layer_work = 0;   // bias, activations, Flatten's copy: the layers' time minus multiplies
  double loss = 0, guard = 0, optimizer = 0, data = 0;
  double bookkeeping = 0;        // the epoch's wall time not inside any of the above (fit's loop)
  double step = 0;               // the profiled epoch's wall time / steps
  double others_idle = -1;       // share of the step the other thread did no task (2 threads)
};

StepBreakdown breakdown(const nn::Model& model, double wall_seconds) {
  const nn::Model::Profile& p = model.profile();
  StepBreakdown b;
  const double per_step = 1e3 / static_cast<double>(p.steps);
  double layers = 0, measured = 0;
  for (const auto& t : p.layers) {
    layers += t.forward_seconds + t.backward_seconds;
    const double multiply = t.forward_multiply_seconds + t.backward_multiply_seconds;
    if (multiply == 0) continue;
    b.multiply_names.push_back(t.name);
    b.multiply.push_back(multiply * per_step);
    b.other_layer_work -= multiply * per_step;
  }
  b.other_layer_work += layers * per_step;
  b.loss = p.loss_seconds * per_step, b.guard = p.guard_seconds * per_step;
  b.optimizer = p.optimizer_seconds * per_step, b.data = p.data_seconds * per_step;
  measured = layers + p.loss_seconds + p.guard_seconds + p.optimizer_seconds + p.data_seconds;
  b.step = wall_seconds * per_step;
  b.bookkeeping = (wall_seconds - measured) * per_step;
  if (nn::get_num_threads() == 2) b.others_idle = 1.0 - nn::pool_times().others_busy_seconds / wall_seconds;
  return b;
}

struct SeedEpoch {
  double seconds;       // scaled to 50,000 samples
  std::string profile;  // Model::profile_report (when profiled)
  StepBreakdown split;
};

// One epoch of the seed model on `threads` threads, seconds scaled to 50,000 samples; with
// `profiled`, also where its steps went.
SeedEpoch seed_epoch(const Tensor& x, const Tensor& y, int threads, bool profiled) {
  nn::set_num_threads(threads);
  auto model = seed_model();
  model->set_profile(profiled);
  const auto t0 = bench::Clock::now();
  model->fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0, .seed = 5});
  const double wall = bench::seconds_since(t0);
  SeedEpoch out{wall * 50000.0 / x.dim(0), "", {}};
  if (profiled) {
    out.profile = model->profile_report();
    out.split = breakdown(*model, wall);
    model->set_profile(false);  // the pool's and sgemm's timers are global: off for the runs after
  }
  return out;
}

// The seed model's epochs as repeated pairs: each repetition measures the FMA peak on 1
// thread, an epoch on 1 thread, the peak on 2 threads and an epoch on 2, back to back. The
// host is shared (for seconds at a time the 2-core peak has read half its usual value), so
// each epoch is compared with the peak and the partner measured next to it, and the
// medians are taken of those per-repetition ratios rather than of times measured minutes
// apart.
struct SeedRuns {
  std::vector<double> seconds[2], peak[2], speed_up;  // [threads - 1], per repetition
  SeedEpoch profiled[2];                              // the last repetition's, profiled
};

SeedRuns seed_runs(const Tensor& x, const Tensor& y, int reps) {
  SeedRuns runs;
  for (int r = 0; r < reps; ++r) {
    for (int threads : {1, 2}) {
      runs.peak[threads - 1].push_back(bench::fma_peak(threads, 0.05) * 1e-9);
      const SeedEpoch e = seed_epoch(x, y, threads, r + 1 == reps);
      runs.seconds[threads - 1].push_back(e.seconds);
      if (r + 1 == reps) runs.profiled[threads - 1] = e;
    }
    runs.speed_up.push_back(runs.seconds[0].back() / runs.seconds[1].back());
  }
  return runs;
}

// The repetitions run on two whole cores. For seconds at a time this machine's host gives
// its two virtual CPUs no more than one core's arithmetic (seen on 2026-12-02: the 2-thread
// FMA peak read 230 instead of 460 GFLOP/s, the 1-thread one as usual, with no steal time:
// as if both shared one physical core); then no program runs faster on 2 threads than on
// 1. Such repetitions are printed but left out of the medians (all are kept if none had
// two cores).
SeedRuns on_two_cores(const SeedRuns& all, size_t& left_out) {
  SeedRuns kept;
  for (size_t r = 0; r < all.speed_up.size(); ++r) {
    if (all.peak[1][r] < 1.8 * all.peak[0][r]) continue;
    for (int t = 0; t < 2; ++t) {
      kept.seconds[t].push_back(all.seconds[t][r]);
      kept.peak[t].push_back(all.peak[t][r]);
    }
    kept.speed_up.push_back(all.speed_up[r]);
  }
  left_out = all.speed_up.size() - kept.speed_up.size();
  if (kept.speed_up.empty()) kept = all, left_out = 0;
  kept.profiled[0] = all.profiled[0], kept.profiled[1] = all.profiled[1];
  return kept;
}

// The median over repetitions of flops_per_epoch / seconds as a share of that repetition's peak.
double median_share(const std::vector<double>& seconds, const std::vector<double>& peak, double gflop) {
  std::vector<double> share;
  for (size_t r = 0; r < seconds.size(); ++r) share.push_back(gflop / seconds[r] / peak[r]);
  return bench::median(share);
}

// The two breakdowns side by side: one row per part of the step.
void print_breakdown(const char* labels, const StepBreakdown& one, const StepBreakdown& two) {
  std::printf("  where one step goes, %s labels (ms per step, profiled epoch; share of the step)\n", labels);
  std::printf("    %-44s %16s %16s\n", "", "1 thread", "2 threads");
  const auto row = [&](const std::string& what, double a, double b) {
    std::printf("    %-44s %7.3f (%4.1f%%) %7.3f (%4.1f%%)\n", what.c_str(), a, 100 * a / one.step, b,
                100 * b / two.step);
  };
  for (size_t i = 0; i < one.multiply.size() && i < two.multiply.size(); ++i)
    row("multiplies of " + one.multiply_names[i], one.multiply[i], two.multiply[i]);
  row("element-wise in the layers (bias, relu, ...)", one.other_layer_work, two.other_layer_work);
  row("loss and its gradient", one.loss, two.loss);
  row("NaN guard (every gradient finite?)", one.guard, two.guard);
  row("optimizer step (Adam)", one.optimizer, two.optimizer);
  row("gathering the batch", one.data, two.data);
  row("fit's loop around the step", one.bookkeeping, two.bookkeeping);
  row("= one step", one.step, two.step);
  if (two.others_idle >= 0)
    std::printf("    the second thread idle (nothing split to run): %.0f%% of the step\n", 100 * two.others_idle);
}

// Child mode: train the Fashion-MNIST MLP for 10 epochs and print the peak RSS.
int fashion_memory_child() {
  auto [x_train, y_ids, x_test, y_test_ids] = nn::data::load_fashion_mnist();
  for (float& v : x_train) v /= 255.0f;
  x_train.reshape({x_train.dim(0), 784});
  const Tensor y = nn::data::to_categorical(y_ids, 10);
  auto model = mlp(784);
  model->fit(x_train, y, {.batch_size = 32, .epochs = 10, .verbose = 0});
  std::printf("%.1f\n", bench::peak_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) o.quick = true, o.samples = 5000, o.reps = 1;
    else if (!std::strcmp(argv[i], "--no-torch")) o.torch = false;
    else if (!std::strcmp(argv[i], "--fashion-memory-child")) return fashion_memory_child();
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--no-torch]\n", argv[0]);
      return 2;
    }
  }
  const std::string python = o.torch ? bench::python_with_torch() : "";
  std::printf("bench_mlp: the chapter's MLP, Adam(0.0005), times per 50,000-sample epoch (medians of %d)\n", o.reps);
  const double peak1 = bench::fma_peak(1, 0.2) * 1e-9, peak2 = bench::fma_peak(2, 0.2) * 1e-9;
  const double bw_cache = bench::triad_gbs(1 << 20, 1), bw_mem = bench::triad_gbs(size_t{1} << 24, 1);
  std::printf("machine: FMA peak %.0f GFLOP/s (1 thread), %.0f (2); triad %.0f GB/s in cache (12 MB), "
              "%.0f GB/s from memory (200 MB), 1 thread\n\n",
              peak1, peak2, bw_cache, bw_mem);

  // ---- CIFAR-10 shape -------------------------------------------------------------------
  Tensor x, y;
  chapter::random_data(o.samples, {3072}, 10, 3, x, y);
  const std::vector<std::pair<int, int>> layers{{3072, 200}, {200, 150}, {150, 10}};
  std::printf("CIFAR-10 shape (3072 inputs), %d random samples%s\n", o.samples, o.quick ? " (scaled)" : "");
  std::printf("  batch threads   s/epoch  samples/s   GEMM  elem.  Adam   step GFLOP/s  %%peak  Adam GB/s\n");
  double ours_b32_t2 = 0, ours_b32_t1 = 0, torch_best = 0;  // torch_best: PyTorch's faster thread count
  for (int batch : {32, 256}) {
    for (int threads : {1, 2}) {
      // The peak measured just before (see on_two_cores: the host's share of the second
      // core comes and goes).
      const double peak = bench::fma_peak(threads, 0.05) * 1e-9;
      nn::set_num_threads(threads);
      const double epoch = epoch_seconds(x, y, batch, o.reps, 3072);
      if (batch == 32) (threads == 1 ? ours_b32_t1 : ours_b32_t2) = epoch;
      auto model = mlp(3072);
      const StepSplit s = time_step(*model, x, y, batch);
      const double step = s.forward + s.backward + s.optimizer;
      const double gemm = gemm_seconds_per_step(batch, layers);
      const double elementwise = std::max(0.0, s.forward + s.backward - gemm);
      // Adam reads θ, g, m, v and writes θ, m, v and the zeroed g: 8 floats per parameter.
      const double adam_bytes = 8.0 * 4 * 646260;
      const double gflops = step_flops(batch, layers) / step * 1e-9;
      std::printf("  %5d %7d %9.2f %10.0f %5.0f%% %5.0f%% %4.0f%% %13.0f %5.0f%% %10.0f\n", batch, threads, epoch,
                  50000 / epoch, 100 * gemm / step, 100 * elementwise / step, 100 * s.optimizer / step, gflops,
                  100 * gflops / peak, adam_bytes / s.optimizer * 1e-9);
    }
  }
  if (!python.empty()) {
    const int n = o.quick ? 5000 : 50000;
    const std::string count = " 32 " + std::to_string(n);
    const double t1 = torch_epoch_seconds(python, "cifar-shape 1 1" + count, 1) * 50000.0 / n;
    const double t2 = torch_epoch_seconds(python, "cifar-shape 1 2" + count, 1) * 50000.0 / n;
    torch_best = std::min(t1, t2);
    std::printf("  PyTorch %s, batch 32: %.2f s/epoch with 1 thread, %.2f with 2\n",
                bench::run_command(python + " -c 'import torch; print(torch.__version__, end=\"\")'").c_str(), t1, t2);
    std::printf("  ratio (PyTorch time / ours): %.1fx with 1 thread, %.1fx with 2 (PyTorch's best: %.1fx)\n",
                t1 / ours_b32_t1, t2 / ours_b32_t2, std::min(t1, t2) / ours_b32_t2);
  } else {
    std::printf("  PyTorch: not measured (%s)\n", o.torch ? "no python3 with torch; apt install python3-torch" : "--no-torch");
  }

  // ---- The seed's model, with Flatten, on random and on learnable labels --------------------
  {
    Tensor images = x;
    images.reshape({x.dim(0), 32, 32, 3});
    const Tensor y_learnable = learnable_labels(x, 10, 11);
    // 2 FLOPs per multiply-add: forward x·W for every layer, xᵀ·dz for every layer, dz·Wᵀ
    // for all but the first (behind Flatten it computes no dx).
    const double flops = step_flops(32, layers) / 32;
    std::printf("\nThe seed's model (Input (32, 32, 3) -> Flatten -> Dense 200/150/10), batch 32, %d samples%s\n",
                o.samples, o.quick ? " (scaled)" : "");
    // Two counts of the work: the FLOPs this step really does (above), and the usual "model
    // FLOPs" 6 × batch × parameters (forward 2, backward 4 per weight, as if every layer's
    // dx were computed), by which model-FLOPs utilisation is quoted.
    const double model_flops = 6.0 * 646260;
    const int seed_reps = o.quick ? 1 : 7;
    std::printf("  %d repetitions, each: FMA peak and epoch on 1 thread, then on 2; medians of each repetition's\n"
                "  speed-up and share of the peak measured next to it, over the repetitions that had two cores\n",
                seed_reps);
    std::printf("  labels     threads   s/epoch   speed-up  GFLOP/s  %%peak   model GFLOP/s  %%peak\n");
    for (const auto& [name, labels] : {std::pair<const char*, const Tensor*>{"random", &y}, {"learnable", &y_learnable}}) {
      const SeedRuns all = seed_runs(images, *labels, seed_reps);
      size_t left_out = 0;
      const SeedRuns runs = on_two_cores(all, left_out);
      std::string profiles;
      StepBreakdown split[2];
      double two = 0;
      for (int threads : {1, 2}) {
        const std::vector<double>& s = runs.seconds[threads - 1];
        const std::vector<double>& peak = runs.peak[threads - 1];
        const double seconds = bench::median(s), epoch_gflop = flops * 50000 * 1e-9;
        const double model_epoch_gflop = model_flops * 50000 * 1e-9;
        if (threads == 2) two = seconds;
        split[threads - 1] = runs.profiled[threads - 1].split;
        std::printf("  %-10s %7d %9.2f %9.2fx %8.0f %5.0f%% %15.0f %5.0f%%\n", name, threads, seconds,
                    threads == 1 ? 1.0 : bench::median(runs.speed_up), epoch_gflop / seconds,
                    100 * median_share(s, peak, epoch_gflop), model_epoch_gflop / seconds,
                    100 * median_share(s, peak, model_epoch_gflop));
        profiles += "  -- " + std::string(name) + " labels, " + std::to_string(threads) + " thread(s):\n" +
                    runs.profiled[threads - 1].profile;
      }
      std::printf("  each repetition (s/epoch 1 thread, 2 threads; FMA peak GFLOP/s 1 thread, 2 threads):\n   ");
      for (size_t r = 0; r < all.speed_up.size(); ++r)
        std::printf(" %.2f %.2f %.0f %.0f%s", all.seconds[0][r], all.seconds[1][r], all.peak[0][r], all.peak[1][r],
                    r + 1 < all.speed_up.size() ? ";" : "\n");
      if (left_out)
        std::printf("  (%zu of %zu left out of the medians: their 2-thread peak was under 1.8x the 1-thread one, "
                    "one core's worth)\n", left_out, all.speed_up.size());
      // The PyTorch peer above is this very model (Flatten, random labels, batch 32).
      if (torch_best > 0 && !std::strcmp(name, "random"))
        std::printf("  PyTorch on this model (its best of 1 and 2 threads, above) / ours on 2 threads: %.1fx\n",
                    torch_best / two);
      print_breakdown(name, split[0], split[1]);
      std::printf("%s", profiles.c_str());
    }
  }

  // ---- Fashion-MNIST ----------------------------------------------------------------------
  std::printf("\nFashion-MNIST (784 inputs, real data), batch 32\n");
  try {
    auto [x_train, y_ids, x_test, y_test_ids] = nn::data::load_fashion_mnist();
    for (float& v : x_train) v /= 255.0f;
    x_train.reshape({x_train.dim(0), 784});
    const Tensor yf = nn::data::to_categorical(y_ids, 10);
    double ours = 0;
    for (int threads : {1, 2}) {
      nn::set_num_threads(threads);
      std::vector<double> t;
      for (int r = 0; r < o.reps; ++r) {
        auto model = mlp(784);
        const auto t0 = bench::Clock::now();
        model->fit(x_train, yf, {.batch_size = 32, .epochs = 1, .verbose = 0, .seed = 5});
        t.push_back(bench::seconds_since(t0));
      }
      ours = bench::median(t);
      std::printf("  %d thread(s): %.2f s/epoch, %.0f samples/s\n", threads, ours, x_train.dim(0) / ours);
    }
    if (!python.empty()) {
      const double pt = torch_epoch_seconds(python, "fashion 1 1", 1);
      std::printf("  PyTorch, 1 thread: %.2f s/epoch; ratio (PyTorch / ours, 2 threads): %.1fx\n", pt, pt / ours);
    }
    if (!o.quick) {
      const std::string self = std::string(argv[0]) + " --fashion-memory-child";
      const std::string rss = bench::run_command(self);
      std::printf("  peak memory training 10 epochs (a fresh process): %s MB (the float data set alone: 219 MB)\n",
                  rss.empty() ? "?" : rss.substr(0, rss.find('\n')).c_str());
    }
  } catch (const nn::Error& e) {
    std::printf("  not measured: %s\n", e.what());
  }
  return 0;
}
