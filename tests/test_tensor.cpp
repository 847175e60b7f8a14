#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>

#include "nn.h"

using nn::Shape;
using nn::Tensor;

TEST_CASE("Tensor(Shape) is zero-filled with the right size and rank") {
  Tensor t({32, 32, 3});
  CHECK(t.shape() == Shape{32, 32, 3});
  CHECK(t.size() == 32 * 32 * 3);
  CHECK(t.rank() == 3);
  for (float v : t) REQUIRE(v == 0.0f);
}

TEST_CASE("Tensor(Shape, values) keeps the values in row-major order") {
  Tensor v({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(v.at({0, 2}) == 3.0f);
  CHECK(v.at({1, 0}) == 4.0f);
  CHECK(v[4] == 5.0f);
  CHECK_THROWS_AS(Tensor({2, 2}, {1, 2, 3}), nn::ShapeError);
}

TEST_CASE("Tensor storage is 64-byte aligned") {
  for (int n : {1, 3, 17, 1000}) {
    Tensor t({n});
    CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
  }
}

TEST_CASE("scalar and empty tensors") {
  Tensor s(Shape{});
  CHECK(s.rank() == 0);
  CHECK(s.size() == 1);
  Tensor e({0, 5});
  CHECK(e.size() == 0);
  CHECK(e.empty());
}

TEST_CASE("bad shapes are clear errors") {
  CHECK_THROWS_AS(Tensor({-1, 3}), nn::ShapeError);
  CHECK_THROWS_AS(Tensor({1, 2, 3, 4, 5}), nn::ShapeError);
  // A corrupt header promising 2^31 × 2^31 × 2^31 floats must not try to allocate it.
  CHECK_THROWS_AS(Tensor({2147483647, 2147483647, 2147483647}), nn::Error);
}

TEST_CASE("checked access rejects out-of-range indices") {
  Tensor t({2, 3});
  CHECK_THROWS_AS(t.at({2, 0}), nn::Error);
  CHECK_THROWS_AS(t.at({0, 3}), nn::Error);
  CHECK_THROWS_AS(t.at({0}), nn::ShapeError);
  CHECK_THROWS_AS(t.at(6), nn::Error);
  CHECK_NOTHROW(t.at(5));
}

TEST_CASE("reshape keeps the numbers and the storage, or explains why it cannot") {
  Tensor t({2, 6}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const float* before = t.data();
  t.reshape({3, 4});
  CHECK(t.shape() == Shape{3, 4});
  CHECK(t.data() == before);
  CHECK(t.at({2, 1}) == 9.0f);
  t.reshape({-1, 2});
  CHECK(t.shape() == Shape{6, 2});
  try {
    t.reshape({5, 5});
    FAIL("reshape to a different element count must throw");
  } catch (const nn::ShapeError& e) {
    CHECK(std::string(e.what()).find("(6, 2)") != std::string::npos);
    CHECK(std::string(e.what()).find("(5, 5)") != std::string::npos);
  }
}

TEST_CASE("copies are deep, moves transfer the storage") {
  Tensor a({3}, {1, 2, 3});
  Tensor b = a;
  b[0] = 100;
  CHECK(a[0] == 1.0f);
  CHECK(b.data() != a.data());
  const float* storage = a.data();
  Tensor c = std::move(a);
  CHECK(c.data() == storage);
  CHECK(c[2] == 3.0f);
  Tensor d;
  d = c;
  CHECK(d[1] == 2.0f);
  CHECK(d.data() != c.data());
}

TEST_CASE("resize reuses the allocation when it fits") {
  Tensor t({64, 10});
  const float* storage = t.data();
  t.resize({16, 10});
  CHECK(t.data() == storage);
  CHECK(t.size() == 160);
  t.resize({64, 10});
  CHECK(t.data() == storage);
  t.resize({65, 10});
  CHECK(t.size() == 650);
  CHECK(t.capacity() >= 650);
}

TEST_CASE("slice_rows copies a range of the first dimension") {
  Tensor t({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor s = t.slice_rows(1, 3);
  CHECK(s.shape() == Shape{2, 2});
  CHECK(s[0] == 3.0f);
  CHECK_THROWS_AS(t.slice_rows(2, 4), nn::Error);
}

TEST_CASE("printing looks like NumPy") {
  std::ostringstream os;
  os << Tensor({2, 2}, {1, 2, 3, 4.5f});
  CHECK(os.str() == "[[        1,         2],\n [        3,       4.5]] shape=(2, 2)");
  std::ostringstream long_row;
  long_row << Tensor({10});
  CHECK(long_row.str().find("...") != std::string::npos);
}
