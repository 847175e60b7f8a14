// Layers against PyTorch on the same weights and inputs, both sides given the same upstream
// gradient; PyTorch computes in float64 (run with /usr/bin/python3, the one with torch 1.13).
// Without torch every case is skipped with a notice. Run from the repository root (as make
// test does): the scripts are read from tests/torch/.
// - Conv2DTranspose against ConvTranspose2d (tests/torch/conv_transpose.py): y, and dx, dW
//   and db. Strides 1, 2 and 3, "same" and "valid", windows below, at and above the stride,
//   both fast paths.
// - Reshape, UpSampling2D, Add, Concatenate and Sampling (tests/torch/layers.py, one call per
//   layer for all its cases): y, every dx and the added loss (Sampling's KL term; its
//   gradient is in dμ and dlog σ²), each from the fast path and from reference mode.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gradcheck.h"
#include "nn.h"
#include "reference_check.h"
#include "test_util.h"

namespace fs = std::filesystem;
namespace L = nn::layers;
using nn::Tensor;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kConvTransposeScript = "tests/torch/conv_transpose.py";
const std::string kLayersScript = "tests/torch/layers.py";

void write_floats(const fs::path& path, const Tensor& t) {
  nn::write_file_atomic(path.string(), t.data(), t.size() * sizeof(float));
}

std::vector<float> read_floats(const fs::path& path) {
  std::vector<uint8_t> bytes = nn::read_file(path.string());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

// The largest |got - want| / max(1, |want|), or +inf when the sizes differ.
double worst(const std::vector<float>& got, const Tensor& want) {
  if (got.size() != want.size()) return INFINITY;
  double w = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(double{got[i]} - want[i]) / std::max(1.0, std::fabs(double{want[i]}));
    w = std::isnan(d) ? INFINITY : std::max(w, d);
  }
  return w;
}

bool have_torch() {
  const int status = std::system((kPython + " -c 'import torch' >/dev/null 2>&1").c_str());
  return fs::exists(kPython) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// False, with the notice, when there is no torch to compare against; REQUIREs the script.
bool torch_ready(const std::string& script) {
  if (!have_torch()) {
    MESSAGE("skipped: " << kPython << " cannot import torch, so there is nothing to compare against "
                        "(install PyTorch for " << kPython << " to run this check)");
    return false;
  }
  REQUIRE_MESSAGE(fs::exists(script), script << " not found from " << fs::current_path()
                                              << ": run the tests from the repository root");
  return true;
}

// Runs `kPython command` with its output in `log`; REQUIREs success, showing the output if not.
void run_python(const std::string& command, const fs::path& log) {
  const int status = std::system((kPython + " " + command + " >'" + log.string() + "' 2>&1").c_str());
  const bool ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const std::vector<uint8_t> output = nn::read_file(log.string());
  REQUIRE_MESSAGE(ran, "the PyTorch script failed:\n" << std::string(output.begin(), output.end()));
}

// What a layer gave in one mode: its output, the gradient of each input and its added loss
// (Layer::added_loss; Sampling's KL term), and for Sampling the ε it drew.
struct Outcome {
  Tensor y;
  std::vector<Tensor> dx;
  float loss = 0;
  Tensor noise;
};

// One case for tests/torch/layers.py: what both sides are given and what our layer gave.
struct TorchCase {
  std::string label;        // the case, for failure messages
  std::string args;         // the layer's options as layers.py reads them (see its comment)
  std::vector<Tensor> xs;   // the inputs, each (N, ...)
  Tensor dy;                // (N, output...) the upstream gradient of both sides
  Outcome fast, reference;  // our layer on its fast path and in reference mode
};

// A fresh layer from `make`, built for the case's inputs, forward and then backward from the
// case's dy (drawn from `rng` on the first call, when the output shape is known).
Outcome run_layer(const std::function<std::shared_ptr<nn::Layer>()>& make, TorchCase& c, nn::Rng& rng) {
  nn::set_seed(1);  // the same random stream in both modes: Sampling draws the same ε
  std::shared_ptr<nn::Layer> layer = make();
  auto* merge = dynamic_cast<nn::MergeLayer*>(layer.get());
  std::vector<nn::Shape> shapes;
  for (const Tensor& x : c.xs) shapes.emplace_back(x.shape().begin() + 1, x.shape().end());
  nn::Shape out{c.xs[0].dim(0)};
  for (int d : merge ? merge->build_for_inputs(shapes) : layer->build_for(shapes[0])) out.push_back(d);
  if (c.dy.size() == 0) c.dy = gradcheck::random_tensor(out, rng);
  Outcome o;
  o.dx.resize(c.xs.size());
  if (merge) {
    std::vector<const Tensor*> xs;
    std::vector<Tensor*> dxs;
    for (size_t i = 0; i < c.xs.size(); ++i) {
      xs.push_back(&c.xs[i]);
      dxs.push_back(&o.dx[i]);
    }
    merge->forward_inputs(xs, o.y, true);
    merge->backward_inputs(c.dy, dxs);
  } else {
    layer->forward(c.xs[0], o.y, true);
    layer->backward(c.dy, o.dx[0]);
  }
  o.loss = layer->added_loss();
  if (auto* sampling = dynamic_cast<nn::layers::Sampling*>(layer.get())) o.noise = sampling->noise();
  return o;
}

// A case: random inputs of these shapes (batch first), our layer run in both modes.
TorchCase make_case(std::string label, std::string args, const std::vector<nn::Shape>& shapes,
                    const std::function<std::shared_ptr<nn::Layer>()>& make, uint64_t seed) {
  TorchCase c{std::move(label), std::move(args), {}, {}, {}, {}};
  nn::Rng rng(seed);
  for (const nn::Shape& s : shapes) c.xs.push_back(gradcheck::random_tensor(s, rng, 1.5f));
  {
    refcheck::ReferenceMode mode(false);
    c.fast = run_layer(make, c, rng);
  }
  refcheck::ReferenceMode mode(true);
  c.reference = run_layer(make, c, rng);
  return c;
}

// dir / "<stem><k>.bin" (appended: g++ 12 warns falsely about "x" + std::to_string(k))
fs::path numbered(const fs::path& dir, const char* stem, size_t k) {
  return dir / std::string(stem).append(std::to_string(k)).append(".bin");
}

void write_text(const fs::path& path, const std::string& text) { nn::write_file_atomic(path.string(), text); }

// Hands every case to tests/torch/layers.py LAYER in one call (importing torch takes a while),
// then checks both modes' y, dx and added loss against its float64 ones.
void compare_with_torch(const std::string& layer, const std::vector<TorchCase>& cases) {
  if (!torch_ready(kLayersScript)) return;
  nn_test::TempDir tmp("torch_" + layer);
  std::string command = kLayersScript + " " + layer;
  for (size_t i = 0; i < cases.size(); ++i) {
    const TorchCase& c = cases[i];
    const fs::path dir = tmp.path / std::to_string(i);
    fs::create_directories(dir);
    std::string shapes;
    for (size_t k = 0; k < c.xs.size(); ++k) {
      write_floats(numbered(dir, "x", k), c.xs[k]);
      for (int d : c.xs[k].shape()) shapes.append(std::to_string(d)).append(" ");
      shapes.append("\n");
    }
    write_text(dir / "shapes.txt", shapes);
    write_text(dir / "args.txt", c.args);
    write_floats(dir / "dy.bin", c.dy);
    if (c.fast.noise.size() > 0) write_floats(dir / "eps.bin", c.fast.noise);
    command.append(" '").append(dir.string()).append("'");
  }
  run_python(command, tmp.path / "log.txt");
  for (size_t i = 0; i < cases.size(); ++i) {
    const TorchCase& c = cases[i];
    const fs::path dir = tmp.path / std::to_string(i);
    for (const Outcome* o : {&c.fast, &c.reference}) {
      INFO(layer, " ", c.label, (o == &c.fast ? ", fast path" : ", reference mode"));
      CHECK_MESSAGE(worst(read_floats(dir / "y.bin"), o->y) <= 1e-5, "y differs from PyTorch's");
      for (size_t k = 0; k < o->dx.size(); ++k)
        CHECK_MESSAGE(worst(read_floats(numbered(dir, "dx", k)), o->dx[k]) <= 1e-5,
                      "dx", k, " differs from PyTorch's");
      CHECK_MESSAGE(worst(read_floats(dir / "loss.bin"), Tensor({1}, {o->loss})) <= 1e-5,
                    "the added loss differs from PyTorch's");
    }
  }
}

}  // namespace

TEST_CASE("torch: Conv2DTranspose gives PyTorch's ConvTranspose2d y, dx, dW and db on the same weights") {
  if (!torch_ready(kConvTransposeScript)) return;
  struct Case {
    int filters, kernel, strides;
    const char* padding;
    int h, w, c;
  };
  const Case cases[] = {
      {4, 3, 1, "same", 5, 6, 3},    {4, 3, 1, "valid", 5, 6, 3},   {4, 3, 2, "same", 4, 5, 3},
      {4, 3, 2, "valid", 4, 5, 3},   {6, 4, 2, "same", 3, 3, 5},    {5, 2, 3, "valid", 3, 4, 2},
      {40, 3, 2, "same", 4, 4, 16},  {33, 5, 2, "valid", 3, 2, 7},  {2, 1, 2, "same", 3, 3, 4},
  };
  nn_test::TempDir tmp("torch_conv_transpose");
  int index = 0;
  for (const Case& c : cases) {
    const std::string padding = c.padding;
    INFO("filters ", c.filters, ", kernel ", c.kernel, ", strides ", c.strides, ", padding ", padding, ", input (",
         c.h, ", ", c.w, ", ", c.c, ")");
    nn::set_seed(++index);
    L::Conv2DTranspose t(c.filters, c.kernel, {.strides = c.strides, .padding = c.padding});
    t.build_for({c.h, c.w, c.c});
    nn::Rng rng(index);
    for (float& b : t.bias().value) b = rng.uniform(-0.5f, 0.5f);
    const int n = 3;
    const Tensor x = gradcheck::random_tensor({n, c.h, c.w, c.c}, rng);
    Tensor y, dx;
    t.forward(x, y, true);
    const Tensor dy = gradcheck::random_tensor(y.shape(), rng);
    for (nn::Param* p : t.params()) p->grad.fill(0.0f);
    t.backward(dy, dx);

    const fs::path dir = tmp.path / std::to_string(index);
    fs::create_directories(dir);
    write_floats(dir / "x.bin", x);
    write_floats(dir / "w.bin", t.kernel().value);
    write_floats(dir / "b.bin", t.bias().value);
    write_floats(dir / "dy.bin", dy);
    const nn::ConvShape& s = t.transposed_shape();
    std::string command = kConvTransposeScript + " '" + dir.string() + "'";
    for (int v : {n, c.h, c.w, c.c, c.filters, c.kernel, c.strides, s.pad_top, s.pad_left, y.dim(1), y.dim(2)})
      command.append(" ").append(std::to_string(v));  // (not " " + ...: g++ 12 warns falsely about that)
    run_python(command, dir / "log.txt");
    CHECK_MESSAGE(worst(read_floats(dir / "y.bin"), y) <= 1e-5, "y differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "dx.bin"), dx) <= 1e-5, "dx differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "dw.bin"), t.kernel().grad) <= 1e-5, "dW differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "db.bin"), t.bias().grad) <= 1e-5, "db differs from PyTorch's");
  }
}

// Our tensors are row-major (N, H, W, C) like Keras's; PyTorch reshapes row-major too, so the
// same numbers in the same order, with no permute to NCHW.
TEST_CASE("torch: Reshape gives torch.reshape's y and dx, in the channels-last layout") {
  struct Spec {
    nn::Shape in, target;
  };
  const Spec specs[] = {{{3, 4, 6}, {2, 3, 4}}, {{2, 2, 3, 4}, {-1}}, {{2, 4, 4, 2}, {8, -1, 2}}, {{4, 5}, {1, 5, 1}}};
  std::vector<TorchCase> cases;
  uint64_t seed = 0;
  for (const Spec& s : specs) {
    std::string target;
    for (int d : s.target) target.append(std::to_string(d)).append(" ");
    cases.push_back(make_case("input " + nn::shape_str(s.in) + ", target (" + target + ")", target, {s.in},
                              [&] { return std::make_shared<L::Reshape>(s.target); }, ++seed));
  }
  compare_with_torch("reshape", cases);
}

TEST_CASE("torch: UpSampling2D gives interpolate(mode=\"nearest\")'s y and dx, square and non-square factors") {
  struct Spec {
    nn::Shape in;
    int rows, cols;
  };
  const Spec specs[] = {{{2, 2, 3, 4}, 2, 2}, {{2, 3, 2, 5}, 2, 3}, {{1, 2, 3, 3}, 3, 1},
                        {{2, 3, 3, 2}, 1, 1}, {{1, 2, 3, 3}, 4, 5}, {{3, 1, 1, 7}, 3, 3}};
  std::vector<TorchCase> cases;
  uint64_t seed = 0;
  for (const Spec& s : specs)
    cases.push_back(make_case("input " + nn::shape_str(s.in) + ", size (" + std::to_string(s.rows) + ", " +
                                  std::to_string(s.cols) + ")",
                              std::to_string(s.rows) + " " + std::to_string(s.cols), {s.in},
                              [&] { return std::make_shared<L::UpSampling2D>(std::array<int, 2>{s.rows, s.cols}); },
                              ++seed));
  compare_with_torch("upsampling2d", cases);
}

TEST_CASE("torch: Add gives the sum's y and every dx, 2 and 3 inputs") {
  const std::vector<std::vector<nn::Shape>> specs = {{{3, 5}, {3, 5}}, {{2, 3, 4, 2}, {2, 3, 4, 2}, {2, 3, 4, 2}}};
  std::vector<TorchCase> cases;
  uint64_t seed = 0;
  for (const std::vector<nn::Shape>& s : specs)
    cases.push_back(make_case(std::to_string(s.size()) + " inputs " + nn::shape_str(s[0]), "", s,
                              [] { return std::make_shared<L::Add>(); }, ++seed));
  compare_with_torch("add", cases);
}

TEST_CASE("torch: Concatenate gives torch.cat's y and every dx, 2 and 3 inputs, on the last axis and others") {
  struct Spec {
    int axis;
    std::vector<nn::Shape> in;
  };
  const Spec specs[] = {{-1, {{3, 4}, {3, 2}}},
                        {-1, {{2, 3, 3, 1}, {2, 3, 3, 4}, {2, 3, 3, 2}}},
                        {1, {{2, 2, 3, 2}, {2, 4, 3, 2}}},
                        {2, {{2, 3, 1, 2}, {2, 3, 2, 2}, {2, 3, 3, 2}}},
                        {-2, {{2, 2, 3, 2}, {2, 2, 1, 2}}},
                        {3, {{3, 2, 2, 1}, {3, 2, 2, 3}}}};
  std::vector<TorchCase> cases;
  uint64_t seed = 0;
  for (const Spec& s : specs) {
    std::string shapes;
    for (const nn::Shape& in : s.in) shapes += (shapes.empty() ? "" : ", ") + nn::shape_str(in);
    cases.push_back(make_case("axis " + std::to_string(s.axis) + ", inputs " + shapes, std::to_string(s.axis), s.in,
                              [&] { return std::make_shared<L::Concatenate>(s.axis); }, ++seed));
  }
  compare_with_torch("concatenate", cases);
}

// PyTorch is given the ε our layer drew, and differentiates (z·dz).sum() + KL: dμ and
// dlog σ² then hold the KL term's gradient too, as our backward's do.
TEST_CASE("torch: Sampling gives PyTorch's z, KL term, dmu and dlog_var on the same eps") {
  struct Spec {
    int n, d;
    float kl_weight;
  };
  const Spec specs[] = {{4, 3, 1.0f}, {5, 7, 0.5f}, {1, 2, 2.0f}, {3, 4, 0.0f}};
  std::vector<TorchCase> cases;
  uint64_t seed = 0;
  for (const Spec& s : specs) {
    const nn::Shape shape{s.n, s.d};
    std::string weight = std::to_string(s.kl_weight);
    cases.push_back(make_case("(N, D) = " + nn::shape_str(shape) + ", kl_weight " + weight, weight, {shape, shape},
                              [&] { return std::make_shared<L::Sampling>(L::SamplingOptions{.kl_weight = s.kl_weight}); },
                              ++seed));
    REQUIRE(cases.back().fast.noise.size() == nn::shape_size(shape));  // ε from the fast run, for PyTorch
  }
  compare_with_torch("sampling", cases);
}
