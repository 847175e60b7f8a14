// Conv2DTranspose against PyTorch's ConvTranspose2d on the same weights and input: y, and
// from the same dy, dx, dW and db (tests/torch/conv_transpose.py, run with /usr/bin/python3,
// the one with torch 1.13). Strides 1, 2 and 3, "same" and "valid", windows below, at and
// above the stride, both fast paths. Without torch the test is skipped with a notice.
// Run from the repository root (as make test does): the script is read from tests/torch/.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "gradcheck.h"
#include "nn.h"
#include "test_util.h"

namespace fs = std::filesystem;
namespace L = nn::layers;
using nn::Tensor;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = "tests/torch/conv_transpose.py";

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

}  // namespace

TEST_CASE("torch: Conv2DTranspose gives PyTorch's ConvTranspose2d y, dx, dW and db on the same weights") {
  if (!have_torch()) {
    MESSAGE("skipped: " << kPython << " cannot import torch, so there is nothing to compare against "
                        "(install PyTorch for " << kPython << " to run this check)");
    return;
  }
  REQUIRE_MESSAGE(fs::exists(kScript), kScript << " not found from " << fs::current_path()
                                               << ": run the tests from the repository root");
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
    std::string command = kPython + " " + kScript + " '" + dir.string() + "'";
    for (int v : {n, c.h, c.w, c.c, c.filters, c.kernel, c.strides, s.pad_top, s.pad_left, y.dim(1), y.dim(2)})
      command.append(" ").append(std::to_string(v));  // (not " " + ...: g++ 12 warns falsely about that)
    const std::string log = (dir / "log.txt").string();
    const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
    const bool ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const std::vector<uint8_t> output = nn::read_file(log);
    REQUIRE_MESSAGE(ran, "the PyTorch script failed:\n" << std::string(output.begin(), output.end()));
    CHECK_MESSAGE(worst(read_floats(dir / "y.bin"), y) <= 1e-5, "y differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "dx.bin"), dx) <= 1e-5, "dx differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "dw.bin"), t.kernel().grad) <= 1e-5, "dW differs from PyTorch's");
    CHECK_MESSAGE(worst(read_floats(dir / "db.bin"), t.bias().grad) <= 1e-5, "db differs from PyTorch's");
  }
}
