// Data loaders, the synthetic shapes set, preprocessing helpers, and every bad-input case
// the loaders must turn into a clear nn::Error. Fixture files are written in the official
// formats into a fresh temporary directory (tests/data_fixtures.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "data_fixtures.h"
#include "nn.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nn::Tensor;
using nn_test::Bytes;

namespace {


// Runs f and returns the message of the exception of type E it throws; fails the test
// (and returns "") when it throws nothing or something else.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("threw the wrong exception type: " << e.what());
    return "";
  }
  FAIL_CHECK("expected an exception, none was thrown");
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Writes a complete MNIST-style directory: n_train and n_test images with labels.
void write_idx_dir(const fs::path& dir, uint32_t n_train, uint32_t n_test) {
  nn_test::write_file(dir / "train-images-idx3-ubyte", nn_test::idx_images(n_train));
  nn_test::write_file(dir / "train-labels-idx1-ubyte", nn_test::idx_labels(n_train));
  nn_test::write_file(dir / "t10k-images-idx3-ubyte", nn_test::idx_images(n_test));
  nn_test::write_file(dir / "t10k-labels-idx1-ubyte", nn_test::idx_labels(n_test));
}

// Writes a complete CIFAR-10 directory: five training batches of `per_batch` records and a
// test batch of n_test records; record numbers run on across the training batches.
void write_cifar_dir(const fs::path& dir, int per_batch, int n_test) {
  for (int b = 1; b <= 5; ++b)
    nn_test::write_file(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                        nn_test::cifar_batch(per_batch, (b - 1) * per_batch));
  nn_test::write_file(dir / "test_batch.bin", nn_test::cifar_batch(n_test, 1000));
}

Tensor parse_images(const Bytes& b) { return nn::data::parse_idx_images(b.data(), b.size(), 28, 28, "test.idx"); }
Tensor parse_labels(const Bytes& b) { return nn::data::parse_idx_labels(b.data(), b.size(), 10, "test.idx"); }

}  // namespace

// ---------------------------------------------------------------------------- IDX

TEST_CASE("IDX round trip: load_mnist returns (N, 28, 28, 1) floats 0..255 and (N) class ids") {
  nn_test::TempDir dir("data");
  write_idx_dir(dir.path, 5, 3);
  auto [x_train, y_train, x_test, y_test] = nn::data::load_mnist(dir.str());
  CHECK(x_train.shape() == nn::Shape{5, 28, 28, 1});
  CHECK(y_train.shape() == nn::Shape{5});
  CHECK(x_test.shape() == nn::Shape{3, 28, 28, 1});
  CHECK(y_test.shape() == nn::Shape{3});
  for (int i : {0, 4})
    for (auto [r, c] : {std::array{0, 0}, {27, 27}, {3, 20}, {20, 3}})
      CHECK(x_train.at({i, r, c, 0}) == float(nn_test::idx_pixel(i, r, c)));
  CHECK(x_test.at({2, 10, 11, 0}) == float(nn_test::idx_pixel(2, 10, 11)));
  for (int i = 0; i < 5; ++i) CHECK(y_train[i] == float(i % 10));
  // The same files under the Fashion-MNIST name load the same way.
  CHECK(nn::data::load_fashion_mnist(dir.str()).x_train.shape() == nn::Shape{5, 28, 28, 1});
}

TEST_CASE("IDX: wrong magic numbers are named, swapped and gzip files get a hint") {
  Bytes labels = nn_test::idx_labels(4);
  std::string m = message_of<nn::IoError>([&] { parse_images(labels); });
  CHECK(contains(m, "wrong magic number 0x00000801"));
  CHECK(contains(m, "expected 0x00000803"));
  CHECK(contains(m, "swapped"));

  Bytes garbage = nn_test::idx_images(2);
  garbage[2] = 0x0d;  // 0x0d = float32 data, not unsigned bytes
  CHECK(contains(message_of<nn::IoError>([&] { parse_images(garbage); }), "wrong magic number 0x00000d03"));
  CHECK(contains(message_of<nn::IoError>([&] { parse_labels(nn_test::idx_images(1)); }), "expected 0x00000801"));

  Bytes gz = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  m = message_of<nn::IoError>([&] { parse_images(gz); });
  CHECK(contains(m, "gzip"));
  CHECK(contains(m, "make data"));
}

TEST_CASE("IDX: empty, shorter than the header, and truncated files") {
  CHECK(contains(message_of<nn::IoError>([&] { parse_images({}); }), "too short"));
  Bytes header_only = nn_test::idx_images(0);
  header_only.resize(10);
  CHECK(contains(message_of<nn::IoError>([&] { parse_images(header_only); }), "shorter than the 16-byte"));

  Bytes truncated = nn_test::idx_images(5);
  truncated.resize(truncated.size() - 100);  // the last image lost its last 100 pixels
  std::string m = message_of<nn::IoError>([&] { parse_images(truncated); });
  CHECK(contains(m, "promises 5 images"));
  CHECK(contains(m, "truncated"));

  Bytes labels = nn_test::idx_labels(10);
  labels.pop_back();
  CHECK(contains(message_of<nn::IoError>([&] { parse_labels(labels); }), "promises 10 labels"));
}

TEST_CASE("IDX: a header promising far more than the file holds fails before allocating") {
  // 4,294,967,295 images of 28x28 would be 13 TB of floats; the file holds one image.
  Bytes liar = nn_test::idx_images(1);
  liar[4] = liar[5] = liar[6] = liar[7] = 0xff;
  std::string m = message_of<nn::IoError>([&] { parse_images(liar); });
  CHECK(contains(m, "promises 4294967295 images"));
  Bytes label_liar = nn_test::idx_labels(3);
  label_liar[4] = 0x7f;
  CHECK(contains(message_of<nn::IoError>([&] { parse_labels(label_liar); }), "truncated"));
}

TEST_CASE("IDX: trailing bytes, zero images, wrong image dimensions") {
  Bytes longer = nn_test::idx_images(2);
  longer.push_back(0);
  CHECK(contains(message_of<nn::IoError>([&] { parse_images(longer); }), "1 more bytes"));
  CHECK(contains(message_of<nn::IoError>([&] { parse_images(nn_test::idx_images(0)); }), "no images"));
  std::string m = message_of<nn::IoError>([&] { parse_images(nn_test::idx_images(2, 32, 32)); });
  CHECK(contains(m, "images are 32x32 pixels, expected 28x28"));
  CHECK(contains(message_of<nn::IoError>([&] { parse_images(nn_test::idx_images(1, 28, 27)); }), "28x27"));
}

TEST_CASE("IDX: labels outside 0..9 are rejected with their index") {
  std::string m = message_of<nn::IoError>([&] { parse_labels(nn_test::idx_labels(4, {1, 9, 10, 3})); });
  CHECK(contains(m, "label 2 is 10"));
  CHECK(contains(m, "0..9"));
  CHECK(contains(message_of<nn::IoError>([&] { parse_labels(nn_test::idx_labels(1, {255})); }), "is 255"));
}

TEST_CASE("IDX: images and labels with different counts") {
  nn_test::TempDir dir("data");
  write_idx_dir(dir.path, 5, 3);
  nn_test::write_file(dir.path / "train-labels-idx1-ubyte", nn_test::idx_labels(4));
  std::string m = message_of<nn::IoError>([&] { nn::data::load_mnist(dir.str()); });
  CHECK(contains(m, "holds 5 images"));
  CHECK(contains(m, "holds 4 labels"));
}

TEST_CASE("missing directory or file names the path and the fetch command") {
  nn_test::TempDir dir("data");
  const std::string missing = (dir.path / "nowhere").string();
  std::string m = message_of<nn::IoError>([&] { nn::data::load_fashion_mnist(missing); });
  CHECK(contains(m, missing));
  CHECK(contains(m, "make data NAME=fashion-mnist"));
  m = message_of<nn::IoError>([&] { nn::data::load_cifar10(missing); });
  CHECK(contains(m, "make data NAME=cifar10"));

  write_idx_dir(dir.path, 2, 2);
  fs::remove(dir.path / "t10k-labels-idx1-ubyte");
  m = message_of<nn::IoError>([&] { nn::data::load_mnist(dir.str()); });
  CHECK(contains(m, (dir.path / "t10k-labels-idx1-ubyte").string()));
  CHECK(contains(m, "does not exist"));
  CHECK(contains(m, "make data NAME=mnist"));

  // A plain file where the directory should be.
  m = message_of<nn::IoError>([&] { nn::data::load_mnist((dir.path / "train-images-idx3-ubyte").string()); });
  CHECK(contains(m, "should be a directory"));
}

TEST_CASE("only the .gz downloads present: the error says to run make data") {
  nn_test::TempDir dir("data");
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                           "t10k-labels-idx1-ubyte.gz"})
    nn_test::write_file(dir.path / name, {0x1f, 0x8b, 0x08, 0x00});
  std::string m = message_of<nn::IoError>([&] { nn::data::load_fashion_mnist(dir.str()); });
  CHECK(contains(m, "train-images-idx3-ubyte.gz"));
  CHECK(contains(m, "uncompressed"));
  CHECK(contains(m, "make data NAME=fashion-mnist"));
}

TEST_CASE("a directory or an empty file where a data file should be") {
  nn_test::TempDir dir("data");
  write_idx_dir(dir.path, 2, 2);
  fs::remove(dir.path / "train-images-idx3-ubyte");
  fs::create_directory(dir.path / "train-images-idx3-ubyte");
  std::string m = message_of<nn::IoError>([&] { nn::data::load_mnist(dir.str()); });
  CHECK(contains(m, "is a directory"));
  CHECK(contains(m, "train-images-idx3-ubyte"));

  fs::remove(dir.path / "train-images-idx3-ubyte");
  nn_test::write_file(dir.path / "train-images-idx3-ubyte", {});
  CHECK(contains(message_of<nn::IoError>([&] { nn::data::load_mnist(dir.str()); }), "is empty (0 bytes)"));
}

// ---------------------------------------------------------------------------- CIFAR-10

TEST_CASE("CIFAR-10 round trip: colour planes become channels-last (N, 32, 32, 3)") {
  nn_test::TempDir dir("data");
  write_cifar_dir(dir.path, 2, 3);
  auto [x_train, y_train, x_test, y_test] = nn::data::load_cifar10(dir.str());
  CHECK(x_train.shape() == nn::Shape{10, 32, 32, 3});
  CHECK(y_train.shape() == nn::Shape{10});
  CHECK(x_test.shape() == nn::Shape{3, 32, 32, 3});
  CHECK(y_test.shape() == nn::Shape{3});
  // Record 7 sits in data_batch_4.bin (records 6, 7): check specific pixels of every channel.
  for (auto [r, c] : {std::array{0, 0}, {0, 31}, {31, 0}, {12, 29}})
    for (int ch = 0; ch < 3; ++ch) CHECK(x_train.at({7, r, c, ch}) == float(nn_test::cifar_value(7, ch, r, c)));
  // The same byte read the wrong way (planes kept, not interleaved) would differ here:
  CHECK(x_train[3 * (5 * 32 + 6) + 1] == float(nn_test::cifar_value(0, 1, 5, 6)));
  for (int i = 0; i < 10; ++i) CHECK(y_train[i] == float(i % 10));
  CHECK(x_test.at({2, 31, 31, 2}) == float(nn_test::cifar_value(1002, 2, 31, 31)));
  CHECK(y_test[1] == 1.0f);
}

TEST_CASE("CIFAR-10: length not a multiple of 3073, empty file, label above 9, directory") {
  Bytes batch = nn_test::cifar_batch(2);
  Bytes short_batch(batch.begin(), batch.end() - 1);
  std::string m = message_of<nn::IoError>([&] { nn::data::parse_cifar10(short_batch.data(), short_batch.size(), "b"); });
  CHECK(contains(m, "6145 bytes"));
  CHECK(contains(m, "not a whole number of 3073-byte"));
  CHECK(contains(message_of<nn::IoError>([&] { nn::data::parse_cifar10(nullptr, 0, "b"); }), "empty"));

  batch[3073] = 10;  // the label byte of record 1
  m = message_of<nn::IoError>([&] { nn::data::parse_cifar10(batch.data(), batch.size(), "b"); });
  CHECK(contains(m, "record 1 has label 10"));

  nn_test::TempDir dir("data");
  write_cifar_dir(dir.path, 1, 1);
  nn_test::write_file(dir.path / "data_batch_5.bin", short_batch);
  m = message_of<nn::IoError>([&] { nn::data::load_cifar10(dir.str()); });
  CHECK(contains(m, "data_batch_5.bin"));
  CHECK(contains(m, "3073"));

  nn_test::write_file(dir.path / "data_batch_5.bin", {});
  CHECK(contains(message_of<nn::IoError>([&] { nn::data::load_cifar10(dir.str()); }), "empty"));

  fs::remove(dir.path / "data_batch_5.bin");
  fs::create_directory(dir.path / "data_batch_5.bin");
  m = message_of<nn::IoError>([&] { nn::data::load_cifar10(dir.str()); });
  CHECK(contains(m, "is a directory"));

  fs::remove(dir.path / "data_batch_5.bin");
  m = message_of<nn::IoError>([&] { nn::data::load_cifar10(dir.str()); });
  CHECK(contains(m, "data_batch_5.bin' does not exist"));
  CHECK(contains(m, "make data NAME=cifar10"));
}

// ---------------------------------------------------------------------------- class names

TEST_CASE("class_names for every data set, errors for unknown ones") {
  auto fashion = nn::data::class_names("fashion-mnist");
  REQUIRE(fashion.size() == 10);
  CHECK(fashion[0] == "T-shirt/top");
  CHECK(fashion[9] == "Ankle boot");
  auto cifar = nn::data::class_names("cifar10");
  REQUIRE(cifar.size() == 10);
  CHECK(cifar[0] == "airplane");
  CHECK(cifar[1] == "automobile");
  CHECK(cifar[9] == "truck");
  CHECK(nn::data::class_names("mnist")[7] == "7");
  CHECK(nn::data::class_names("shapes").size() == 10);
  CHECK(contains(message_of<nn::Error>([] { nn::data::class_names("imagenet"); }), "cifar10"));
}

// ---------------------------------------------------------------------------- shapes

TEST_CASE("make_shapes: shapes, range, balance, determinism") {
  auto [x, y] = nn::data::make_shapes(1000, 7);
  CHECK(x.shape() == nn::Shape{1000, 32, 32, 3});
  CHECK(y.shape() == nn::Shape{1000});
  int counts[10] = {};
  for (float v : y) {
    REQUIRE(v >= 0);
    REQUIRE(v <= 9);
    REQUIRE(v == std::floor(v));
    counts[int(v)]++;
  }
  for (int c : counts) CHECK(c == 100);
  // Shuffled: the labels are not simply 0,1,2,...,9,0,1,...
  int in_cycle = 0;
  for (int i = 0; i < 1000; ++i) in_cycle += y[i] == float(i % 10);
  CHECK(in_cycle < 300);
  float lo = 255, hi = 0;
  size_t fractional = 0;  // pixels are whole numbers, like 8-bit images
  for (float v : x) {
    fractional += v != std::floor(v);
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  CHECK(fractional == 0);
  CHECK(lo >= 0);
  CHECK(hi <= 255);
  CHECK(hi - lo > 200);  // the full range is used

  auto again = nn::data::make_shapes(1000, 7);
  CHECK(std::equal(x.begin(), x.end(), again.x.begin()));
  CHECK(std::equal(y.begin(), y.end(), again.y.begin()));
  auto other = nn::data::make_shapes(1000, 8);
  CHECK(!std::equal(x.begin(), x.end(), other.x.begin()));

  // n not a multiple of 10: the first n % 10 classes get one more image.
  auto odd = nn::data::make_shapes(23, 1);
  int odd_counts[10] = {};
  for (float v : odd.y) odd_counts[int(v)]++;
  CHECK(odd_counts[0] == 3);
  CHECK(odd_counts[2] == 3);
  CHECK(odd_counts[3] == 2);
  CHECK(odd_counts[9] == 2);
}

TEST_CASE("make_shapes is the same for 1 and 2 threads, and grey / other sizes work") {
  const int before = nn::get_num_threads();
  nn::set_num_threads(1);
  auto one = nn::data::make_shapes(300, 3);
  nn::set_num_threads(2);
  auto two = nn::data::make_shapes(300, 3);
  nn::set_num_threads(before);
  CHECK(std::equal(one.x.begin(), one.x.end(), two.x.begin()));

  auto grey = nn::data::make_shapes(20, 1, {.size = 28, .channels = 1});
  CHECK(grey.x.shape() == nn::Shape{20, 28, 28, 1});
  CHECK(nn::data::make_shapes(0, 1).x.shape() == nn::Shape{0, 32, 32, 3});
  CHECK_THROWS_AS(nn::data::make_shapes(10, 1, {.size = 4}), nn::ValueError);
  CHECK_THROWS_AS(nn::data::make_shapes(10, 1, {.size = 32, .channels = 2}), nn::ValueError);
  CHECK_THROWS_AS(nn::data::make_shapes(-1, 1), nn::ValueError);
}

TEST_CASE("make_shapes: each class appears in many places, not on fixed pixels") {
  // Find the figure in each grey image as the pixels far from the image's median (the
  // median is background: a figure covers at most about a third of the image), and check
  // that its centre moves around within every class. A generator that always drew a class
  // in the same place would give a spread near 0.
  const int size = 32, pixels = size * size, n = 500;
  auto [x, y] = nn::data::make_shapes(n, 11, {.size = size, .channels = 1});
  double sum[10] = {}, sum2[10] = {};
  int count[10] = {};
  for (int i = 0; i < n; ++i) {
    const float* img = x.data() + size_t(i) * pixels;
    std::vector<float> sorted(img, img + pixels);
    std::nth_element(sorted.begin(), sorted.begin() + pixels / 2, sorted.end());
    const float median = sorted[pixels / 2];
    double cx = 0, weight = 0;
    for (int p = 0; p < pixels; ++p)
      if (std::fabs(img[p] - median) > 50) cx += p % size, weight += 1;
    REQUIRE(weight > 0);  // every image shows its figure
    const int c = int(y[i]);
    sum[c] += cx / weight, sum2[c] += (cx / weight) * (cx / weight), count[c]++;
  }
  for (int c = 0; c < 10; ++c) {
    const double mean = sum[c] / count[c], spread = std::sqrt(sum2[c] / count[c] - mean * mean);
    CHECK_MESSAGE(spread > 2.0, "class " << c << ": the figure's column hardly moves (spread " << spread << " px)");
  }
}

TEST_CASE("load_shapes gives a train/test split with different images") {
  auto [x_train, y_train, x_test, y_test] = nn::data::load_shapes(50, 20, 5, {.size = 16, .channels = 3});
  CHECK(x_train.shape() == nn::Shape{50, 16, 16, 3});
  CHECK(x_test.shape() == nn::Shape{20, 16, 16, 3});
  CHECK(!std::equal(x_test.begin(), x_test.end(), x_train.begin()));
}

// ---------------------------------------------------------------------------- preprocessing

TEST_CASE("gather_rows copies the ordered rows, the same on 1 and 2 threads, and a bad index changes nothing") {
  const int saved = nn::get_num_threads();
  // 40 rows of 3000 numbers: 120,000 in all, enough for the copy to be split over the threads.
  const nn::Tensor src = nn_test::random_tensor({100, 30, 100}, 3);
  const std::vector<int> order = [] {
    std::vector<int> o(100);
    for (int i = 0; i < 100; ++i) o[i] = (i * 37) % 100;  // a permutation
    return o;
  }();
  nn::Tensor one, two;
  nn::set_num_threads(1);
  nn::data::gather_rows(src, order, 10, 40, one);
  nn::set_num_threads(2);
  nn::data::gather_rows(src, order, 10, 40, two);
  nn::set_num_threads(saved);
  REQUIRE(one.shape() == nn::Shape{40, 30, 100});
  CHECK(nn_test::same_bits(one, two));
  for (int r = 0; r < 40; ++r)
    CHECK(std::equal(one.data() + r * 3000, one.data() + (r + 1) * 3000, src.data() + order[10 + r] * 3000));
  // An index past the end: an nn::Error naming it, before anything is copied or resized.
  std::vector<int> bad = order;
  bad[45] = 100;
  const nn::Tensor before = two;
  CHECK_THROWS_WITH_AS(nn::data::gather_rows(src, bad, 10, 40, two), doctest::Contains("index 100 is out of range"),
                       nn::Error);
  CHECK(nn_test::same_bits(two, before));
  nn::Tensor small({2, 30, 100}, 7.0f);
  CHECK_THROWS_AS(nn::data::gather_rows(src, bad, 44, 2, small), nn::Error);
  CHECK(small.shape() == nn::Shape{2, 30, 100});
  CHECK(small[0] == 7.0f);
  CHECK_THROWS_AS(nn::data::gather_rows(src, order, 90, 20, small), nn::Error);  // past the order's end
}

TEST_CASE("validation split takes the last fraction, as Keras does") {
  CHECK(nn::data::validation_split_index(10, 0.2f) == 8);  // Python: floor(10 * 0.8) = 8
  CHECK(nn::data::validation_split_index(50000, 0.2f) == 40000);
  CHECK(nn::data::validation_split_index(7, 0.5f) == 3);
  CHECK(nn::data::validation_split_index(100, 0.1f) == 90);
  CHECK_THROWS_AS(nn::data::validation_split_index(10, 0.0f), nn::ValueError);
  CHECK_THROWS_AS(nn::data::validation_split_index(10, 1.0f), nn::ValueError);
  CHECK(contains(message_of<nn::ValueError>([] { nn::data::validation_split_index(1, 0.5f); }), "1 samples"));

  Tensor x({5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor y({5}, {10, 11, 12, 13, 14});
  auto [x_tr, y_tr, x_val, y_val] = nn::data::train_validation_split(x, y, 0.4f);
  CHECK(x_tr.shape() == nn::Shape{3, 2});
  CHECK(x_val.shape() == nn::Shape{2, 2});
  CHECK(x_val.at({0, 0}) == 6.0f);
  CHECK(y_val[1] == 14.0f);
  CHECK(y_tr[2] == 12.0f);
  CHECK_THROWS_AS(nn::data::train_validation_split(x, Tensor({4}), 0.4f), nn::ShapeError);
}

TEST_CASE("make_tabular: named columns, plausible values, labels follow the known rule") {
  auto t = nn::data::make_tabular(20000, 3);
  CHECK(t.columns == std::vector<std::string>{"age", "income", "visits"});
  CHECK(t.x.shape() == nn::Shape{20000, 3});
  CHECK(t.y.shape() == nn::Shape{20000});
  double mean_y = 0, mean_p = 0;
  for (int i = 0; i < 20000; ++i) {
    const float age = t.x.at({i, 0}), income = t.x.at({i, 1}), visits = t.x.at({i, 2});
    REQUIRE(age >= 18);
    REQUIRE(age <= 80);
    REQUIRE(income >= 15);
    REQUIRE(income <= 150);
    REQUIRE(visits >= 0);
    REQUIRE(visits <= 20);
    REQUIRE((t.y[i] == 0.0f || t.y[i] == 1.0f));
    mean_y += t.y[i] / 20000.0;
    mean_p += nn::data::tabular_buy_probability(age, income, visits) / 20000.0;
  }
  CHECK(std::fabs(mean_y - mean_p) < 0.02);  // 5 standard errors of a mean of 20,000 coin flips
  CHECK(mean_y > 0.25);                      // both classes are common
  CHECK(mean_y < 0.75);
  auto again = nn::data::make_tabular(100, 3);
  CHECK(std::equal(again.x.begin(), again.x.end(), t.x.begin()));  // same seed, same first rows
}

// ---------------------------------------------------------------------------- real data

TEST_CASE("real Fashion-MNIST: 60,000 / 10,000 images, 6,000 per training class") {
  // Prefer datasets/fashion-mnist (what `make data` prepares); else decompress Debian's
  // package into a temp dir; else there is nothing to check on this machine.
  std::string dir = "datasets/fashion-mnist";
  nn_test::TempDir tmp("data");
  if (!fs::exists(dir + "/train-images-idx3-ubyte")) {
    const std::string system_dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(system_dir + "/train-images-idx3-ubyte.gz")) {
      MESSAGE("skipped: Fashion-MNIST is not on this machine (run `make data NAME=fashion-mnist`)");
      return;
    }
    for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte"}) {
      const std::string cmd = "gunzip -c '" + system_dir + "/" + name + ".gz' > '" + tmp.str() + "/" + name + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    dir = tmp.str();
  }
  auto [x_train, y_train, x_test, y_test] = nn::data::load_fashion_mnist(dir);
  CHECK(x_train.shape() == nn::Shape{60000, 28, 28, 1});
  CHECK(x_test.shape() == nn::Shape{10000, 28, 28, 1});
  int counts[10] = {};
  for (float v : y_train) counts[int(v)]++;
  for (int c : counts) CHECK(c == 6000);
  float hi = 0;
  for (float v : x_train) hi = std::max(hi, v);
  CHECK(hi == 255.0f);
}
