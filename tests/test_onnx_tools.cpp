// ONNX export checked by the tools people will open the files with:
//   * onnx.checker.check_model(full_check=True), from Debian's python3-onnx, accepts every
//     exported model (tests/onnx/check_models.py);
//   * onnxruntime (npm's onnxruntime-node, CPU) predicts what nnscratch's predict() does,
//     to 1e-5 (relative to the size of the number, for outputs above 1), at two batch
//     sizes through one session, which also shows the batch dimension is symbolic
//     (tests/onnx/run_onnxruntime.js).
// The models are tests/onnx/export_models.h's: the chapter's MLP and CNN, tutorial 11's
// autoencoder (small; the decoder nested), graphs (merges, a shared layer, a nested model in
// a graph) and small ones that put every exportable layer where exports go wrong.
// tests/onnx/ensure_tools.sh (make test runs it) installs both tools. Without node the
// onnxruntime comparison is skipped with a notice; a missing python3-onnx or
// onnxruntime-node (node being there) fails and says what to run.
// Run from the repository root (as make test does): the scripts are read from tests/onnx/.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "nn.h"
#include "onnx/export_models.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace {

const std::string kPython = "/usr/bin/python3";  // Debian's, with python3-onnx
const std::string kScripts = "tests/onnx";

// onnxruntime-node's folder: NN_ONNXRUNTIME_DIR, else where make test installs it.
std::string onnxruntime_dir() {
  const char* dir = std::getenv("NN_ONNXRUNTIME_DIR");
  return dir && *dir ? dir : "build/onnxruntime";
}

// s as one word for the shell, with a space before it (to append to a command).
std::string arg(const std::string& s) {
  std::string q = " '";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command with its output going to `log`; returns its exit status.
int run(const std::string& command, const std::string& log) {
  const int status = std::system((command + " >" + arg(log) + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string text_of(const std::string& path) {
  if (!fs::exists(path)) return "";
  std::vector<uint8_t> bytes = nn::read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

void write_floats(const std::string& path, const nn::Tensor& t) {  // raw float32, this machine's byte order
  nn::write_file_atomic(path, t.data(), t.size() * sizeof(float));
}
std::vector<float> read_floats(const std::string& path) {
  std::vector<uint8_t> bytes = nn::read_file(path);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

std::string dims_text(const nn::Shape& shape) {
  std::string s;
  for (int d : shape) {
    if (!s.empty()) s += ',';
    s += std::to_string(d);
  }
  return s;
}

void require_scripts() {
  REQUIRE_MESSAGE(fs::exists(kScripts + "/check_models.py"),
                  "tests/onnx/ not found from " << fs::current_path() << ": run the tests from the repository root");
}

// One exported model and what nnscratch predicts for it on batches of 5 and of 1.
struct Exported {
  std::string name, onnx_path;
  nn::Tensor x5, x1;                // (5, sample...), (1, sample...)
  nn::Tensor expected5, expected1;  // predict() on each
};

std::vector<Exported> export_all(const nn_test::TempDir& tmp) {
  std::vector<Exported> out;
  uint64_t seed = 100;
  for (const onnx_test::ExportModel& m : onnx_test::export_models()) {
    nn::reset_layer_names();
    nn::set_seed(++seed);
    onnx_test::ModelPtr model = m.make();
    Exported e;
    e.name = m.name;
    e.onnx_path = (tmp.path / (m.name + ".onnx")).string();
    e.x5 = onnx_test::sample_inputs(*model, 5, seed);
    e.x1 = e.x5.slice_rows(2, 3);
    onnx_test::give_weights(*model, e.x5, seed);
    e.expected5 = model->predict(e.x5);
    e.expected1 = model->predict(e.x1);
    nn::export_onnx(*model, e.onnx_path);
    out.push_back(std::move(e));
  }
  return out;
}

// The largest |got - want| / max(1, |want|), or +inf when the shapes differ.
double worst_difference(const std::vector<float>& got, const nn::Tensor& want) {
  if (got.size() != want.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(double{got[i]} - want[i]) / std::max(1.0, std::fabs(double{want[i]}));
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
  }
  return worst;
}

}  // namespace

TEST_CASE("onnx: onnx.checker (full_check) accepts every exported model") {
  require_scripts();
  REQUIRE_MESSAGE(run(kPython + " -c 'import onnx'", "/dev/null") == 0,
                  kPython << " cannot import onnx: install Debian's python3-onnx "
                             "(bash tests/onnx/ensure_tools.sh build/onnxruntime does; make test runs it)");
  nn_test::TempDir tmp("onnx_checker");
  std::string command = kPython + " " + kScripts + "/check_models.py";
  for (const Exported& e : export_all(tmp)) command += arg(e.onnx_path);
  const std::string log = (tmp.path / "checker.log").string();
  const int status = run(command, log);
  std::cout << text_of(log);  // one line per model: opset, input -> output, operators
  CHECK_MESSAGE(status == 0, "onnx.checker rejected an export:\n" << text_of(log));
}

TEST_CASE("onnx: onnxruntime predicts what predict() does, to 1e-5, at batch sizes 5 and 1") {
  require_scripts();
  if (run("command -v node", "/dev/null") != 0) {
    MESSAGE("skipped: node is not installed, so onnxruntime cannot run here (install Node.js and npm, then "
            "make test installs onnxruntime-node)");
    return;
  }
  const std::string ort = onnxruntime_dir();
  REQUIRE_MESSAGE(fs::exists(ort + "/node_modules/onnxruntime-node/package.json"),
                  "onnxruntime-node is not installed in " << ort << ": run 'bash tests/onnx/ensure_tools.sh " << ort
                                                          << "' (make test does; it needs the npm registry once)");
  nn_test::TempDir tmp("onnxruntime");
  const std::vector<Exported> models = export_all(tmp);
  std::string command = "env" + arg("NODE_PATH=" + fs::absolute(ort + "/node_modules").string()) + " node " +
                        kScripts + "/run_onnxruntime.js";
  auto add_job = [&](const Exported& e, const nn::Tensor& x, const std::string& tag) {
    const std::string base = (tmp.path / (e.name + "." + tag)).string();
    write_floats(base + ".in", x);
    command += arg(e.onnx_path) + arg(base + ".in") + arg(dims_text(x.shape())) + arg(base + ".out");
  };
  for (const Exported& e : models) {
    add_job(e, e.x5, "batch5");
    add_job(e, e.x1, "batch1");
  }
  const std::string log = (tmp.path / "onnxruntime.log").string();
  REQUIRE_MESSAGE(run(command, log) == 0, "onnxruntime could not run the exports:\n" << text_of(log));
  const std::string lines = text_of(log);  // "onnxruntime 1.30.0: chapter_mlp.onnx ..." per batch
  const std::string runtime = lines.substr(0, lines.find(':'));

  for (const Exported& e : models) {
    const std::string base = (tmp.path / e.name).string();
    const double d5 = worst_difference(read_floats(base + ".batch5.out"), e.expected5);
    const double d1 = worst_difference(read_floats(base + ".batch1.out"), e.expected1);
    CHECK_MESSAGE(text_of(base + ".batch5.out.dims") == dims_text(e.expected5.shape()), e.name << ": output shape");
    CHECK_MESSAGE(d5 <= 1e-5, e.name << ": onnxruntime and predict() differ by " << d5 << " (batch of 5)");
    CHECK_MESSAGE(d1 <= 1e-5, e.name << ": onnxruntime and predict() differ by " << d1 << " (batch of 1)");
    // A saturated softmax would hide a wrong export: the outputs must vary from sample to sample.
    double spread = 0;
    const size_t row = e.expected5.size() / 5;
    for (size_t i = row; i < e.expected5.size(); ++i) spread = std::max(spread, double{std::fabs(e.expected5[i] - e.expected5[i % row])});
    CHECK_MESSAGE(spread > 1e-3, e.name << ": predictions hardly vary between samples; the comparison would prove little");
    std::printf("%s: %-20s = predict() to %.1e (batch 5), %.1e (batch 1); (%s) -> (%s)\n", runtime.c_str(),
                e.name.c_str(), d5, d1, dims_text(e.x5.shape()).c_str(), dims_text(e.expected5.shape()).c_str());
  }
}
