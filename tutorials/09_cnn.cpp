// 09 — Convolutional networks: the chimney can be anywhere
//
// The MLP of tutorial 08 flattens an image into one long list of numbers, so a weight
// learns "pixel 517 matters", not "an edge matters". A chimney seen on the left of a roof
// and the same chimney on the right look like two unrelated inputs, and the MLP has to
// learn both. A convolution slides ONE small filter — the same nine weights — over every
// position of the image: whatever it learns to spot, it spots anywhere. This tutorial shows
// that with numbers, then builds the chapter's convolutional network and puts it side by
// side with the MLP on the same data.
//
// From the chapter's ideas to the code:
//   a filter slid over the image            [1] layers::Conv2D with a hand-made 3×3 kernel
//   stride and padding change the shape     [2] Conv2D(32, 3, {.strides, .padding}).build_for
//   batch normalisation                     [4] layers::BatchNormalization on a real batch
//   dropout                                 [5] layers::Dropout(0.5), training vs inference
//   the chapter's CNN                       [6] Conv2D → BatchNormalization → LeakyReLU, ×4,
//                                               Flatten → Dense 128 → BN → LeakyReLU →
//                                               Dropout 0.5 → Dense 10 → softmax
//   compile and fit with validation data    [7] Adam(0.0005), categorical cross-entropy,
//                                               validation_data = the test set
//   CNN against MLP                         [8] [9] the same data, the same epochs, a table
//   what the first layer learned            [10] its 32 filters and one image's feature maps
//   keeping the trained model               [11] Model::save, nn::load_model, nn::export_onnx
//
// Where this lives in the library: src/layers/conv2d.cpp, batch_norm.cpp, leaky_relu.cpp,
// dropout.cpp, max_pool.cpp (the formulas, the shapes, the calls); window.h has the shape
// arithmetic. The sums written as plain loops: src/reference/conv2d.cpp and its neighbours
// (run them with NN_REFERENCE=1). The fast path, src/kernels/conv2d_fast.cpp, splits the
// batch over the threads and multiplies with im2col + one matrix multiply
// (src/kernels/im2col.cpp) for the first layer, and with the implicit GEMM of
// src/kernels/conv_gemm.cpp, the same sums without the copy, for the others.
//
// Expected output (Fashion-MNIST): in [1] the edge filter's feature map, and the same map
// moved 1 down and 3 right when the chimney moves: 64 of 64 numbers match; in [2] (30, 30,
// 32), (15, 15, 32), (32, 32, 32), (16, 16, 32); in [4] channel means and spreads like
// -0.291 ± 0.320 before and 0.000 ± 0.995 after; in [5] 0.500 of the numbers zeroed, the mean
// still 1.001; the summary (Total params: 469,098 on 28×28×1 images; 592,554 on CIFAR-10's
// 32×32×3, as in the book); then the book's 10 epochs, and the table
//     model   test accuracy   parameters   MFLOP/image   time/epoch
//     MLP     0.8872          188,660      0.4           ~1 s
//     CNN     0.9080          469,098      15.9          ~15 s
// (the book, on CIFAR-10: 0.70 against the MLP's 0.48). The CNN does 42 times the arithmetic
// of the MLP per image, hence the times: those are on 2 cores when nothing else runs (with
// other programs sharing the cores, several times more), and the whole run takes ~3 minutes;
// `--epochs 3` for a shorter one. With CIFAR-10 in datasets/ an epoch takes ~20 s. Pictures: out/09_filters.svg,
// out/09_feature_maps.svg, out/09_loss.svg, out/09_accuracy.svg, each explained in [10]; in
// [11] the CNN saved whole (out/09_cnn.nnz), loaded back predicting bit for bit the same, and
// exported as ONNX (out/09_cnn.onnx), with what Netron shows of it.
// --quick: 512 training images, 2 epochs, pictures in out/quick/.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "nn.h"
#include "tutorial.h"
#include "tutorial_data.h"

namespace L = nn::layers;
using nn::Node;
using nn::Tensor;

namespace {

// Row r of an (H, W) grid of whole numbers, with '.' for zero so the pattern stands out.
std::string grid_row(const Tensor& t, int w, int r) {
  std::string line;
  char cell[8];
  for (int c = 0; c < w; ++c) {
    const float v = t[static_cast<size_t>(r) * w + c];
    std::snprintf(cell, sizeof cell, v == 0.0f ? "  ." : "%3.0f", v);
    line += cell;
  }
  return line;
}

// A 10×10 image and its 8×8 feature map side by side. Map row r is centred on image row
// r + 1 (a 3×3 window centred there), so it is printed one line lower.
void print_image_and_map(const Tensor& image, const Tensor& map) {
  for (int r = 0; r < 10; ++r) {
    std::printf("    %s", grid_row(image, 10, r).c_str());
    if (r >= 1 && r <= 8) std::printf("        %s", grid_row(map, 8, r - 1).c_str());
    std::printf("\n");
  }
}

// A 10×10 dark image with a bright "chimney" 3 pixels tall and 2 wide, top-left corner at (row, col).
Tensor chimney_image(int row, int col) {
  Tensor image({1, 10, 10, 1});
  for (int r = row; r < row + 3; ++r)
    for (int c = col; c < col + 2; ++c) image[static_cast<size_t>(r) * 10 + c] = 1.0f;
  return image;
}

// Mean and standard deviation of channel `c` of an (..., C) tensor.
std::pair<double, double> channel_stats(const Tensor& t, int c) {
  const int channels = t.dim(-1);
  const size_t count = t.size() / channels;
  double sum = 0, sum2 = 0;
  for (size_t i = 0; i < count; ++i) sum += t[i * channels + c];
  const double mean = sum / count;
  for (size_t i = 0; i < count; ++i) sum2 += (t[i * channels + c] - mean) * (t[i * channels + c] - mean);
  return {mean, std::sqrt(sum2 / count)};
}

// Channel c of an (H, W, C) block as an (H, W, 1) image scaled to 0..1 (its own min to max),
// so a picture shows the pattern whatever the channel's range.
Tensor channel_image(const float* hwc, int h, int w, int channels, int c) {
  Tensor image({h, w, 1});
  float lo = hwc[c], hi = hwc[c];
  for (int i = 0; i < h * w; ++i) {
    lo = std::min(lo, hwc[i * channels + c]);
    hi = std::max(hi, hwc[i * channels + c]);
  }
  for (int i = 0; i < h * w; ++i) image[i] = hi > lo ? (hwc[i * channels + c] - lo) / (hi - lo) : 0.5f;
  return image;
}

// Every parameter of the model (trainable or not), or only those of layers of one type.
size_t count_params(nn::Model& model, const std::string& type = "") {
  size_t n = 0;
  for (auto& layer : model.layers())
    if (type.empty() || layer->type() == type) n += layer->count_params();
  return n;
}

// Multiply-adds × 2 of one image's forward pass, in millions (what summary({.explain = true})
// adds up).
double forward_mflop(nn::Model& model) {
  double flops = 0;
  for (auto& layer : model.layers()) flops += layer->forward_flops();
  return flops / 1e6;
}

// Trains `model` with the progress bar, the test set as validation data; returns seconds per epoch.
double train(nn::Model& model, const Tensor& x_train, const Tensor& y_train, const Tensor& x_test,
             const Tensor& y_test, int epochs, nn::History& history) {
  const auto t0 = std::chrono::steady_clock::now();
  history = model.fit(x_train, y_train,
                      {.batch_size = 32, .epochs = epochs, .shuffle = true, .validation_data = {x_test, y_test}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return seconds / std::max(1, history.epochs());
}

void save_curves(const nn::History& h, const std::string& key, const std::string& path, const std::string& title) {
  nn::viz::LineChart chart(title);
  chart.x_label("epoch").y_label(key).whole_x();
  chart.add_series(key + " (training: mean over the epoch's batches, Dropout on)", h[key], {.markers = true});
  chart.add_series("val_" + key + " (test set, after the epoch, Dropout off)", h["val_" + key],
                   {.dashed = true, .markers = true});
  chart.save(path);
}

// The chapter's CNN for images of `image_shape` (the layers of section [6]).
nn::Model chapter_cnn(const nn::Shape& image_shape) {
  Node input_layer = L::Input(image_shape);
  Node x = L::Conv2D(32, 3, {.strides = 1, .padding = "same"})(input_layer);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Conv2D(32, 3, {.strides = 2, .padding = "same"})(x);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Conv2D(64, 3, {.strides = 1, .padding = "same"})(x);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Conv2D(64, 3, {.strides = 2, .padding = "same"})(x);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Flatten()(x);
  x = L::Dense(128)(x);
  x = L::BatchNormalization()(x);
  x = L::LeakyReLU()(x);
  x = L::Dropout(0.5)(x);
  x = L::Dense(10)(x);
  Node output_layer = L::Activation("softmax")(x);
  return nn::Model(input_layer, output_layer);
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv, /*reads_epochs=*/true);
  nn::set_seed(42);
  const int epochs = args.quick ? 2 : args.epochs_or(10);  // 10: the book's setting

  tutorial::section(args, 1, "One filter, slid over every position: the chimney can be anywhere");
  // A vertical-edge filter: it adds up the column to the right and subtracts the column to
  // the left, so it answers +3 where dark turns bright (going right), -3 where bright turns
  // dark, and 0 on flat areas. Its kernel is (kh, kw, C, filters) = (3, 3, 1, 1).
  L::Conv2D edge(1, 3);  // 3×3, stride 1, "valid": a 10×10 image gives an 8×8 map
  edge.build_for({10, 10, 1});
  edge.kernel().value = Tensor({3, 3, 1, 1}, {-1, 0, 1,  //
                                              -1, 0, 1,  //
                                              -1, 0, 1});
  std::printf("  the filter (the same 9 weights at every position):\n");
  for (int r = 0; r < 3; ++r) std::printf("    %s\n", grid_row(edge.kernel().value, 3, r).c_str());
  Tensor a = chimney_image(2, 2), b = chimney_image(3, 5), map_a, map_b;
  edge.forward(a, map_a, false);
  Tensor map_a_copy = map_a;  // forward reuses its output buffer, so keep a copy
  edge.forward(b, map_b, false);
  std::printf("  image A: a chimney at row 2, column 2     its feature map (8×8)\n");
  print_image_and_map(a, map_a_copy);
  std::printf("  image B: the same chimney at row 3, column 5\n");
  print_image_and_map(b, map_b);
  int matches = 0;
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) {
      const float moved = (r >= 1 && c >= 3) ? map_a_copy[(r - 1) * 8 + (c - 3)] : 0.0f;
      matches += map_b[r * 8 + c] == moved;
    }
  std::printf("  map B is map A moved 1 down and 3 right: %d of 64 numbers match.\n", matches);
  std::printf("  The filter has 9 weights. A Dense layer from these 100 pixels to 64 outputs would have\n"
              "  6,400, and would have to learn the chimney separately at every place it can be.\n");

  tutorial::section(args, 2, "Stride and padding: what they do to the shape");
  // For a 32×32×3 image (CIFAR-10's shape) and 32 filters of 3×3 (see layers/window.h):
  //   "valid": the window stays inside the image:  out = floor((32 - 3) / stride) + 1
  //   "same":  zeros are added around the edge:     out = ceil(32 / stride)
  std::printf("  input (32, 32, 3), Conv2D(32, 3, ...):\n");
  std::printf("    padding  stride  output shape   rule\n");
  for (const char* padding : {"valid", "same"}) {
    for (int stride : {1, 2}) {
      L::Conv2D conv(32, 3, {.strides = stride, .padding = padding});
      const nn::Shape out = conv.build_for({32, 32, 3});
      const L::WindowAxis axis = L::window_axis(32, 3, stride, padding, "Conv2D", "height");
      char rule[96];
      if (std::string(padding) == "valid")
        std::snprintf(rule, sizeof rule, "floor((32 - 3) / %d) + 1 = %d", stride, out[0]);
      else
        std::snprintf(rule, sizeof rule, "ceil(32 / %d) = %d; %d zero row(s) above, %d below", stride, out[0],
                      axis.pad_before, (out[0] - 1) * stride + 3 - 32 - axis.pad_before);
      std::printf("    %-7s  %-6d  %-13s  %s\n", padding, stride, nn::shape_str(out).c_str(), rule);
    }
  }
  std::printf("  Every one of them has 32 × (3·3·3 + 1) = 896 parameters: the weights do not depend on\n"
              "  the image's size. Stride 2 halves the picture (a quarter of the positions), which is how\n"
              "  the chapter's CNN goes 32 → 16 → 8 while adding filters 32 → 64.\n");

  tutorial::section(args, 3, "Load the data");
  tutorial::Data data = tutorial::load_best_data(true, args.quick ? 512 : 0, args.quick ? 256 : 0,
                                                 {.size = 32, .channels = 3});
  auto& [x_train, y_train_ids, x_test, y_test_ids] = data.split;
  for (float& v : x_train) v /= 255.0f;
  for (float& v : x_test) v /= 255.0f;
  Tensor y_train = nn::data::to_categorical(y_train_ids, 10);
  Tensor y_test = nn::data::to_categorical(y_test_ids, 10);
  const nn::Shape image_shape(x_train.shape().begin() + 1, x_train.shape().end());
  std::printf("  %s\n  x_train %s, x_test %s, pixels scaled to 0..1, labels one-hot\n", data.title.c_str(),
              nn::shape_str(x_train.shape()).c_str(), nn::shape_str(x_test.shape()).c_str());

  tutorial::section(args, 4, "Batch normalisation: every channel back to mean 0, spread 1");
  // Each layer's outputs are the next layer's inputs. As the weights change in training,
  // those outputs drift — bigger, smaller, shifted — and every later layer has to chase
  // them. BatchNormalization measures each channel's mean μ and standard deviation σ over
  // the batch and rescales: y = γ · (x - μ) / σ + β. With γ = 1, β = 0 (how they start)
  // every channel leaves with mean 0 and spread 1, whatever came in; γ and β are then
  // learned, so the network can choose another scale if it helps. At inference there may be
  // one image only, so it uses running averages of μ and σ² gathered during training.
  {
    L::Conv2D conv(8, 3, {.padding = "same"});
    L::BatchNormalization bn;
    conv.build_for(image_shape);
    bn.build_for(conv.output_shape());
    Tensor batch = x_train.slice_rows(0, 32), conv_out, bn_out;
    conv.forward(batch, conv_out, true);
    bn.forward(conv_out, bn_out, true);
    std::printf("  32 training images through a fresh Conv2D(8, 3), then BatchNormalization (training):\n");
    std::printf("    channel   before: mean   std     after: mean   std\n");
    for (int c = 0; c < 4; ++c) {
      auto [m0, s0] = channel_stats(conv_out, c);
      auto [m1, s1] = channel_stats(bn_out, c);
      std::printf("    %-7d   %12.3f %6.3f   %12.3f %6.3f\n", c, m0, s0, std::abs(m1) < 5e-4 ? 0.0 : m1, s1);
    }
    std::printf("  (A std a little under 1 is a channel whose spread was tiny: the ε = 0.001 added to σ²\n"
                "  matters there.)\n");
    std::printf("  After this one batch the moving mean of channel 0 is %.4f: 1%% of the way from 0 to the\n"
                "  batch's mean (momentum 0.99), so it settles over a few hundred batches.\n",
                bn.moving_mean().value[0]);
  }

  tutorial::section(args, 5, "Dropout: switch off half the units while training");
  // Dropout(0.5) zeroes a random half of the numbers passing through, a new half every
  // batch, so no unit can rely on one particular partner; what the network knows has to be
  // spread out, which makes it generalise better. The kept numbers are doubled, so the
  // average signal stays the same; at inference (evaluate, predict) the layer does nothing.
  {
    L::Dropout dropout(0.5f);
    dropout.build_for({128});
    Tensor ones({32, 128}, 1.0f), y;
    dropout.forward(ones, y, true);
    const auto zeros = std::count(y.begin(), y.end(), 0.0f);
    double mean = 0;
    for (float v : y) mean += v;
    mean /= static_cast<double>(y.size());
    std::printf("  training:  a (32, 128) batch of ones -> %.3f of the numbers are 0, the others %.1f;\n"
                "             the mean is still %.3f\n",
                static_cast<double>(zeros) / y.size(), *std::max_element(y.begin(), y.end()), mean);
    dropout.forward(ones, y, false);
    const bool identity = std::equal(y.begin(), y.end(), ones.begin());
    std::printf("  inference: output %s the input\n", identity ? "is exactly" : "is NOT");
  }

  tutorial::section(args, 6, "Build the chapter's convolutional network");
  // Conv2D → BatchNormalization → LeakyReLU, four times (stride 2 every other time), then
  // Flatten → Dense 128 → BatchNormalization → LeakyReLU → Dropout 0.5 → Dense 10 → softmax:
  // see chapter_cnn above. The count depends on the image: built once for CIFAR-10's shape
  // just to count, then for ours. Building draws the starting weights from the global
  // random stream, so we put the stream back afterwards: counting must not change what is
  // trained below.
  const nn::Rng stream = nn::global_rng();
  size_t cifar_params = 0;
  {
    nn::Model cifar_cnn = chapter_cnn({32, 32, 3});
    cifar_params = count_params(cifar_cnn);
  }
  nn::global_rng() = stream;
  nn::reset_layer_names();  // names as in a fresh Keras session: conv2d, conv2d_1, ...
  nn::Model cnn = chapter_cnn(image_shape);
  cnn.summary();
  if (data.name != "cifar10") {
    const int side = image_shape[0] / 4, cifar_side = 32 / 4;  // two stride-2 convolutions: a quarter
    std::printf("  On CIFAR-10's 32×32×3 images the same layers have %s parameters (the book's count): the\n"
                "  Dense(128) after Flatten sees %d×%d×64 = %d numbers there instead of %d×%d×64 = %d, and the\n"
                "  first filters have 3 colour channels to weigh instead of 1.\n",
                tutorial::with_commas(static_cast<long long>(cifar_params)).c_str(), cifar_side, cifar_side,
                cifar_side * cifar_side * 64, side, side, side * side * 64);
  }

  tutorial::section(args, 7, "Train it, watching the test set after every epoch");
  cnn.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  std::printf("  Adam(learning_rate=0.0005), categorical cross-entropy, batch 32, %d epoch%s%s\n", epochs,
              epochs == 1 ? "" : "s", args.epochs || args.quick ? "" : " (as the book; --epochs N for fewer)");
  // The first layer's filters before training, to see in [10] how far training moved them.
  const Tensor start_filters = dynamic_cast<L::Conv2D&>(*cnn.layers()[1]).kernel().value;
  nn::History cnn_history;
  const double cnn_seconds = train(cnn, x_train, y_train, x_test, y_test, epochs, cnn_history);
  const std::vector<float> cnn_result = cnn.evaluate(x_test, y_test, 32, 0);

  tutorial::section(args, 8, "The MLP of tutorial 08, on the same data for the same epochs");
  nn::reset_layer_names();
  Node mlp_input = L::Input(image_shape);
  Node h = L::Flatten()(mlp_input);
  h = L::Dense(200, "relu")(h);
  h = L::Dense(150, "relu")(h);
  nn::Model mlp(mlp_input, L::Dense(10, "softmax")(h));
  mlp.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  nn::History mlp_history;
  const double mlp_seconds = train(mlp, x_train, y_train, x_test, y_test, epochs, mlp_history);
  const std::vector<float> mlp_result = mlp.evaluate(x_test, y_test, 32, 0);

  tutorial::section(args, 9, "CNN against MLP");
  std::printf("  %s, %d epoch%s each\n  (the time per epoch includes the pass over the test set)\n",
              data.title.c_str(), epochs, epochs == 1 ? "" : "s");
  std::printf("    model   test accuracy   parameters   MFLOP/image   time/epoch\n");
  std::printf("    MLP     %-13.4f   %-10s   %-11.1f   %.1f s\n", mlp_result[1],
              tutorial::with_commas(static_cast<long long>(count_params(mlp))).c_str(), forward_mflop(mlp), mlp_seconds);
  std::printf("    CNN     %-13.4f   %-10s   %-11.1f   %.1f s\n", cnn_result[1],
              tutorial::with_commas(static_cast<long long>(count_params(cnn))).c_str(), forward_mflop(cnn), cnn_seconds);
  if (data.name != "cifar10")
    std::printf("  (the book, on CIFAR-10 after 10 epochs: 0.70 for this CNN against the MLP's 0.48)\n");
  std::printf("  The CNN has more parameters only because of its Dense(128) on the flattened features;\n"
              "  its four convolutions together have %s. What makes it better is where the weights are:\n"
              "  small filters reused everywhere, stacked so later layers see larger and larger patterns.\n"
              "  Reusing them everywhere is also what costs: every weight works at every position, so a\n"
              "  forward pass is far more arithmetic (MFLOP/image: millions of operations per image):\n"
              "  here %.0f times the MLP's.\n",
              tutorial::with_commas(static_cast<long long>(count_params(cnn, "Conv2D"))).c_str(),
              forward_mflop(cnn) / forward_mflop(mlp));
  // Why the test set can do better than training: the two numbers are not measured alike.
  int lower = -1;
  for (int e = 0; e < cnn_history.epochs() && lower < 0; ++e)
    if (cnn_history["val_loss"][e] < cnn_history["loss"][e]) lower = e;
  if (lower >= 0)
    std::printf("  In epoch %d the CNN's test loss (%.4f) was below its training loss (%.4f). No mistake:\n",
                lower + 1, cnn_history["val_loss"][lower], cnn_history["loss"][lower]);
  else
    std::printf("  The test loss can even come out below the training loss (not in this run), and that\n"
                "  would be no mistake:\n");
  std::printf("  an epoch's training loss is the mean over its batches, measured while the weights were\n"
              "  still improving and with Dropout switching half of the Dense(128) units off; the test\n"
              "  loss is measured after the epoch, with every unit on and BatchNormalization using its\n"
              "  moving averages.\n");
  if (args.quick)
    std::printf("  (--quick: %d steps are too few for BatchNormalization's moving averages, which the test\n"
                "  set is judged with, to settle at momentum 0.99 — the CNN's test accuracy means little here.)\n",
                epochs * ((x_train.dim(0) + 31) / 32));

  tutorial::section(args, 10, "Look inside: the first layer's filters and feature maps");
  auto& conv1 = dynamic_cast<L::Conv2D&>(*cnn.layers()[1]);
  const Tensor& kernel = conv1.kernel().value;  // (3, 3, C, 32)
  const int channels = image_shape[2], filters = conv1.filters();
  const std::string filters_svg = tutorial::out_path(args, "09_filters.svg"),
                    maps_svg = tutorial::out_path(args, "09_feature_maps.svg"),
                    loss_svg = tutorial::out_path(args, "09_loss.svg"),
                    accuracy_svg = tutorial::out_path(args, "09_accuracy.svg"),
                    weights_npz = tutorial::out_path(args, "09_cnn_weights.npz");
  // Each filter as a 3×3 picture (colour when the input has 3 channels), scaled from its own
  // smallest to its largest weight: dark = negative weights, bright = positive.
  char title[160];
  std::snprintf(title, sizeof title, "The 32 filters of the first Conv2D after %d epoch%s (3×3, each scaled to 0..1)",
                epochs, epochs == 1 ? "" : "s");
  nn::viz::ImageGrid filter_grid({.columns = 8, .scale = 16, .lo = 0, .hi = 1, .title = title});
  for (int f = 0; f < filters; ++f) {
    Tensor w({3, 3, channels});
    for (int i = 0; i < 9 * channels; ++i) w[i] = kernel[static_cast<size_t>(i) * filters + f];
    const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
    const float low = *lo, span = *hi - *lo;
    for (float& v : w) v = span > 0 ? (v - low) / span : 0.5f;
    filter_grid.add(w, "filter " + std::to_string(f));
  }
  filter_grid.save(filters_svg);
  // How far training moved the filters from their random start: |W - W_start| / |W_start|.
  double moved = 0, start = 0;
  for (size_t i = 0; i < kernel.size(); ++i) {
    moved += (kernel[i] - start_filters[i]) * (kernel[i] - start_filters[i]);
    start += start_filters[i] * start_filters[i];
  }
  std::printf("  The filters (%s): each is a 3×3 picture of the pattern it answers\n"
              "  most to (bright where it wants bright pixels). In %d epoch%s training moved them by %.0f%%\n"
              "  of their size at the start, which was random, so they still carry much of that noise.%s\n"
              "  Do not expect clean pictures from nine numbers: the later layers combine these small\n"
              "  patterns into larger ones, and much of the learning happens there.\n",
              filters_svg.c_str(), epochs, epochs == 1 ? "" : "s", 100 * std::sqrt(moved / start),
              epochs <= 2 ? "\n  After so few epochs they look like noise: the book trains for 10." : "");
  // One test image through the trained network; layer_output(1) is the first Conv2D's
  // output (N, H, W, 32): what each of the 32 filters sees in it.
  Tensor one = x_test.slice_rows(0, 1);
  cnn.forward(one, false);
  const Tensor& maps = cnn.layer_output(1);
  const int mh = maps.dim(1), mw = maps.dim(2);
  const std::string label = data.class_names[static_cast<int>(y_test_ids[0])];
  nn::viz::ImageGrid map_grid({.columns = 11, .scale = 3, .lo = 0, .hi = 1,
                               .title = "A test image and the 32 feature maps of the first Conv2D"});
  Tensor shown = one;
  shown.reshape(image_shape);
  map_grid.add(shown, "input: " + label);
  for (int f = 0; f < filters; ++f)
    map_grid.add(channel_image(maps.data(), mh, mw, filters, f), "map " + std::to_string(f));
  map_grid.save(maps_svg);
  // The image and two of its feature maps, right here in the terminal.
  std::printf("  The feature maps (%s): what each filter sees in test image 0.\n"
              "  Here are the image (%s) and its maps 0 and 1, each scaled from its smallest to its\n"
              "  largest value:\n",
              maps_svg.c_str(), label.c_str());
  const nn::viz::TerminalImageOptions look = {.width = 32, .lo = 0, .hi = 1};
  std::printf("%s", tutorial::side_by_side({tutorial::picture(args, shown, look),
                                            tutorial::picture(args, channel_image(maps.data(), mh, mw, filters, 0), look),
                                            tutorial::picture(args, channel_image(maps.data(), mh, mw, filters, 1), look)})
                        .c_str());
  save_curves(cnn_history, "loss", loss_svg, "CNN: loss per epoch");
  save_curves(cnn_history, "accuracy", accuracy_svg, "CNN: accuracy per epoch");
  std::printf("  %s, %s: training (solid) and test set (dashed) per epoch.%s\n", loss_svg.c_str(),
              accuracy_svg.c_str(),
              cnn_history.epochs() == 1 ? "\n  With one epoch each curve is a single point: run --epochs 3 or more to see curves."
                                        : "");
  cnn.save_weights(weights_npz);
  std::printf("  weights:  %s\n", weights_npz.c_str());

  tutorial::section(args, 11, "Keep the CNN, and take it elsewhere");
  // As in tutorial 08: the whole model in one file, rebuilt by nn::load_model without the
  // code of chapter_cnn; predict() runs in inference form (Dropout off, BatchNormalization
  // on its moving averages), so the loaded model must give exactly the same numbers.
  const std::string model_file = tutorial::out_path(args, "09_cnn.nnz"),
                    onnx_file = tutorial::out_path(args, "09_cnn.onnx");
  cnn.save(model_file);
  std::unique_ptr<nn::Model> loaded = nn::load_model(model_file);
  const Tensor probs = cnn.predict(x_test), probs_again = loaded->predict(x_test);
  const bool same = probs_again.shape() == probs.shape() &&
                    std::equal(probs.begin(), probs.end(), probs_again.begin());
  std::printf("  saved %s (BatchNormalization's moving averages included); loaded back, it predicts\n"
              "  the %d test images %s\n",
              model_file.c_str(), probs.dim(0), same ? "bit for bit the same" : "DIFFERENTLY (a bug)");
  nn::export_onnx(cnn, onnx_file);
  std::printf("  exported %s (ONNX).\n"
              "  Open it in Netron (netron.app) to see the graph: ONNX's Conv wants channels first\n"
              "  (N, C, H, W), so a Transpose turns the (N, H, W, C) image round before\n"
              "  the first Conv and another turns it back before Flatten; Dropout is an Identity there.\n"
              "  It runs in onnxruntime exactly as tutorial 08's [8] shows for the MLP.\n",
              onnx_file.c_str());
  return !same;
}
