// 01 — Structured and unstructured data
//
// The chapter opens with a contrast. In STRUCTURED data (a table), every column means
// something on its own: "age 72" or "12 visits last month" already tells you about a
// customer, so a simple model that weighs the columns — logistic regression — does well.
// In UNSTRUCTURED data (images, sound, text), a single value means almost nothing: one
// pixel is bright or dark whatever the picture shows, and the same object moved a few
// pixels lands on entirely different pixels. The information is in how many values
// combine, which is what deep networks learn. We show each of these with numbers.
//
// Where this lives in the library:
//   the table           nn::data::make_tabular (src/data/tabular.h): age, income, visits -> bought?
//   the images          nn::data::make_shapes (src/data/shapes.h): ten shapes, random place and colour
//   logistic regression Dense(1, "sigmoid") or Dense(10, "softmax") straight on the inputs
//   a deeper network    Dense layers with relu in between (src/layers/dense.cpp)
//   the pictures        nn::viz::terminal_image / text_image (src/viz/terminal.h)
//
// Expected output: logistic regression reaches an accuracy of 0.789 on the table, next to
// 0.791, the best any model can do there (the labels are random draws from a known rule),
// and the weights it learnt, -7.746 + 0.0508·age + 0.0323·income + 0.2658·visits, are close
// to that rule's: -7 + 0.04·age + 0.03·income + 0.25·visits. One pixel's mean is about the
// same for every shape class (123.3 to 130.0); a square moved 4 pixels is farther (12.65, in
// pixel distance) from itself than from a disc in its place (5.66); on raw pixels of the
// shapes, logistic regression stays near chance (0.133) while the deeper network reaches
// 0.738. ~10 s; --quick: ~1 s.
#include <cmath>
#include <cstdio>

#include "nn.h"
#include "tutorial.h"

namespace L = nn::layers;
using nn::Tensor;

namespace {

// A grey 32×32 image (values 0 or 1) with a filled square or disc of the given size.
Tensor draw(bool disc, int top, int left, int size) {
  Tensor img({32, 32, 1});
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c) {
      const float dr = r - (top + size / 2.0f - 0.5f), dc = c - (left + size / 2.0f - 0.5f);
      const bool inside = disc ? dr * dr + dc * dc <= size * size / 4.0f
                               : r >= top && r < top + size && c >= left && c < left + size;
      img[r * 32 + c] = inside ? 1.0f : 0.0f;
    }
  return img;
}

double distance(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(d);
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  nn::set_seed(1);

  tutorial::section(args, 1, "Structured data: a table where every column means something");
  nn::data::TabularData table = nn::data::make_tabular(args.quick ? 2000 : 10000, 3);
  const int n = table.x.dim(0);
  std::printf("  %d customers; columns:", n);
  for (auto& c : table.columns) std::printf(" %s", c.c_str());
  std::printf(" -> bought (0/1)\n  first rows:\n");
  for (int i = 0; i < 4; ++i)
    std::printf("    age %4.0f  income %5.1f  visits %3.0f  -> %d\n", table.x[i * 3], table.x[i * 3 + 1], table.x[i * 3 + 2],
                static_cast<int>(table.y[i]));
  // Standardise each column (mean 0, spread 1) so no column dominates just by its units.
  Tensor x = table.x;
  double mean[3], spread[3];
  for (int c = 0; c < 3; ++c) {
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) sum += x[i * 3 + c];
    mean[c] = sum / n;
    for (int i = 0; i < n; ++i) sq += (x[i * 3 + c] - mean[c]) * (x[i * 3 + c] - mean[c]);
    spread[c] = std::sqrt(sq / n);
    for (int i = 0; i < n; ++i) x[i * 3 + c] = static_cast<float>((x[i * 3 + c] - mean[c]) / spread[c]);
  }
  Tensor y = table.y;
  y.reshape({n, 1});
  // Logistic regression: one weight per column, a bias, and a sigmoid. That's all.
  nn::Sequential logistic({L::Input({3}), L::Dense(1, "sigmoid")});
  logistic.compile(nn::losses::BinaryCrossentropy(), nn::optimizers::Adam(0.05f), {"accuracy"});
  logistic.fit(x, y, {.batch_size = 64, .epochs = 20, .verbose = 0});
  const float acc = logistic.evaluate(x, y, 256, 0)[1];
  // The best possible accuracy: predict "buys" exactly when the true rule says p > 0.5.
  double best = 0;
  for (int i = 0; i < n; ++i) {
    const float p = nn::data::tabular_buy_probability(table.x[i * 3], table.x[i * 3 + 1], table.x[i * 3 + 2]);
    best += ((p > 0.5f) == (table.y[i] > 0.5f)) / static_cast<double>(n);
  }
  const Tensor w = logistic.get_weights()[0];  // kernel (3, 1): one weight per column
  const float b = logistic.get_weights()[1][0];
  std::printf("  logistic regression accuracy %.3f (the best any model can do here: %.3f)\n", acc, best);
  std::printf("  learned weight per column (on standardised columns): age %+.2f, income %+.2f, visits %+.2f\n", w[0],
              w[1], w[2]);
  // The model saw (value - mean) / spread, so a weight w on a column is w / spread per unit
  // of that column, and the means move into the bias. In the table's own units:
  double raw[3], bias = b;
  for (int c = 0; c < 3; ++c) {
    raw[c] = w[c] / spread[c];
    bias -= raw[c] * mean[c];
  }
  // The rule the labels were drawn from (src/data/tabular.h): P(buy) = sigmoid(z), with
  const double rule_bias = -7, rule[3] = {0.04, 0.03, 0.25};
  std::printf("  z = bias + a·age + b·income + c·visits, in the table's units:\n");
  std::printf("                     bias      a (per year)   b (per 1,000)   c (per visit)\n");
  std::printf("    the rule      %+8.3f   %+12.4f   %+13.4f   %+13.4f\n", rule_bias, rule[0], rule[1], rule[2]);
  std::printf("    learned       %+8.3f   %+12.4f   %+13.4f   %+13.4f\n", bias, raw[0], raw[1], raw[2]);
  std::printf("  From the data alone, logistic regression came close to the rule (not exactly: the labels\n"
              "  are random draws from it). Each weight reads directly as 'how much this column pushes\n"
              "  towards buying', because each column means something on its own.\n");

  tutorial::section(args, 2, "Unstructured data: one pixel means nothing");
  const int m = args.quick ? 2000 : 10000;
  auto [images, labels] = nn::data::make_shapes(m, 5);
  const auto names = nn::data::class_names("shapes");
  std::printf("  The red value of the centre pixel (16, 16), averaged over each class:\n");
  for (int k = 0; k < 10; ++k) {
    double sum = 0, sq = 0;
    int count = 0;
    for (int i = 0; i < m; ++i) {
      if (static_cast<int>(labels[i]) != k) continue;
      const float v = images[static_cast<size_t>(i) * 3072 + (16 * 32 + 16) * 3];
      sum += v;
      sq += v * v;
      ++count;
    }
    const double mean = sum / count;
    std::printf("    %-13s mean %5.1f  spread %5.1f\n", names[k].c_str(), mean, std::sqrt(sq / count - mean * mean));
  }
  std::printf("  Every class gives that pixel about the same values: on its own it cannot tell\n"
              "  a circle from a checkerboard.\n");

  tutorial::section(args, 3, "The same shape, moved, shares almost no pixels with itself");
  const Tensor square = draw(false, 8, 8, 12), moved = draw(false, 12, 12, 12), disc = draw(true, 8, 8, 12);
  const nn::viz::TerminalImageOptions look = {.lo = 0, .hi = 1};
  std::printf("%s", tutorial::side_by_side({tutorial::picture(args, square, look), tutorial::picture(args, moved, look),
                                            tutorial::picture(args, disc, look)})
                        .c_str());
  std::printf("  a square; the same square 4 pixels down and right; a disc where the square was\n");
  int both = 0, either = 0;
  for (size_t i = 0; i < square.size(); ++i) {
    both += square[i] > 0 && moved[i] > 0;
    either += square[i] > 0 || moved[i] > 0;
  }
  std::printf("  pixels lit in both squares: %d of %d lit in either (%.0f%%)\n", both, either, 100.0 * both / either);
  std::printf("  pixel distance  square <-> moved square: %5.2f\n", distance(square, moved));
  std::printf("  pixel distance  square <-> disc:         %5.2f\n", distance(square, disc));
  std::printf("  To a model that compares pixels, the moved square is MORE different from the\n"
              "  square than a disc is. It has to learn edges and corners, wherever they are.\n");

  tutorial::section(args, 4, "Logistic regression on raw pixels vs a deeper network");
  // Small grey shapes (16×16) keep this quick; the point is the same at any size.
  const int n_train = args.quick ? 3000 : 20000, n_test = args.quick ? 1000 : 2000, epochs = args.quick ? 3 : 10;
  auto [small, small_labels] = nn::data::make_shapes(n_train + n_test, 9, {.size = 16, .channels = 1});
  for (float& v : small) v /= 255.0f;
  Tensor x_train = small.slice_rows(0, n_train), x_test = small.slice_rows(n_train, n_train + n_test);
  Tensor y_all = nn::data::to_categorical(small_labels, 10);
  Tensor y_train = y_all.slice_rows(0, n_train), y_test = y_all.slice_rows(n_train, n_train + n_test);
  nn::set_seed(2);
  nn::Sequential flat({L::Input({16, 16, 1}), L::Flatten(), L::Dense(10, "softmax")});
  nn::Sequential deep({L::Input({16, 16, 1}), L::Flatten(), L::Dense(200, "relu"), L::Dense(150, "relu"),
                       L::Dense(10, "softmax")});
  for (nn::Model* model : {static_cast<nn::Model*>(&flat), static_cast<nn::Model*>(&deep)}) {
    model->compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.001f), {"accuracy"});
    model->fit(x_train, y_train, {.batch_size = 32, .epochs = epochs, .verbose = 0});
  }
  std::printf("  test accuracy after %d epochs on %d images (chance: 0.10)\n", epochs, n_train);
  std::printf("    logistic regression (256 pixels -> 10 classes):  %.3f\n", flat.evaluate(x_test, y_test, 256, 0)[1]);
  std::printf("    deeper network (256 -> 200 -> 150 -> 10):        %.3f\n", deep.evaluate(x_test, y_test, 256, 0)[1]);
  std::printf("  Weighing pixels one by one is hardly better than guessing; stacking layers lets\n"
              "  the network combine pixels into features. Tutorial 09's convolutions, which look\n"
              "  for the same feature everywhere in the image, do far better still.\n");
  return 0;
}
