// Checkpoints and resume (src/model/checkpoint.h): a run killed at any moment and resumed
// from its last checkpoint must end with bit-identical weights to a run never interrupted.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "chapter_models.h"
#include "nn.h"
#include "spawn_self.h"

using nn::Node;
using nn::Tensor;
namespace L = nn::layers;
namespace fs = std::filesystem;

namespace {

// A fresh folder per test, so parallel runs (make test next to make asan) never collide.
fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("nnscratch_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}


// A small CNN with everything that carries state besides the weights: BatchNormalization
// (moving statistics) and Dropout (its own generator).
nn::Model small_cnn() {
  Node input = L::Input({6, 6, 2});
  Node x = L::Conv2D(4, 3, {.padding = "same"})(input);
  x = L::BatchNormalization({.momentum = 0.9f})(x);
  x = L::LeakyReLU()(x);
  x = L::Flatten()(x);
  x = L::Dropout(0.3f)(x);
  Node output = L::Dense(3, "softmax")(x);
  return nn::Model(input, output);
}

void require_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].shape() == b[i].shape());
    size_t differ = 0;
    for (size_t j = 0; j < a[i].size(); ++j) differ += a[i][j] != b[i][j];
    INFO("weight tensor ", i, ": ", differ, " of ", a[i].size(), " numbers differ");
    REQUIRE(differ == 0);
  }
}

// Throws at the given optimizer step: a crash, as far as fit can tell.
struct Crash : nn::Callback {
  long at;
  explicit Crash(long step) : at(step) {}
  void on_batch_end(int, const nn::Logs&, nn::Model& model) override {
    if (model.optimizer().iterations() == at) throw std::runtime_error("simulated crash");
  }
};

// ---- the MLP run that the kill test interrupts ----
constexpr uint64_t kMlpSeed = 1234;  // FitOptions::seed: shuffling from fit's own generator
const nn::FitOptions kMlpOptions{.batch_size = 16, .epochs = 4, .validation_split = 0.2f, .verbose = 0,
                                 .seed = kMlpSeed};
// 240 samples, 48 for validation: 192 train = 12 batches an epoch, 48 steps in all.

void mlp_data(Tensor& x, Tensor& y) { chapter::random_data(240, {8, 8, 3}, 10, 77, x, y); }

// Builds, compiles and (unless `resume` is given) trains the MLP from scratch.
nn::History run_mlp(nn::Model& model, std::vector<std::shared_ptr<nn::Callback>> callbacks,
                    const std::string& resume = "") {
  Tensor x, y;
  mlp_data(x, y);
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.002f), {"accuracy"});
  if (!resume.empty()) model.resume_from(resume);
  nn::FitOptions options = kMlpOptions;
  options.callbacks = std::move(callbacks);
  return model.fit(x, y, options);
}

nn::Model fresh_mlp() {
  nn::reset_layer_names();
  nn::set_seed(7);  // weight initialisation
  return chapter::mlp({8, 8, 3});  // small images, so a step takes well under a millisecond
}

// Tells the parent (through a pipe) after every batch how many steps are done; with
// block_at, stops dead after that step and waits to be killed.
struct Reporter : nn::Callback {
  int fd;
  long block_at;
  Reporter(int f, long b) : fd(f), block_at(b) {}
  void on_batch_end(int, const nn::Logs&, nn::Model& model) override {
    const long step = model.optimizer().iterations();
    if (::write(fd, &step, sizeof step) != sizeof step) std::_Exit(3);
    if (step == block_at)
      for (;;) ::pause();
  }
};

struct ChildRun {
  pid_t pid = -1;
  int from_child = -1;
};

// Starts this test binary again, running only the child test case below, which reports
// its steps through a pipe.
ChildRun spawn_child(const fs::path& dir, long block_at) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ChildRun child;
  child.pid = nn_test::spawn_self("checkpoint child*",
                                  {"NN_CKPT_CHILD_DIR=" + dir.string(), "NN_CKPT_CHILD_FD=" + std::to_string(fds[1]),
                                   "NN_CKPT_CHILD_BLOCK_AT=" + std::to_string(block_at)},
                                  (dir / "child.log").string(), {fds[0]});
  ::close(fds[1]);
  child.from_child = fds[0];
  REQUIRE(child.pid > 0);
  return child;
}

// Reads step numbers until one reaches `target`; -1 when the child ended first.
long wait_for_step(int fd, long target) {
  long step = 0;
  while (step < target) {
    if (::read(fd, &step, sizeof step) != sizeof step) return -1;
  }
  return step;
}

void kill_child(ChildRun& child) {
  ::kill(child.pid, SIGKILL);
  const int status = nn_test::wait_child(child.pid);
  ::close(child.from_child);
  CHECK(status == 128 + SIGKILL);
}

std::string child_log(const fs::path& dir) {
  auto bytes = nn::read_file((dir / "child.log").string());
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST_CASE("checkpoint child: trains the MLP until killed (does nothing unless the kill test starts it)") {
  const char* dir = std::getenv("NN_CKPT_CHILD_DIR");
  if (!dir) return;
  const int fd = std::atoi(std::getenv("NN_CKPT_CHILD_FD"));
  const long block_at = std::atol(std::getenv("NN_CKPT_CHILD_BLOCK_AT"));
  nn::Model model = fresh_mlp();
  // The reporter runs first, so the parent's kill can land while the checkpoint of the
  // same step is being written.
  auto checkpoint = std::make_shared<nn::ModelCheckpoint>((fs::path(dir) / "ckpt.npz").string(),
                                                          nn::ModelCheckpointOptions{.save_freq = 5});
  run_mlp(model, {std::make_shared<Reporter>(fd, block_at), checkpoint});
}

TEST_CASE("kill -9 in the middle of an epoch, resume from the last checkpoint: bit-identical weights") {
  // The run that was never interrupted.
  nn::Model reference = fresh_mlp();
  const nn::History full = run_mlp(reference, {});
  REQUIRE(full.epochs() == 4);
  const auto expected = reference.get_weights();

  SUBCASE("stopped dead after step 19 (epoch 2, batch 7); the checkpoint is from step 15") {
    const fs::path dir = scratch_dir("kill_block");
    ChildRun child = spawn_child(dir, 19);
    const long step = wait_for_step(child.from_child, 19);
    INFO(child_log(dir));
    REQUIRE(step == 19);
    kill_child(child);
    const std::string ckpt = (dir / "ckpt.npz").string();
    // The checkpoint says: epoch 2 (0-based 1), 3 batches of 16 done, 192 training samples.
    for (auto& e : nn::read_npz(ckpt)) {
      if (e.name != "checkpoint/position") continue;
      const std::vector<int64_t>& position = e.value.int64();
      CHECK(position.at(0) == 1);
      CHECK(position.at(1) == 3);
      CHECK(position.at(2) == 16);
      CHECK(position.at(3) == 192);
    }

    nn::Model resumed = fresh_mlp();
    const nn::History h = run_mlp(resumed, {}, ckpt);
    require_identical(resumed.get_weights(), expected);
    CHECK(resumed.optimizer().iterations() == 48);
    // The history is complete too: epoch 1 from the checkpoint, epochs 2-4 from this run,
    // and epoch 2's mean loss includes the batches trained before the kill.
    REQUIRE(h.epochs() == 4);
    for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy"})
      for (int e = 0; e < 4; ++e) CHECK(h[key][e] == full[key][e]);
    fs::remove_all(dir);
  }

  SUBCASE("killed while running at full speed, possibly in the middle of writing a checkpoint") {
    // The kill follows the report of a step that is also a checkpoint step, so it often
    // lands during that save: what is on disk must then be the previous checkpoint, whole.
    for (long kill_after : {10L, 25L, 40L}) {
      CAPTURE(kill_after);
      const fs::path dir = scratch_dir("kill_free");
      ChildRun child = spawn_child(dir, 0);
      const long step = wait_for_step(child.from_child, kill_after);
      INFO(child_log(dir));
      REQUIRE(step == kill_after);
      kill_child(child);
      nn::Model resumed = fresh_mlp();
      run_mlp(resumed, {}, (dir / "ckpt.npz").string());
      require_identical(resumed.get_weights(), expected);
      fs::remove_all(dir);
    }
  }
}

TEST_CASE("resume restores BatchNormalization statistics, Dropout's generator, SGD momentum and global shuffling") {
  Tensor x, y;
  chapter::random_data(40, {6, 6, 2}, 3, 31, x, y);  // 5 batches of 8 an epoch, 15 steps in 3 epochs
  auto run = [&](std::vector<std::shared_ptr<nn::Callback>> callbacks, const std::string& resume, nn::History* h) {
    nn::reset_layer_names();
    nn::set_seed(21);  // weights, Dropout's generator, and (seed 0 below) the shuffling
    nn::Model model = small_cnn();
    model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::SGD(0.05f, 0.9f), {"accuracy"});
    if (!resume.empty()) model.resume_from(resume);
    *h = model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = std::move(callbacks)});
    return model.get_weights();
  };
  nn::History full;
  const auto expected = run({}, "", &full);
  const fs::path dir = scratch_dir("resume_cnn");
  const std::string ckpt = (dir / "ckpt.npz").string();

  SUBCASE("mid-epoch checkpoints (every 4 batches), crash at step 13: resumes at epoch 3, batch 3") {
    nn::History ignored;
    auto every4 = std::make_shared<nn::ModelCheckpoint>(ckpt, nn::ModelCheckpointOptions{.save_freq = 4});
    CHECK_THROWS_WITH(run({every4, std::make_shared<Crash>(13)}, "", &ignored), "simulated crash");
    CHECK(every4->saves() == 3);
    nn::History h;
    require_identical(run({}, ckpt, &h), expected);
    REQUIRE(h.epochs() == 3);
    for (int e = 0; e < 3; ++e) CHECK(h["loss"][e] == full["loss"][e]);
  }
  SUBCASE("a checkpoint at the end of every epoch, crash at step 7: resumes at epoch 2") {
    nn::History ignored;
    auto per_epoch = std::make_shared<nn::ModelCheckpoint>(ckpt);
    CHECK_THROWS_WITH(run({per_epoch, std::make_shared<Crash>(7)}, "", &ignored), "simulated crash");
    CHECK(per_epoch->saves() == 1);
    nn::History h;
    require_identical(run({}, ckpt, &h), expected);
    CHECK(h["accuracy"] == full["accuracy"]);
  }
  SUBCASE("without the Dropout generator restored, the resumed run would differ (the test can fail)") {
    nn::History ignored;
    auto every4 = std::make_shared<nn::ModelCheckpoint>(ckpt, nn::ModelCheckpointOptions{.save_freq = 4});
    CHECK_THROWS(run({every4, std::make_shared<Crash>(13)}, "", &ignored));
    // Re-seed Dropout's generator after resuming: the masks of the remaining batches change.
    nn::reset_layer_names();
    nn::set_seed(21);
    nn::Model model = small_cnn();
    model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::SGD(0.05f, 0.9f), {"accuracy"});
    model.resume_from(ckpt);
    model.get_layer("dropout").random_generator()->seed(999);
    model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0});
    const auto w = model.get_weights();
    bool differs = false;
    for (size_t i = 0; i < w.size(); ++i)
      for (size_t j = 0; j < w[i].size(); ++j) differs |= w[i][j] != expected[i][j];
    CHECK(differs);
  }
  fs::remove_all(dir);
}

TEST_CASE("a resumed fit keeps the CSVLogger rows and the EarlyStopping count of the epochs before the crash") {
  // EarlyStopping on "loss" with a min_delta no epoch can beat: only epoch 1 "improves", so
  // with patience 2 the run stops after epoch 3 (0-based 2) — if the resumed fit remembers
  // that epochs 1 and 2 ran. Forgetting them, it would count from zero and run all 4.
  const fs::path dir = scratch_dir("resume_callbacks");
  const std::string ckpt = (dir / "ckpt.npz").string();
  auto callbacks = [&](const std::string& csv, std::shared_ptr<nn::EarlyStopping>& stop) {
    stop = std::make_shared<nn::EarlyStopping>("loss", 2, 10.0f);
    return std::vector<std::shared_ptr<nn::Callback>>{std::make_shared<nn::CSVLogger>(csv), stop};
  };
  std::shared_ptr<nn::EarlyStopping> stop;
  nn::Model whole = fresh_mlp();
  const std::string last = (dir / "last.npz").string();  // written as the run stopped
  auto whole_callbacks = callbacks((dir / "whole.csv").string(), stop);
  whole_callbacks.push_back(std::make_shared<nn::ModelCheckpoint>(last));
  run_mlp(whole, whole_callbacks);
  REQUIRE(stop->stopped_epoch() == 2);
  const auto expected_csv = nn::read_file((dir / "whole.csv").string());

  // Resuming from the checkpoint written at the epoch end where it decided to stop: no
  // more epochs (the decision is rebuilt from the history, not from the file).
  nn::Model after_stop = fresh_mlp();
  const nn::History h_stop = run_mlp(after_stop, callbacks((dir / "after_stop.csv").string(), stop), last);
  CHECK(stop->stopped_epoch() == 2);
  CHECK(h_stop.epochs() == 3);
  CHECK(after_stop.optimizer().iterations() == whole.optimizer().iterations());

  // Checkpoints at the end of every epoch; a crash in epoch 3 (step 30 of 12 a epoch).
  const std::string csv = (dir / "resumed.csv").string();
  nn::Model crashed = fresh_mlp();
  auto cbs = callbacks(csv, stop);
  cbs.push_back(std::make_shared<nn::ModelCheckpoint>(ckpt));
  cbs.push_back(std::make_shared<Crash>(30));
  CHECK_THROWS_WITH(run_mlp(crashed, cbs), "simulated crash");
  nn::Model resumed = fresh_mlp();
  const nn::History h = run_mlp(resumed, callbacks(csv, stop), ckpt);
  CHECK(stop->stopped_epoch() == 2);
  CHECK(h.epochs() == 3);
  CHECK(nn::read_file(csv) == expected_csv);  // rows for epochs 1 and 2 too, the same bytes
  require_identical(resumed.get_weights(), whole.get_weights());
  fs::remove_all(dir);
}

TEST_CASE("save_checkpoint between two fits: resuming in a new model equals running the second fit") {
  Tensor x, y;
  chapter::random_data(64, {8, 8, 3}, 10, 41, x, y);
  const nn::FitOptions options{.batch_size = 16, .epochs = 2, .verbose = 0};  // seed 0: global shuffling
  auto compile = [](nn::Model& model) { model.compile("categorical_crossentropy", nn::optimizers::SGD(0.05f, 0.9f)); };
  const fs::path dir = scratch_dir("between_fits");
  const std::string ckpt = (dir / "ckpt.npz").string();
  nn::Model a = fresh_mlp();
  compile(a);
  a.fit(x, y, options);
  a.save_checkpoint(ckpt);  // outside fit
  a.fit(x, y, options);     // the second fit, uninterrupted
  nn::Model b = fresh_mlp();
  compile(b);
  b.resume_from(ckpt);
  const nn::History h = b.fit(x, y, options);
  CHECK(h.epochs() == 2);
  require_identical(b.get_weights(), a.get_weights());
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint keeps the normal number a generator holds back (Box-Muller makes two)") {
  const fs::path dir = scratch_dir("ckpt_spare");
  const std::string ckpt = (dir / "ckpt.npz").string();
  Tensor x, y;
  mlp_data(x, y);
  nn::Model model = fresh_mlp();
  model.compile("categorical_crossentropy", nn::optimizers::SGD(0.1f));
  nn::global_rng().normal();  // the global generator now holds the second number of a pair
  model.save_checkpoint(ckpt);  // between fits: the global generator is the one saved
  const float held_back = nn::global_rng().normal();
  bool found = false;
  for (auto& e : nn::read_npz(ckpt)) {
    if (e.name != "checkpoint/shuffle_rng/spare_normal") continue;
    found = true;
    REQUIRE(e.value.size() == 1);
    CHECK(e.value.float32()[0] == held_back);
  }
  CHECK(found);
  nn::set_seed(99);  // forget it
  nn::Model resumed = fresh_mlp();
  resumed.compile("categorical_crossentropy", nn::optimizers::SGD(0.1f));
  resumed.resume_from(ckpt);
  resumed.fit(x, y, {.epochs = 0, .verbose = 0});  // a fit with seed 0 takes the saved global generator
  CHECK(nn::global_rng().normal() == held_back);
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint is also a weights file, and holds Adam's m, v and t") {
  const fs::path dir = scratch_dir("ckpt_contents");
  const std::string ckpt = (dir / "ckpt.npz").string();
  nn::Model model = fresh_mlp();
  auto per_epoch = std::make_shared<nn::ModelCheckpoint>(ckpt);
  run_mlp(model, {per_epoch});
  CHECK(per_epoch->saves() == 4);
  std::map<std::string, nn::NpyArray> entries;
  for (auto& e : nn::read_npz(ckpt)) entries[e.name] = e.value;
  auto state = model.optimizer().state();
  REQUIRE(state.size() == 12);  // m and v for 6 weight tensors
  for (auto& [name, tensor] : state) {
    REQUIRE(entries.count("checkpoint/optimizer/" + name));
    const Tensor& saved = entries["checkpoint/optimizer/" + name].float32();
    REQUIRE(saved.size() == tensor->size());
    CHECK(std::equal(saved.begin(), saved.end(), tensor->begin()));
  }
  // t = 48 steps, stored as an integer.
  CHECK(entries["checkpoint/optimizer/iterations"].int64().at(0) == 48);
  CHECK(entries["checkpoint/history/loss"].size() == 4);
  // load_weights reads the weights out of it and ignores the rest.
  nn::Model other = fresh_mlp();
  other.load_weights(ckpt);
  require_identical(other.get_weights(), model.get_weights());
  fs::remove_all(dir);
}

TEST_CASE("a corrupt, foreign or mismatched checkpoint is a clear error and changes nothing") {
  const fs::path dir = scratch_dir("ckpt_bad");
  const std::string ckpt = (dir / "ckpt.npz").string();
  {
    nn::Model model = fresh_mlp();
    run_mlp(model, {std::make_shared<nn::ModelCheckpoint>(ckpt, nn::ModelCheckpointOptions{.save_freq = 7})});
  }
  const std::vector<uint8_t> good = nn::read_file(ckpt);
  nn::Model model = fresh_mlp();
  model.compile("categorical_crossentropy", nn::optimizers::Adam(0.002f));
  const auto before = model.get_weights();
  auto unchanged = [&] {
    require_identical(model.get_weights(), before);
    CHECK(model.optimizer().iterations() == 0);
  };
  auto write = [&](const std::vector<uint8_t>& bytes) { nn::write_file_atomic(ckpt, bytes); };

  SUBCASE("a flipped byte fails the CRC check") {
    std::vector<uint8_t> bad = good;
    bad[bad.size() / 2] ^= 0x10;
    write(bad);
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("CRC"), nn::IoError);
    unchanged();
  }
  SUBCASE("a truncated file") {
    write(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(good.size() * 2 / 3)));
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("truncated or corrupt"), nn::IoError);
    unchanged();
  }
  SUBCASE("a weights file is not a checkpoint") {
    model.save_weights(ckpt);
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("load_weights"), nn::IoError);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_AS(model.resume_from((dir / "none.npz").string()), nn::IoError);
  }
  SUBCASE("a checkpoint of another model") {
    nn::reset_layer_names();
    nn::Sequential other({L::Input({8, 8, 3}), L::Flatten(), L::Dense(20, "relu"), L::Dense(10, "softmax")});
    other.compile("categorical_crossentropy", nn::optimizers::Adam());
    CHECK_THROWS_WITH_AS(other.resume_from(ckpt), doctest::Contains("does not fit"), nn::IoError);
  }
  SUBCASE("another optimizer") {
    model.compile("categorical_crossentropy", nn::optimizers::SGD(0.1f, 0.9f));
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("Adam optimizer"), nn::IoError);
    CHECK(model.optimizer().iterations() == 0);
  }
  SUBCASE("not compiled") {
    nn::Model fresh = fresh_mlp();
    CHECK_THROWS_WITH_AS(fresh.resume_from(ckpt), doctest::Contains("compile"), nn::Error);
  }
  SUBCASE("CRC-valid files with impossible contents (an edited or buggy writer)") {
    auto edit = [&](const std::string& name, auto change) {
      auto entries = nn::read_npz((dir / "good.npz").string());
      for (auto& e : entries)
        if (e.name == name) change(e.value);
      nn::write_npz(ckpt, entries);
    };
    write(good);
    fs::copy_file(ckpt, dir / "good.npz", fs::copy_options::overwrite_existing);
    // Counts must be integers: floats where '<i8' belongs are refused, whatever their value.
    edit("checkpoint/position", [](nn::NpyArray& a) { a = Tensor({4}, {1, 2.5f, 16, 192}); });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("holds '<f4' numbers, expected '<i8'"),
                         nn::IoError);
    edit("checkpoint/position", [](nn::NpyArray& a) { a = nn::NpyArray(std::vector<int64_t>{1, -3, 16, 192}); });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("the batches done is -3"), nn::IoError);
    edit("checkpoint/order", [](nn::NpyArray& a) {
      std::vector<int64_t> order = a.int64();
      order[1] = order[0];
      a = nn::NpyArray(order);
    });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("twice"), nn::IoError);
    edit("checkpoint/shuffle_rng/state", [](nn::NpyArray& a) { a = nn::NpyArray(std::vector<uint64_t>(4, 0)); });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("all zeros"), nn::IoError);
    edit("checkpoint/epoch_totals", [](nn::NpyArray& a) { a = Tensor({2}); });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("expected '<f8'"), nn::IoError);
    edit("checkpoint/optimizer/m_0", [](nn::NpyArray& a) { a = Tensor({3}); });
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("m_0"), nn::IoError);
    unchanged();
  }
  SUBCASE("a checkpoint of format 1 (every number a float) is refused by name") {
    auto entries = nn::read_npz(ckpt);
    for (auto& e : entries)
      if (e.name == "checkpoint/format") e.value = Tensor({1}, 1.0f);  // as format 1 wrote it
    nn::write_npz(ckpt, entries);
    CHECK_THROWS_WITH_AS(model.resume_from(ckpt), doctest::Contains("format 1, written by an older nnscratch"),
                         nn::IoError);
    unchanged();
    model.load_weights(ckpt);  // its weights are still a weights file
    CHECK(model.get_weights()[0].at(0) != before[0].at(0));
  }
  SUBCASE("resuming with another seed or other data is refused by fit") {
    model.resume_from(ckpt);
    Tensor x, y;
    mlp_data(x, y);
    nn::FitOptions other_seed = kMlpOptions;
    other_seed.seed = 5;
    CHECK_THROWS_WITH_AS(model.fit(x, y, other_seed), doctest::Contains(".seed = 1234"), nn::ValueError);
    nn::FitOptions other_split = kMlpOptions;
    other_split.validation_split = 0.5f;
    CHECK_THROWS_WITH_AS(model.fit(x, y, other_split), doctest::Contains("192 training samples"), nn::ValueError);
  }
  fs::remove_all(dir);
}

TEST_CASE("the last good checkpoint survives a write that fails half-way (disk full)") {
  const fs::path dir = scratch_dir("ckpt_full");
  const std::string ckpt = (dir / "ckpt.npz").string();
  nn::Model model = fresh_mlp();
  run_mlp(model, {std::make_shared<nn::ModelCheckpoint>(ckpt)});
  const std::vector<uint8_t> good = nn::read_file(ckpt);
  // The next save writes "<ckpt>.tmp" first; pointing that name at /dev/full makes every
  // write fail with "no space left on device", as on a full disk.
  if (fs::exists("/dev/full")) {
    fs::create_symlink("/dev/full", ckpt + ".tmp");
    CHECK_THROWS_WITH_AS(model.save_checkpoint(ckpt), doctest::Contains("cannot write"), nn::IoError);
    CHECK(nn::read_file(ckpt) == good);
    CHECK_FALSE(fs::exists(fs::symlink_status(ckpt + ".tmp")));  // the failed temporary is removed
  }
  // A folder where the temporary file should go: the save fails before touching anything.
  fs::create_directory(ckpt + ".tmp");
  CHECK_THROWS_AS(model.save_checkpoint(ckpt), nn::IoError);
  CHECK(nn::read_file(ckpt) == good);
  // ...and a fit with that checkpoint stops with the error rather than training on unsaved.
  Tensor x, y;
  mlp_data(x, y);
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0,
                                   .callbacks = {std::make_shared<nn::ModelCheckpoint>(ckpt)}}),
                  nn::IoError);
  CHECK(nn::read_file(ckpt) == good);
  CHECK_THROWS_AS(nn::ModelCheckpoint(""), nn::ValueError);
  CHECK_THROWS_AS(nn::ModelCheckpoint(ckpt, {.save_freq = -1}), nn::ValueError);
  fs::remove_all(dir);
}

TEST_CASE("checkpoint: saved before the first step, it resumes (the optimizer's state is zeros)") {
  const fs::path dir = scratch_dir("ckpt_before_training");
  const std::string ckpt = (dir / "ckpt.npz").string();
  nn::Model model = fresh_mlp();
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.001f), {});
  model.save_checkpoint(ckpt);  // no step yet: Adam has made no m and v of its own
  nn::Model again = fresh_mlp();
  again.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.001f), {});
  CHECK_NOTHROW(again.resume_from(ckpt));
  CHECK(again.optimizer().iterations() == 0);
  fs::remove_all(dir);
}
