// Checks for exercise 5 (AveragePooling2D). Run with `make exercise N=5`.
#include "5_average_pooling.h"
#include "exercise_check.h"

namespace {

// Runs forward on `x` (one image, values given row by row) and compares y with `want`.
// `by_area`: what dividing every window by p·p would give, to name that mistake.
std::string forward_gives(AveragePooling2D layer, const nn::Shape& image, const std::vector<float>& values,
                          const std::vector<float>& want, const std::vector<float>& by_area = {}) {
  layer.build_for(image);
  nn::Shape batch{1};
  batch.insert(batch.end(), image.begin(), image.end());
  nn::Tensor x(batch, values), y;
  layer.forward(x, y, false);
  if (y.size() != want.size())
    return "y has shape " + nn::shape_str(y.shape()) + ", expected " + std::to_string(want.size()) + " numbers";
  bool matches_area = by_area.size() == want.size();
  for (size_t i = 0; i < by_area.size() && matches_area; ++i)
    if (std::abs(y[i] - by_area[i]) > 1e-3f) matches_area = false;
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string e = exercise::expect_near(("y[" + std::to_string(i) + "]").c_str(), y[i], want[i]);
    if (e.empty()) continue;
    if (matches_area)
      return e + "\n        with padding \"same\", divide each window's sum by the number of its positions inside "
                 "the image, not by pool·pool: Keras ignores the padding instead of averaging zeros in, so a "
                 "corner window of 1 number is that number";
    return e + "\n        y[n,oy,ox,c] is the mean of x over rows oy·s - pt ... and columns ox·s - pl ... (channels "
               "last: x[((n·H + iy)·W + ix)·C + c])";
  }
  return "";
}

}  // namespace

int main() {
  std::printf("Exercise 5: the AveragePooling2D layer\n");
  exercise::check("output shapes: pool size, strides and padding as in Keras", [] {
    struct Case {
      int pool, strides;
      const char* padding;
      nn::Shape in, out;
    };
    const Case cases[] = {
        {2, 0, "valid", {4, 4, 3}, {2, 2, 3}},  {2, 0, "valid", {5, 5, 1}, {2, 2, 1}},
        {2, 0, "same", {5, 5, 1}, {3, 3, 1}},   {3, 2, "valid", {7, 7, 2}, {3, 3, 2}},
        {3, 2, "same", {7, 7, 2}, {4, 4, 2}},   {2, 1, "valid", {6, 4, 1}, {5, 3, 1}},
        {3, 1, "same", {6, 4, 5}, {6, 4, 5}},
    };
    for (const Case& c : cases) {
      AveragePooling2D layer(c.pool, c.strides, c.padding);
      const nn::Shape got = layer.build_for(c.in);
      if (got != c.out)
        return "AveragePooling2D(" + std::to_string(c.pool) + ", " + std::to_string(c.strides) + ", \"" + c.padding +
               "\") on " + nn::shape_str(c.in) + " should give " + nn::shape_str(c.out) + ", got " +
               nn::shape_str(got) +
               "\n        take Ho and Wo from nn::layers::window_axis(H, pool, strides, padding, ...) "
               "(src/layers/window.h), once for the height and once for the width; strides 0 means the pool size";
    }
    return std::string();
  });
  exercise::check("an image that is not (H, W, C) is an nn::ShapeError", [] {
    AveragePooling2D layer;
    try {
      layer.build_for({8, 3});
    } catch (const nn::ShapeError&) {
      return std::string();
    }
    return std::string("build({8, 3}) should throw nn::ShapeError: AveragePooling2D needs (H, W, C)");
  });
  exercise::check("forward by hand, \"valid\": 2×2 windows over 1..16 -> 3.5, 5.5, 11.5, 13.5", [] {
    std::vector<float> v(16);
    for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
    return forward_gives(AveragePooling2D(2), {4, 4, 1}, v, {3.5f, 5.5f, 11.5f, 13.5f});
  });
  exercise::check("forward by hand, \"same\" (3×3 image, pool 2): border windows average only what is inside", [] {
    // windows {1,2,4,5} -> 3, {3,6} -> 4.5, {7,8} -> 7.5, {9} -> 9 (no padding before, one after)
    return forward_gives(AveragePooling2D(2, 2, "same"), {3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9},
                         {3.0f, 4.5f, 7.5f, 9.0f}, {3.0f, 2.25f, 3.75f, 2.25f});
  });
  exercise::check("forward, \"same\" with stride 1 (pool 3, 4×4 image): PyTorch's avg_pool2d, count_include_pad=False", [] {
    std::vector<float> v(16);
    for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
    // torch.nn.functional.avg_pool2d(arange(1, 17).reshape(1, 1, 4, 4), 3, 1, 1, count_include_pad=False)
    return forward_gives(AveragePooling2D(3, 1, "same"), {4, 4, 1}, v,
                         {3.5f, 4.0f, 5.0f, 5.5f, 5.5f, 6.0f, 7.0f, 7.5f, 9.5f, 10.0f, 11.0f, 11.5f, 11.5f, 12.0f,
                          13.0f, 13.5f},
                         {1.5556f, 2.6667f, 3.3333f, 2.4444f, 3.6667f, 6.0f, 7.0f, 5.0f, 6.3333f, 10.0f, 11.0f,
                          7.6667f, 5.1111f, 8.0f, 8.6667f, 6.0f});  // the same, divided by 9 everywhere
  });
  exercise::check("channels are pooled separately (2×2×2 image, channels last)", [] {
    // channel 0: 1, 2, 3, 4 -> 2.5;  channel 1: 10, 20, 30, 40 -> 25
    return forward_gives(AveragePooling2D(2), {2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40}, {2.5f, 25.0f});
  });
  exercise::check("backward by hand, \"same\" (3×3 image, pool 2, dy = 1): each input gets dy / count", [] {
    AveragePooling2D layer(2, 2, "same");
    layer.build_for({3, 3, 1});
    nn::Tensor x({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), y, dx;
    layer.forward(x, y, true);
    layer.backward(nn::Tensor(y.shape(), 1.0f), dx);
    const float want[9] = {0.25f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 1.0f};
    if (dx.shape() != x.shape()) return "dx should have x's shape " + nn::shape_str(x.shape()) + ", got " + nn::shape_str(dx.shape());
    bool all_one = true, all_quarter = true;
    for (int i = 0; i < 9; ++i) {
      all_one = all_one && std::abs(dx[i] - 1.0f) < 1e-5f;
      all_quarter = all_quarter && std::abs(dx[i] - 0.25f) < 1e-5f;
    }
    for (int i = 0; i < 9; ++i) {
      const std::string e = exercise::expect_near(("dx[" + std::to_string(i) + "]").c_str(), dx[i], want[i]);
      if (e.empty()) continue;
      if (all_one)
        return e + "\n        every input got the whole dy: share it out, each of the window's inputs gets "
                   "dy / count (the forward divided by count, so the backward does too)";
      if (all_quarter)
        return e + "\n        every input got dy / 4: divide by count, the window's positions inside the image "
                   "(2 or 1 at this border), not by pool·pool";
      return e + "\n        each input gets dy / count from every window it is in: (1/4 | 1/4 | 1/2) on the first "
                 "two rows, (1/2 | 1/2 | 1) on the last";
    }
    return std::string();
  });
  exercise::check("backward agrees with finite differences (\"valid\", pool 2 on (2, 4, 6, 2))", [] {
    AveragePooling2D layer(2);
    layer.build_for({4, 6, 2});
    nn::Rng rng(2);
    return exercise::gradients_match(gradcheck::layer_report(layer, gradcheck::random_tensor({2, 4, 6, 2}, rng, 1.0f), 3));
  });
  exercise::check("backward agrees with finite differences (\"same\", pool 3, stride 2: overlapping windows)", [] {
    AveragePooling2D layer(3, 2, "same");
    layer.build_for({5, 6, 3});
    nn::Rng rng(4);
    return exercise::gradients_match(gradcheck::layer_report(layer, gradcheck::random_tensor({2, 5, 6, 3}, rng, 1.0f), 5));
  });
  exercise::check("backward overwrites dx: a reused dx buffer gives the same answer as a fresh one", [] {
    AveragePooling2D layer(3, 2, "same");
    layer.build_for({5, 6, 3});
    nn::Rng rng(6);
    return contract::dx_overwritten(layer, gradcheck::random_tensor({2, 5, 6, 3}, rng, 1.0f));
  });
  exercise::check("a model with your layer learns (Conv2D -> AveragePooling2D -> Dense: loss halves)", [] {
    return exercise::loss_halves([] {
      nn::set_seed(3);
      // The target is the mean of the image's top half minus that of its bottom half.
      nn::Rng rng(9);
      nn::Tensor x = gradcheck::random_tensor({32, 6, 6, 1}, rng, 1.0f), y({32, 1});
      for (int i = 0; i < 32; ++i) {
        double top = 0, bottom = 0;
        for (int j = 0; j < 18; ++j) top += x[i * 36 + j], bottom += x[i * 36 + 18 + j];
        y[i] = static_cast<float>((top - bottom) / 18);
      }
      nn::Sequential model({nn::layers::Input({6, 6, 1}),
                            nn::layers::Conv2D(4, 3, {.padding = "same", .activation = "tanh"}), AveragePooling2D(2),
                            nn::layers::Flatten(), nn::layers::Dense(1)});
      model.compile(nn::losses::MeanSquaredError(), nn::optimizers::Adam(0.01f));
      return model.fit(x, y, {.batch_size = 32, .epochs = 150, .verbose = 0});
    });
  });
  return exercise::finish("your AveragePooling2D layer");
}
