// Add and Concatenate, the layers with several inputs (layers/merge.h): hand-computed
// forward and backward, finite-difference gradients for every input, the parts of the
// layer contract that apply to them (dx overwritten, reference mode agreeing bit for bit,
// rebuilt from config), and the errors for inputs they cannot merge.
#include <doctest/doctest.h>

#include "gradcheck_core.h"
#include "nn.h"
#include "test_util.h"

using namespace nn;
namespace L = nn::layers;

namespace {

Tensor random_input(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& v : t) v = rng.uniform(-1.5f, 1.5f);
  return t;
}

std::vector<const Tensor*> pointers(const std::vector<Tensor>& xs) {
  std::vector<const Tensor*> p;
  for (const Tensor& x : xs) p.push_back(&x);
  return p;
}

std::vector<Tensor*> pointers(std::vector<Tensor>& xs) {
  std::vector<Tensor*> p;
  for (Tensor& x : xs) p.push_back(&x);
  return p;
}

// Finite differences for every input of a merge layer: L = Σ y·r for a fixed random r.
void check_merge_gradients(MergeLayer& layer, std::vector<Tensor> xs) {
  Tensor y;
  layer.forward_inputs(pointers(std::as_const(xs)), y, true);
  Rng rng(9);
  const Tensor r = gradcheck::random_tensor(y.shape(), rng);
  std::vector<Tensor> dxs(xs.size());
  layer.set_input_gradient_needed(true);
  layer.backward_inputs(r, pointers(dxs));
  size_t checked = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    REQUIRE(dxs[i].shape() == xs[i].shape());
    for (size_t j = 0; j < xs[i].size(); ++j) {
      const float saved = xs[i][j];
      auto loss = [&](float v) {
        xs[i][j] = v;
        Tensor out;
        layer.forward_inputs(pointers(std::as_const(xs)), out, true);
        return gradcheck::projected(out, r);
      };
      const double numeric = (loss(saved + gradcheck::kStep) - loss(saved - gradcheck::kStep)) / (2 * gradcheck::kStep);
      xs[i][j] = saved;
      CHECK_MESSAGE(gradcheck::close(dxs[i][j], numeric), layer.type(), " dx", i, "[", j, "]: analytic ", dxs[i][j],
                    " numeric ", numeric);
      ++checked;
    }
  }
  CHECK(checked == [&] { size_t n = 0; for (auto& x : xs) n += x.size(); return n; }());
}

using nn_test::same_bits;

// dx buffers holding an earlier batch's numbers give the same dx as fresh ones; the
// reference path gives the fast path's y and dx bit for bit; from_config(get_config())
// through the registry builds a layer with the same output.
void conform(MergeLayer& layer, const std::vector<Tensor>& xs) {
  Tensor y, dy;
  layer.forward_inputs(pointers(xs), y, true);
  Rng rng(4);
  dy = gradcheck::random_tensor(y.shape(), rng);
  std::vector<Tensor> fresh(xs.size()), stale;
  layer.set_input_gradient_needed(true);
  layer.backward_inputs(dy, pointers(fresh));
  for (const Tensor& x : xs) stale.emplace_back(x.shape(), 1000.0f);
  layer.backward_inputs(dy, pointers(stale));
  for (size_t i = 0; i < xs.size(); ++i) CHECK_MESSAGE(same_bits(fresh[i], stale[i]), "dx", i, " must be overwritten");

  set_reference_mode(true);
  Tensor y_ref;
  std::vector<Tensor> dx_ref(xs.size());
  layer.forward_inputs(pointers(xs), y_ref, true);
  layer.backward_inputs(dy, pointers(dx_ref));
  set_reference_mode(false);
  CHECK(same_bits(y, y_ref));
  for (size_t i = 0; i < xs.size(); ++i) CHECK(same_bits(fresh[i], dx_ref[i]));

  auto rebuilt = std::dynamic_pointer_cast<MergeLayer>(layer_from_config(layer.type(), layer.get_config()));
  REQUIRE(rebuilt);
  rebuilt->build_for_inputs(layer.input_shapes());
  Tensor y_rebuilt;
  rebuilt->forward_inputs(pointers(xs), y_rebuilt, true);
  CHECK(same_bits(y, y_rebuilt));
}

}  // namespace

TEST_CASE("Add by hand: the element-wise sum; every input gets dy back") {
  L::Add add;
  CHECK(add.build_for_inputs({{2}, {2}, {2}}) == Shape{2});
  Tensor a({2, 2}, {1, 2, 3, 4}), b({2, 2}, {10, 20, 30, 40}), c({2, 2}, {-1, 0.5f, 0, 100});
  Tensor y;
  add.forward_inputs({&a, &b, &c}, y, false);
  CHECK(y.shape() == Shape{2, 2});
  CHECK(std::vector<float>(y.begin(), y.end()) == std::vector<float>{10, 22.5f, 33, 144});
  Tensor dy({2, 2}, {0.1f, -2, 3, 0}), da, db, dc;
  add.backward_inputs(dy, {&da, &db, &dc});
  for (Tensor* d : {&da, &db, &dc}) CHECK(std::vector<float>(d->begin(), d->end()) == std::vector<float>{0.1f, -2, 3, 0});
}

TEST_CASE("Concatenate by hand: along the last axis and along axis 1") {
  L::Concatenate last;  // axis -1
  CHECK(last.build_for_inputs({{1, 2}, {1, 1}}) == Shape{1, 3});
  Tensor a({2, 1, 2}, {1, 2, 3, 4}), b({2, 1, 1}, {9, 8});
  Tensor y;
  last.forward_inputs({&a, &b}, y, false);
  CHECK(y.shape() == Shape{2, 1, 3});
  CHECK(std::vector<float>(y.begin(), y.end()) == std::vector<float>{1, 2, 9, 3, 4, 8});
  Tensor dy({2, 1, 3}, {1, 2, 3, 4, 5, 6}), da, db;
  last.backward_inputs(dy, {&da, &db});
  CHECK(std::vector<float>(da.begin(), da.end()) == std::vector<float>{1, 2, 4, 5});
  CHECK(std::vector<float>(db.begin(), db.end()) == std::vector<float>{3, 6});

  L::Concatenate first(1);  // the first dim of a sample: stacks rows
  CHECK(first.build_for_inputs({{1, 2}, {2, 2}}) == Shape{3, 2});
  Tensor p({1, 1, 2}, {1, 2}), q({1, 2, 2}, {5, 6, 7, 8});
  first.forward_inputs({&p, &q}, y, false);
  CHECK(y.shape() == Shape{1, 3, 2});
  CHECK(std::vector<float>(y.begin(), y.end()) == std::vector<float>{1, 2, 5, 6, 7, 8});
}

TEST_CASE("Add and Concatenate gradients match finite differences and meet the contract") {
  SUBCASE("Add") {
    L::Add add;
    add.build_for_inputs({{3, 2}, {3, 2}});
    const std::vector<Tensor> xs{random_input({2, 3, 2}, 1), random_input({2, 3, 2}, 2)};
    check_merge_gradients(add, xs);
    conform(add, xs);
  }
  SUBCASE("Concatenate on every axis of an image") {
    for (int axis : {-1, 1, 2, 3, -2}) {
      INFO("axis ", axis);
      L::Concatenate cat(axis);
      Shape a{2, 3, 2}, b{2, 3, 2}, c{2, 3, 2};
      const size_t k = static_cast<size_t>(axis < 0 ? axis + 3 : axis - 1);
      b[k] = 1;
      c[k] = 4;
      cat.build_for_inputs({a, b, c});
      auto batch = [](Shape s) { s.insert(s.begin(), 2); return s; };
      const std::vector<Tensor> xs{random_input(batch(a), 3), random_input(batch(b), 4), random_input(batch(c), 5)};
      check_merge_gradients(cat, xs);
      conform(cat, xs);
    }
  }
}

TEST_CASE("Merge layers in the functional API: a node with several inputs") {
  Node a = L::Input({4}), b = L::Input({4}), c = L::Input({2});
  Node s = L::Add()({a, b});
  CHECK(s.shape() == Shape{4});
  REQUIRE(s.inputs().size() == 2);
  CHECK(s.inputs()[0].same_as(a));
  CHECK(s.inputs()[1].same_as(b));
  CHECK(s.input().same_as(a));
  Node cat = L::Concatenate()({s, c});
  CHECK(cat.shape() == Shape{6});
  CHECK(a.inputs().empty());
  // A one-input layer called on a one-element list is the usual call.
  Node d = L::Dense(3)(std::vector<Node>{cat}.front());
  CHECK(d.shape() == Shape{3});
}

TEST_CASE("Merge layers reject inputs they cannot merge, saying why") {
  Node a = L::Input({4}), b = L::Input({3}), img = L::Input({2, 2, 3});
  CHECK_THROWS_WITH_AS(L::Add()({a, b}), doctest::Contains("one shape"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Add()({a}), doctest::Contains("at least 2"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Concatenate()({a, img}), doctest::Contains("agree on every dim"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Concatenate(3)({a, b}), doctest::Contains("axis must be"), ShapeError);
  CHECK_THROWS_WITH_AS(L::Concatenate(0), doctest::Contains("batch"), ValueError);
  // (L::Add()(a) does not compile; the graph's own entry point says why)
  CHECK_THROWS_WITH_AS(Node::apply(std::make_shared<L::Add>(), a), doctest::Contains("list"), Error);
  CHECK_THROWS_WITH_AS(Node::apply(std::make_shared<L::Dense>(2), std::vector<Node>{a, a}),
                       doctest::Contains("takes one input"), Error);
  Node empty;
  CHECK_THROWS_WITH_AS(L::Add()({a, empty}), doctest::Contains("empty Node"), Error);
  L::Add add;
  add.build_for_inputs({{4}, {4}});
  Tensor x({2, 4}), wrong({3, 4}), y;
  CHECK_THROWS_WITH_AS(add.forward_inputs({&x, &wrong}, y, false), doctest::Contains("same N"), ShapeError);
  CHECK_THROWS_WITH_AS(add.forward_inputs({&x}, y, false), doctest::Contains("2 inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(add.forward(x, y, false), doctest::Contains("several inputs"), Error);
  CHECK_THROWS_WITH_AS(add.build_for_inputs({{3}, {3}}), doctest::Contains("cannot be reused"), ShapeError);
}
