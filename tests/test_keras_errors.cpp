// The smaller divergences of issue 18, item 9: every misuse is an nn::Error that says what
// to do, nothing is ignored silently, and nothing is left behind.
#include <doctest/doctest.h>
#include <sys/file.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "nn.h"
#include "spawn_self.h"
#include "test_util.h"

using nn::Tensor;
namespace L = nn::layers;
namespace fs = std::filesystem;

TEST_CASE("layer_output past the last layer is an nn::Error naming the valid range") {
  nn::Sequential model({L::Input({3}), L::Dense(2)});
  model.forward(Tensor({1, 3}), false);
  CHECK_THROWS_WITH_AS(model.layer_output(99), doctest::Contains("the index must be 0..1"), nn::Error);
  CHECK(model.layer_output(1).shape() == nn::Shape{1, 2});
}

TEST_CASE("Model(input, input) says at construction that a model needs a layer") {
  nn::Node in = L::Input({3});
  CHECK_THROWS_WITH_AS(nn::Model(in, in), doctest::Contains("a model needs at least one layer"), nn::Error);
}

TEST_CASE("NN_NUM_THREADS: a whole number >= 1, anything else is refused") {
  CHECK(nn::parse_thread_count("4") == 4);
  CHECK(nn::parse_thread_count("1") == 1);
  for (const char* bad : {"abc", "0", "-2", "3x", "", " ", "2.5", "99999999999"}) {
    INFO("NN_NUM_THREADS=", bad);
    CHECK(nn::parse_thread_count(bad) == 0);
  }
}

TEST_CASE("thread count child: prints the thread count (does nothing unless the NN_NUM_THREADS test starts it)") {
  if (!std::getenv("NN_THREADS_CHILD")) return;
  nn::get_num_threads();  // asked twice: still one warning
  std::printf("threads %d\n", nn::get_num_threads());
}

TEST_CASE("an unusable NN_NUM_THREADS is named on stderr once, and the hardware count is used") {
  nn_test::TempDir dir("threads");
  for (const char* bad : {"abc", "0", "-2"}) {
    const std::string log = (dir.path / "child.log").string();
    const pid_t child = nn_test::spawn_self("thread count child*",
                                            {std::string("NN_NUM_THREADS=") + bad, "NN_THREADS_CHILD=1"}, log);
    REQUIRE(child > 0);
    REQUIRE(nn_test::wait_child(child) == 0);
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(text);
    const std::string warning = std::string("NN_NUM_THREADS=\"") + bad + "\" is not a whole number >= 1";
    const size_t first = text.find(warning);
    CHECK(first != std::string::npos);
    CHECK(text.find(warning, first + 1) == std::string::npos);
    const unsigned hw = std::thread::hardware_concurrency();
    CHECK(text.find("threads " + std::to_string(hw ? hw : 1) + "\n") != std::string::npos);
  }
}

// A save killed half-way leaves "<path>.tmp" (the file at <path> is intact, as before);
// the next use of the path removes the leftover: loading it, or a fit that checkpoints to it.
TEST_CASE("an interrupted save's w.npz.tmp is removed on the next start; the real file stays intact") {
  nn_test::TempDir dir("stale_tmp");
  const std::string path = (dir.path / "w.npz").string(), tmp = path + ".tmp";
  nn::Sequential model({L::Input({3}), L::Dense(2)});
  model.save_weights(path);
  const std::vector<uint8_t> good = nn::read_file(path);
  std::ofstream(tmp) << "PK\x03\x04 half of a zip";  // what a killed save leaves behind
  REQUIRE(fs::exists(tmp));
  model.load_weights(path);
  CHECK_FALSE(fs::exists(tmp));
  CHECK(nn::read_file(path) == good);

  // A temporary that a live writer holds (its lock) is not a leftover: it stays.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  nn::remove_stale_temporary(path);
  CHECK(fs::exists(tmp));
  ::close(fd);  // the writer died: its lock is gone
  nn::remove_stale_temporary(path);
  CHECK_FALSE(fs::exists(tmp));

  // A run that checkpoints to a path cleans that path's leftover when it starts.
  const std::string ckpt = (dir.path / "ckpt.npz").string();
  std::ofstream(ckpt + ".tmp") << "half a checkpoint";
  model.compile("mse", nn::optimizers::SGD(0.01f));
  model.fit(Tensor({4, 3}), Tensor({4, 2}),
            {.epochs = 1, .verbose = 0, .callbacks = {std::make_shared<nn::ModelCheckpoint>(ckpt)}});
  CHECK_FALSE(fs::exists(ckpt + ".tmp"));
  CHECK(fs::exists(ckpt));
  // Something that is not a regular file is never removed.
  fs::create_directory(tmp);
  nn::remove_stale_temporary(path);
  CHECK(fs::is_directory(tmp));
}
